/**
 * Per-session limits on the HTTP endpoints that make the bridge fetch on a user's behalf
 * (/api/parts from IMAP, /api/proxy from the web): at most `concurrent` requests of one session
 * run at once, a few more (`queued`) wait their turn, and `perMinute` requests start per minute
 * (a token bucket, so short bursts pass). Past either, the request is refused with
 * rate_limited and the seconds to wait (429, Retry-After). Each session has its own counts: one
 * session's flood never delays another's.
 */
import { BridgeError } from "../errors";

export interface SessionLimits {
  /** Requests of one session running at once. */
  concurrent: number;
  /** Requests of one session waiting for a free place; more are refused. */
  queued: number;
  /** Requests of one session started per minute. */
  perMinute: number;
  now?: () => number;
}

/** A request refused by the limits; `retryAfter` is in seconds. */
export class SessionLimited extends BridgeError {
  constructor(
    message: string,
    readonly retryAfter: number,
  ) {
    super("rate_limited", message);
  }
}

interface SessionState {
  running: number;
  waiting: (() => void)[];
  tokens: number;
  refilledAt: number;
}

export class SessionRequestLimiter {
  readonly #limits: SessionLimits;
  readonly #now: () => number;
  readonly #sessions = new Map<string, SessionState>();
  #sweptAt: number;

  constructor(limits: SessionLimits) {
    this.#limits = limits;
    this.#now = limits.now ?? Date.now;
    this.#sweptAt = this.#now();
  }

  /**
   * Runs `fn` for session `key` once a place is free. Throws SessionLimited, without running
   * `fn`, when the session is past its rate or its queue is full; a wait ends early (and
   * throws) when `signal` aborts (the browser went away).
   */
  async run<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#now() - this.#sweptAt > 60_000) this.sweep();
    const state = this.#state(key);
    this.#refill(state);
    const perMs = this.#limits.perMinute / 60_000;
    if (state.tokens < 1) {
      throw new SessionLimited(
        "Too many requests from this session; wait a little.",
        Math.max(1, Math.ceil((1 - state.tokens) / perMs / 1000)),
      );
    }
    if (state.running >= this.#limits.concurrent) {
      if (state.waiting.length >= this.#limits.queued) {
        throw new SessionLimited("Too many requests at once from this session.", 1);
      }
      state.tokens -= 1;
      await this.#wait(state, signal);
    } else {
      state.tokens -= 1;
    }
    state.running += 1;
    try {
      return await fn();
    } finally {
      state.running -= 1;
      const next = state.waiting.shift();
      if (next) next();
      else this.#forgetIfIdle(key, state);
    }
  }

  /** Requests of `key` running now and waiting (tests, diagnostics). */
  load(key: string): { running: number; waiting: number } {
    const state = this.#sessions.get(key);
    return { running: state?.running ?? 0, waiting: state?.waiting.length ?? 0 };
  }

  #wait(state: SessionState, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        const at = state.waiting.indexOf(go);
        if (at >= 0) state.waiting.splice(at, 1);
        reject(new SessionLimited("The request was cancelled.", 1));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      state.waiting.push(go);
    });
  }

  #state(key: string): SessionState {
    let state = this.#sessions.get(key);
    if (!state) {
      state = { running: 0, waiting: [], tokens: this.#limits.perMinute, refilledAt: this.#now() };
      this.#sessions.set(key, state);
    }
    return state;
  }

  #refill(state: SessionState): void {
    const now = this.#now();
    const perMs = this.#limits.perMinute / 60_000;
    state.tokens = Math.min(
      this.#limits.perMinute,
      state.tokens + (now - state.refilledAt) * perMs,
    );
    state.refilledAt = now;
  }

  /** A session with nothing running or waiting and a full bucket is no different from a new one. */
  #forgetIfIdle(key: string, state: SessionState): void {
    this.#refill(state);
    if (
      state.running === 0 &&
      state.waiting.length === 0 &&
      state.tokens >= this.#limits.perMinute
    ) {
      this.#sessions.delete(key);
    }
  }

  /** Drops the counts of sessions that are idle by now (run() calls it once a minute). */
  sweep(): void {
    this.#sweptAt = this.#now();
    for (const [key, state] of this.#sessions) this.#forgetIfIdle(key, state);
  }
}
