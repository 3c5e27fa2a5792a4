/**
 * What a ConversationCache runs later on the connection it was read on (OrderLater, for
 * order.ts): a head's full THREAD once the head has not been read for `fullAfterMs`, or
 * FULL_WITHIN times that after it was first read, however often it is read (a user scrolling
 * does not put it off); and the check of the arrivals placed by a folder's newest messages,
 * `checkAfterMs` after the first of them. The work itself is the cache's; this keeps the timers.
 * Off (nothing runs later) for a cache used for one read on a connection with work of its own.
 */
import type { ImapFlow } from "imapflow";
import { keyOf } from "./order-entry";

/** Quiet time on a head before the full THREAD runs (the first requests of a session go first). */
export const FULL_AFTER_MS = 1_000;
/** Reads of a head put its full THREAD off by at most this many FULL_AFTER_MS in all. */
export const FULL_WITHIN = 3;
/** Time after an arrival placed by the newest messages before the rest of the folder is checked. */
export const CHECK_AFTER_MS = 300;

export interface OrderLaterOptions {
  /** False: nothing runs later. */
  on: boolean;
  fullAfterMs: number;
  checkAfterMs: number;
  /** Threads `path` in full where its order is still a head. */
  complete(client: ImapFlow, path: string): Promise<void>;
  /** Checks `path`'s arrivals against its older messages. */
  check(client: ImapFlow, path: string): Promise<boolean>;
}

export class OrderLater {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** When each head's full THREAD runs at the latest, however often the head is read (ms). */
  private readonly deadlines = new Map<string, number>();

  constructor(private readonly opts: OrderLaterOptions) {}

  /** `path`'s head was just threaded: the latest its full THREAD may wait is counted anew. */
  headThreaded(path: string): void {
    this.deadlines.delete(keyOf(path));
  }

  /**
   * Starts (again) the wait before `path`'s head is replaced by its full order: `fullAfterMs`
   * from now, but no later than FULL_WITHIN × `fullAfterMs` after the head was read first.
   */
  full(client: ImapFlow, path: string): void {
    if (!this.opts.on) return;
    const { fullAfterMs } = this.opts;
    const key = keyOf(path);
    const old = this.timers.get(key);
    if (old) clearTimeout(old);
    const now = Date.now();
    const deadline = this.deadlines.get(key) ?? now + FULL_WITHIN * fullAfterMs;
    this.deadlines.set(key, deadline);
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        this.deadlines.delete(key);
        void this.opts.complete(client, path);
      },
      Math.max(0, Math.min(fullAfterMs, deadline - now)),
    );
    timer.unref?.();
    this.timers.set(key, timer);
  }

  /** Checks `path`'s arrivals against its older messages `checkAfterMs` from now (once). */
  check(client: ImapFlow, path: string): void {
    if (!this.opts.on) return;
    const key = `check:${keyOf(path)}`;
    if (this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      void this.opts.check(client, path).catch(() => undefined);
    }, this.opts.checkAfterMs);
    timer.unref?.();
    this.timers.set(key, timer);
  }
}
