/**
 * The state store: what must outlive a bridge process (session records, per-account settings,
 * the sign-in limiter's counts; its jobs are for held and scheduled mail), behind one interface
 * with two backends that pass one contract suite (contract.test.ts): a SQLite file (sqlite.ts,
 * the default: one machine needs no other server) and Redis (redis.ts, for several bridges).
 *
 * Four primitives, chosen so that each backend does them atomically:
 * - **entries**: a string value under a key, optionally expiring (sessions, settings), with a
 *   compare-and-set (`replace`) so that a read-modify-write from several bridges loses nothing;
 * - **counters**: an atomic increment whose entry expires a while after the last change
 *   (sign-in failures, sign-ins under way);
 * - **jobs**: a payload due at a time, claimed with a lease by one holder at a time across every
 *   bridge sharing the store, then completed (deleted) or released by that holder only. A holder
 *   that dies leaves its job to be claimed again once the lease has run out, so a job runs late
 *   rather than never; `attempts` tells the next holder that an earlier one may have started;
 * - **places**: capped groups of members, each member expiring on its own (the sessions of an
 *   account or of a client network, counted across bridges): a member enters every group it is
 *   given or none, so a burst from several bridges cannot pass a cap, and the members of a
 *   bridge that died leave by themselves when their time runs out.
 *
 * Keys and values are opaque strings: callers namespace keys (`session:…`, `identities:…`) and
 * key everything per user by account (session/account.ts), never by an email address alone.
 * Live objects (IMAP connections, sockets) never come here.
 */

/** Options of an entry or counter write. */
export interface ExpiryOptions {
  /** The entry expires this long after this call; without it, a new entry never expires. */
  ttlMs?: number;
}

/** A job as stored. Times are milliseconds since the epoch, on the bridges' clocks. */
export interface Job {
  queue: string;
  id: string;
  /** Who the job belongs to (e.g. an account or session key): `jobs(queue, group)` lists them. */
  group: string;
  payload: string;
  dueAt: number;
  /** Claims so far (a claim whose lease ran out without completing counts too). */
  attempts: number;
  /** The end of the current lease, or null when nobody holds the job. */
  leasedUntil: number | null;
}

/** A job claimed by this caller: only `token` completes, renews or releases it. */
export interface ClaimedJob extends Job {
  token: string;
  leasedUntil: number;
}

export interface NewJob {
  queue: string;
  id: string;
  group: string;
  payload: string;
  dueAt: number;
}

export type CancelResult = "cancelled" | "claimed" | "missing";

/** A group of places; without `cap` the member enters (or is refreshed) whatever the count. */
export interface PlaceGroup {
  key: string;
  cap?: number;
}

export interface StateStore {
  readonly backend: "sqlite" | "redis";
  /** Where the data lives, for logs (a file path, or a Redis URL without its password). */
  readonly location: string;

  /** The value under `key`, or undefined when there is none or it expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key`, replacing any entry (and its expiry). */
  set(key: string, value: string, opts?: ExpiryOptions): Promise<void>;
  /** Stores `value` only when `key` holds nothing (or only an expired entry); true if stored. */
  add(key: string, value: string, opts?: ExpiryOptions): Promise<boolean>;
  /**
   * Compare-and-set: stores `value` under `key` only when the entry is still `expected` (the
   * exact string read before, or undefined for "no entry or an expired one"), in one atomic step
   * across every bridge. True if stored; false, and nothing changed, when another write came
   * first (read again, re-apply the change, try again).
   */
  replace(
    key: string,
    expected: string | undefined,
    value: string,
    opts?: ExpiryOptions,
  ): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Adds `by` to the integer under `key` (0 when absent or expired) and returns the result, in
   * one atomic step across every bridge. With `ttlMs` the entry then expires that long after this
   * call; without it, its expiry is left as it was.
   */
  increment(key: string, by: number, opts?: ExpiryOptions): Promise<number>;

  /**
   * Stores a job, or replaces the job with the same queue and id while nobody holds it (its
   * attempts start again from 0). False, and nothing changed, when it is claimed right now.
   */
  schedule(job: NewJob): Promise<boolean>;
  /** Claims up to `limit` jobs of `queue` that are due and not held, earliest first. */
  claimDue(queue: string, opts: { limit: number; leaseMs: number }): Promise<ClaimedJob[]>;
  /** Claims one job now, due or not (send now, flush at shutdown); null when missing or held. */
  claim(queue: string, id: string, opts: { leaseMs: number }): Promise<ClaimedJob | null>;
  /** Extends a held lease; false when `job.token` no longer holds it. */
  renew(job: ClaimedJob, leaseMs: number): Promise<boolean>;
  /** Deletes a held job (it ran); false when `job.token` no longer holds it. */
  complete(job: ClaimedJob): Promise<boolean>;
  /** Gives a held job back, due at `dueAt` (default: its due time); false when not held by it. */
  release(job: ClaimedJob, opts?: { dueAt?: number }): Promise<boolean>;
  /** Deletes a job nobody holds: "claimed" when someone holds it, "missing" when there is none. */
  cancel(queue: string, id: string): Promise<CancelResult>;
  /** The jobs of `group` in `queue`, by due time. */
  jobs(queue: string, group: string): Promise<Job[]>;

  /**
   * Puts `member` in every group of `groups` until `ttlMs` from now, or in none: returns the
   * index of the first group at its cap (members whose time ran out are not counted), or -1
   * when it entered. A member already in a group is refreshed there and never refused by it;
   * `replacing` (a member about to leave) is not counted either.
   */
  enter(
    member: string,
    groups: PlaceGroup[],
    ttlMs: number,
    opts?: { replacing?: string },
  ): Promise<number>;
  /** Takes `member` out of the groups `keys` (no-op where it is not). */
  leave(member: string, keys: string[]): Promise<void>;
  /** How many members `key` holds now (whose time has not run out). */
  places(key: string): Promise<number>;

  close(): Promise<void>;
}

/** The state store cannot be opened or used; the message names the setting to look at. */
export class StoreError extends Error {
  override readonly name = "StoreError";
}

/** Queue names: short lower-case words, so that they can sit in key names unescaped. */
export function assertQueueName(queue: string): void {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(queue)) throw new Error(`bad queue name: ${queue}`);
}

/** A lease's end, checked as a positive whole number of milliseconds. */
export function leaseEnd(now: number, leaseMs: number): number {
  if (!(Number.isInteger(leaseMs) && leaseMs > 0)) throw new Error(`bad lease: ${leaseMs}`);
  return now + leaseMs;
}
