/**
 * The outbox: messages held for their undo window, per session, in memory. A held message is
 * sent when its timer fires whether or not any socket of the session is still open (the tab
 * may be closed); `cancel` before then takes it back. Once sending has started it cannot be
 * cancelled. `flush` sends a session's held messages at once and waits for them (sign-out and
 * bridge shutdown: the user pressed Send, so the message goes).
 *
 * In memory only: a bridge that crashes or is killed loses what it held (at most the undo
 * window's worth of messages; the composer still has each draft until `compose.sent`).
 */

export type OutboxState = "waiting" | "sending" | "sent" | "failed";

export interface OutboxEntry<T> {
  readonly sendId: string;
  readonly sessionKey: string;
  readonly sendAt: number;
  readonly item: T;
  state: OutboxState;
}

/** Outcomes remembered per session, so a late cancel can say "already sent". */
const REMEMBERED = 100;

export class Outbox<T> {
  readonly #send: (entry: OutboxEntry<T>) => Promise<"sent" | "failed">;
  readonly #entries = new Map<string, OutboxEntry<T>>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #done = new Map<string, Map<string, "sent" | "failed">>();

  constructor(send: (entry: OutboxEntry<T>) => Promise<"sent" | "failed">) {
    this.#send = send;
  }

  /** Holds `item` for `delayMs`, then sends it. */
  queue(sessionKey: string, sendId: string, item: T, delayMs: number): OutboxEntry<T> {
    const entry: OutboxEntry<T> = {
      sendId,
      sessionKey,
      sendAt: Date.now() + delayMs,
      item,
      state: "waiting",
    };
    this.#entries.set(sendId, entry);
    this.#timers.set(
      sendId,
      setTimeout(() => this.#fire(entry), Math.max(0, delayMs)),
    );
    return entry;
  }

  /** Held messages of a session. */
  pending(sessionKey: string): OutboxEntry<T>[] {
    return [...this.#entries.values()].filter((e) => e.sessionKey === sessionKey);
  }

  /**
   * Takes a held message back: its item, or why not ("sending", "sent", "failed", or
   * "unknown" for an id this session never queued or that was forgotten).
   */
  cancel(
    sessionKey: string,
    sendId: string,
  ): { ok: true; item: T } | { ok: false; state: Exclude<OutboxState, "waiting"> | "unknown" } {
    const entry = this.#entries.get(sendId);
    if (!entry || entry.sessionKey !== sessionKey) {
      const done = this.#done.get(sessionKey)?.get(sendId);
      return { ok: false, state: done ?? "unknown" };
    }
    if (entry.state !== "waiting") return { ok: false, state: "sending" };
    clearTimeout(this.#timers.get(sendId));
    this.#timers.delete(sendId);
    this.#entries.delete(sendId);
    return { ok: true, item: entry.item };
  }

  #fire(entry: OutboxEntry<T>): Promise<void> {
    const existing = this.#running.get(entry.sendId);
    if (existing) return existing;
    clearTimeout(this.#timers.get(entry.sendId));
    this.#timers.delete(entry.sendId);
    entry.state = "sending";
    const run = (async () => {
      let outcome: "sent" | "failed" = "failed";
      try {
        outcome = await this.#send(entry);
      } catch {
        // the sender reports its own failures; a throw here is a bug, counted as failed
      } finally {
        entry.state = outcome;
        this.#entries.delete(entry.sendId);
        this.#running.delete(entry.sendId);
        this.#remember(entry.sessionKey, entry.sendId, outcome);
      }
    })();
    this.#running.set(entry.sendId, run);
    return run;
  }

  #remember(sessionKey: string, sendId: string, outcome: "sent" | "failed"): void {
    let done = this.#done.get(sessionKey);
    if (!done) {
      done = new Map();
      this.#done.set(sessionKey, done);
    }
    done.set(sendId, outcome);
    if (done.size > REMEMBERED) {
      const oldest = done.keys().next().value;
      if (oldest !== undefined) done.delete(oldest);
    }
  }

  /** Sends the session's held messages now (all sessions' without a key) and waits for them. */
  async flush(sessionKey?: string): Promise<void> {
    const entries = [...this.#entries.values()].filter(
      (e) => sessionKey === undefined || e.sessionKey === sessionKey,
    );
    await Promise.allSettled(entries.map((e) => this.#fire(e)));
  }

  /** Forgets a session's remembered outcomes (after it ended and was flushed). */
  forget(sessionKey: string): void {
    this.#done.delete(sessionKey);
  }

  get size(): number {
    return this.#entries.size;
  }
}
