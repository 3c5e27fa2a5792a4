/**
 * Sign-in throttling. Failed sign-ins are counted per (account, client network) and per client
 * network, where a network is an IPv4 address or an IPv6 /64
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
 *
 * The counts live in the state store (state/store.ts counters), so every bridge sharing it counts
 * together and a restart forgets nothing. A count is forgotten `windowMs` after its last failure
 * (a guesser who keeps going keeps its count); sign-ins under way are forgotten after
 * PENDING_TTL_MS in case a bridge died before ending them.
 */
import { clientNetwork } from "../net/address";
import type { StateStore } from "../state/store";

export interface LimiterOptions {
  /** Failures of one account from one client network within the window before slowing down. */
  perAccount: number;
  /** Failures from one client network (any account) within the window before slowing down. */
  perNetwork: number;
  /** A count is forgotten this long after its last failure. */
  windowMs: number;
  /** The wait after the first failure past a limit; it doubles with each further one. */
  baseDelayMs?: number;
  /** The longest wait. */
  maxDelayMs?: number;
  /** The clock of the delays (tests); the store's expiry runs on the store's clock. */
  now?: () => number;
}

export const DEFAULT_BASE_DELAY_MS = 1000;
export const DEFAULT_MAX_DELAY_MS = 60_000;
/** A sign-in under way that was never ended (its bridge died) stops counting after this. */
export const PENDING_TTL_MS = 5 * 60_000;

export class LoginLimiter {
  readonly #store: StateStore;
  readonly #opts: LimiterOptions;
  readonly #now: () => number;

  constructor(store: StateStore, opts: LimiterOptions) {
    this.#store = store;
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** Seconds until an attempt for this account from this client address is let through; 0 = now. */
  async retryAfter(account: string, ip: string): Promise<number> {
    const [accountKey, networkKey] = this.#keys(account, ip);
    const waits = await Promise.all([
      this.#wait(accountKey, this.#opts.perAccount),
      this.#wait(networkKey, this.#opts.perNetwork),
    ]);
    return Math.max(...waits);
  }

  /**
   * Registers a sign-in that passed `retryAfter` and is now being checked; it counts against
   * both limits until the returned function is called (once, whatever the outcome).
   */
  async begin(account: string, ip: string): Promise<() => Promise<void>> {
    const keys = this.#keys(account, ip);
    const ttl = { ttlMs: PENDING_TTL_MS };
    await Promise.all(keys.map((key) => this.#store.increment(`login:pending:${key}`, 1, ttl)));
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      await Promise.all(keys.map((key) => this.#store.increment(`login:pending:${key}`, -1, ttl)));
    };
  }

  async fail(account: string, ip: string): Promise<void> {
    const now = this.#now();
    const ttl = { ttlMs: this.#opts.windowMs };
    await Promise.all(
      this.#keys(account, ip).map(async (key) => {
        await this.#store.increment(`login:fails:${key}`, 1, ttl);
        await this.#store.set(`login:last:${key}`, String(now), ttl);
      }),
    );
  }

  /** The account signed in from this client address: its failures from that network are forgotten. */
  async succeed(account: string, ip: string): Promise<void> {
    const key = this.#keys(account, ip)[0];
    await this.#store.delete(`login:fails:${key}`);
    await this.#store.delete(`login:last:${key}`);
  }

  #keys(account: string, ip: string): [string, string] {
    const network = clientNetwork(ip);
    return [JSON.stringify(["a", account.trim().toLowerCase(), network]), `n:${network}`];
  }

  async #wait(key: string, limit: number): Promise<number> {
    const [fails, last, underWay] = await Promise.all([
      this.#store.get(`login:fails:${key}`),
      this.#store.get(`login:last:${key}`),
      this.#store.get(`login:pending:${key}`),
    ]);
    const now = this.#now();
    const count = Math.max(0, Number(fails ?? 0) || 0);
    const pending = Math.max(0, Number(underWay ?? 0) || 0);
    if (count + pending < limit) return 0;
    // Held back only by attempts still under way: one of them ends soon, either way.
    if (count < limit) return 1;
    const base = this.#opts.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    const max = this.#opts.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    const delay = Math.min(max, base * 2 ** Math.min(30, count - limit));
    const left = Number(last ?? now) + delay - now;
    if (left > 0) return Math.max(1, Math.ceil(left / 1000));
    // The delay is over: one attempt at a time goes through.
    return pending > 0 ? 1 : 0;
  }
}
