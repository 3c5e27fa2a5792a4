/**
 * Sign-in throttling. Failed sign-ins are counted in a sliding window per (account, client
 * network) and per client network, where a network is an IPv4 address or an IPv6 /64
 * (net/address.ts clientNetwork): one subscriber cannot dodge the count by drawing fresh
 * addresses from its /64. Past a limit, attempts are slowed down, not locked out: each further
 * attempt waits a delay that doubles with every failure beyond the limit, up to `maxDelayMs`.
 *
 * Nothing is counted per account alone: a guesser elsewhere slows down only its own network, so
 * the owner of the account, signing in from a network that is not failing, gets in at once.
 * A successful sign-in clears the count of that account from that network.
 *
 * Sign-ins still being checked against the server count too (`begin`): otherwise a burst of
 * parallel guesses would all pass the check before the first of them failed, and the limit
 * would only apply to guesses made one after another.
 */
import { clientNetwork } from "../net/address";

export interface LimiterOptions {
  /** Failures of one account from one client network within the window before slowing down. */
  perAccount: number;
  /** Failures from one client network (any account) within the window before slowing down. */
  perNetwork: number;
  windowMs: number;
  /** The wait after the first failure past a limit; it doubles with each further one. */
  baseDelayMs?: number;
  /** The longest wait. */
  maxDelayMs?: number;
  now?: () => number;
}

export const DEFAULT_BASE_DELAY_MS = 1000;
export const DEFAULT_MAX_DELAY_MS = 60_000;

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

  /** Seconds until an attempt for this account from this client address is let through; 0 = now. */
  retryAfter(account: string, ip: string): number {
    const [accountKey, networkKey] = this.#keys(account, ip);
    return Math.max(
      this.#wait(accountKey, this.#opts.perAccount),
      this.#wait(networkKey, this.#opts.perNetwork),
    );
  }

  /**
   * Registers a sign-in that passed `retryAfter` and is now being checked; it counts against
   * both limits until the returned function is called (once, whatever the outcome).
   */
  begin(account: string, ip: string): () => void {
    const keys = this.#keys(account, ip);
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

  fail(account: string, ip: string): void {
    const now = this.#now();
    for (const key of this.#keys(account, ip)) {
      const list = this.#recent(key, now);
      list.push(now);
      this.#failures.set(key, list);
    }
  }

  /** The account signed in from this client address: its failures from that network are forgotten. */
  succeed(account: string, ip: string): void {
    this.#failures.delete(this.#keys(account, ip)[0]);
  }

  #keys(account: string, ip: string): [string, string] {
    const network = clientNetwork(ip);
    return [JSON.stringify(["a", account.trim().toLowerCase(), network]), `n:${network}`];
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
    const pending = this.#pending.get(key) ?? 0;
    if (list.length + pending < limit) return 0;
    // Held back only by attempts still under way: one of them ends soon, either way.
    if (list.length < limit) return 1;
    const base = this.#opts.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    const max = this.#opts.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    const delay = Math.min(max, base * 2 ** Math.min(30, list.length - limit));
    const last = list[list.length - 1] ?? now;
    const left = last + delay - now;
    if (left > 0) return Math.max(1, Math.ceil(left / 1000));
    // The delay is over: one attempt at a time goes through.
    return pending > 0 ? 1 : 0;
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
