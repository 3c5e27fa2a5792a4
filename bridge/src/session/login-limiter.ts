/**
 * Sign-in throttling: failed sign-ins are counted per email address and per client IP in a
 * sliding window; past the limit, further attempts are refused with the seconds to wait.
 * A successful sign-in clears the count of that email address.
 *
 * Sign-ins still being checked against the server count too (`begin`): otherwise a burst of
 * parallel guesses would all pass the check before the first of them failed, and the limit
 * would only apply to guesses made one after another.
 */

export interface LimiterOptions {
  perEmail: number;
  perIp: number;
  windowMs: number;
  now?: () => number;
}

export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();
  /** Sign-ins under way, by key; an entry is removed when its count drops to 0. */
  readonly #pending = new Map<string, number>();
  readonly #opts: LimiterOptions;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(opts: LimiterOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#sweeper = setInterval(() => this.sweep(), Math.max(1000, opts.windowMs));
    this.#sweeper.unref();
  }

  /** Seconds until an attempt for this email from this IP is accepted; 0 = go ahead. */
  retryAfter(email: string, ip: string): number {
    const waits = [
      this.#wait(`e:${email.toLowerCase()}`, this.#opts.perEmail),
      this.#wait(`i:${ip}`, this.#opts.perIp),
    ];
    return Math.max(...waits);
  }

  /**
   * Registers a sign-in that passed `retryAfter` and is now being checked; it counts against
   * both limits until the returned function is called (once, whatever the outcome).
   */
  begin(email: string, ip: string): () => void {
    const keys = [`e:${email.toLowerCase()}`, `i:${ip}`];
    for (const key of keys) this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      for (const key of keys) {
        const left = (this.#pending.get(key) ?? 1) - 1;
        if (left > 0) this.#pending.set(key, left);
        else this.#pending.delete(key);
      }
    };
  }

  fail(email: string, ip: string): void {
    const now = this.#now();
    for (const key of [`e:${email.toLowerCase()}`, `i:${ip}`]) {
      const list = this.#recent(key, now);
      list.push(now);
      this.#failures.set(key, list);
    }
  }

  succeed(email: string): void {
    this.#failures.delete(`e:${email.toLowerCase()}`);
  }

  #recent(key: string, now: number): number[] {
    const since = now - this.#opts.windowMs;
    return (this.#failures.get(key) ?? []).filter((t) => t > since);
  }

  #wait(key: string, limit: number): number {
    const now = this.#now();
    const list = this.#recent(key, now);
    if (list.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, list);
    if (list.length + (this.#pending.get(key) ?? 0) < limit) return 0;
    // Held back only by attempts still under way: one of them ends soon, either way.
    if (list.length < limit) return 1;
    // The attempt is allowed again when the oldest failure that keeps the count at the limit
    // leaves the window.
    const oldest = list[list.length - limit] ?? now;
    return Math.max(1, Math.ceil((oldest + this.#opts.windowMs - now) / 1000));
  }

  sweep(): void {
    const now = this.#now();
    for (const key of this.#failures.keys()) {
      const list = this.#recent(key, now);
      if (list.length === 0) this.#failures.delete(key);
      else this.#failures.set(key, list);
    }
  }

  close(): void {
    clearInterval(this.#sweeper);
  }
}
