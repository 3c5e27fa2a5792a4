/**
 * The state store: what must outlive a bridge process (session records, per-account settings,
 * the sign-in limiter's counts; its jobs are for held and scheduled mail), behind one interface
 * with two backends that pass one contract suite (contract.test.ts): a SQLite file (sqlite.ts,
 * the default: one machine needs no other server) and Redis (redis.ts, for several bridges).
 *
 * Three primitives, chosen so that each backend does them atomically:
 * - **entries**: a string value under a key, optionally expiring (sessions, settings);
 * - **counters**: an atomic increment whose entry expires a while after the last change
 *   (sign-in failures, sign-ins under way);
 * - **jobs**: a payload due at a time, claimed with a lease by one holder at a time across every
 *   bridge sharing the store, then completed (deleted) or released by that holder only. A holder
 *   that dies leaves its job to be claimed again once the lease has run out, so a job runs late
 *   rather than never; `attempts` tells the next holder that an earlier one may have started.
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
