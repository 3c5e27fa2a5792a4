/**
 * Results read ahead of a request expected soon (PrefetchCache): at sign-in, INBOX's first
 * window, read while the browser starts (see MailSession.prefetch and session/inbox-head.ts).
 * Each result is handed out once, within PREFETCH_TTL_MS, and only while no event that changes
 * a list window (LIST_EVENTS) was pushed since it was queued; one the sign-in answer carried is
 * shared with that request (keep()).
 */
import type { TServerFrame } from "@ferry/protocol";

/** How long a prefetched result waits for the request it was made for. */
export const PREFETCH_TTL_MS = 5_000;

/** Events that change what a list window of some mailbox holds: a prefetched one is stale after them. */
const LIST_EVENTS: ReadonlySet<TServerFrame["type"]> = new Set([
  "messages.new",
  "messages.expunged",
  "messages.flags",
  "mailbox.reset",
]);

interface Prefetched {
  result: Promise<unknown>;
  /** `listChanges` when the prefetch was queued. */
  changes: number;
  timer: NodeJS.Timeout;
}

export class PrefetchCache {
  /** Results by the caller's key. */
  private readonly entries = new Map<string, Prefetched>();
  /** Counts the events that change list windows (LIST_EVENTS), whoever listens. */
  private listChanges = 0;

  /** Every pushed event goes through here: a list event makes the results queued so far stale. */
  noteEvent(frame: TServerFrame): void {
    if (LIST_EVENTS.has(frame.type)) this.listChanges += 1;
  }

  /** Keeps `result` under `key` for PREFETCH_TTL_MS (see take()). */
  put(key: string, result: Promise<unknown>): void {
    this.drop(key);
    const timer = setTimeout(() => this.drop(key), PREFETCH_TTL_MS);
    timer.unref();
    this.entries.set(key, { result, changes: this.listChanges, timer });
  }

  /**
   * The result put under `key`, or null: when there is none, when it is older than
   * PREFETCH_TTL_MS, or when some list changed since it was queued. Each result is handed out once.
   */
  take<T>(key: string): Promise<T> | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    this.drop(key);
    return entry.changes === this.listChanges ? (entry.result as Promise<T>) : null;
  }

  /**
   * The result put under `key`, left there for take() and kept PREFETCH_TTL_MS from now; null
   * as take() would be. For a reader that shares it with the request it was made for.
   */
  keep<T>(key: string): Promise<T> | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.changes !== this.listChanges) {
      this.drop(key);
      return null;
    }
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.drop(key), PREFETCH_TTL_MS);
    entry.timer.unref();
    return entry.result as Promise<T>;
  }

  drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.entries.delete(key);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.drop(key);
  }
}
