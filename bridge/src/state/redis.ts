/**
 * The state store in Redis (ioredis), chosen by FERRY_REDIS_URL so that several bridges share
 * sessions, settings, counters and jobs. Entries and counters use Redis's own expiry; every
 * step that reads and then writes runs as one Lua script (redis-scripts.ts), so it is atomic
 * across bridges. A single Redis server (or a primary with replicas) is assumed, not Redis
 * Cluster: the job scripts touch keys they compute.
 *
 * Layout under the key prefix (default `ferry:`): `kv:<key>` strings; per job a hash
 * `job:<queue>:<id>`, a sorted set `jobs:<queue>` of job ids scored by when each can next be
 * claimed (its due time, or its lease's end while held), and a set `group:<queue>:<group>` of
 * job ids; per group of places a sorted set `places:<key>` of members scored by when each one's
 * time runs out (on the bridges' clock, like jobs). Ids and groups are URI-encoded in key names
 * and set members.
 *
 * At start the server must answer (connect and PING) or `connectRedisStore` throws a StoreError
 * naming FERRY_REDIS_URL; once started, a lost connection is retried with a capped back-off
 * (at most 5 s apart, so the bridge is back within seconds of Redis). Meanwhile every operation
 * fails at once with BridgeError `store_unavailable` (a command already sent fails after two
 * reconnection attempts): callers tell their users, the job runner tries again at its next
 * poll, and nothing stored is touched.
 */
import { randomUUID } from "node:crypto";
import { Redis, ReplyError } from "ioredis";
import { BridgeError } from "../errors";
import {
  CLAIM_DUE,
  CLAIM_ONE,
  ENTER,
  INCREMENT,
  RELEASE,
  REMOVE,
  RENEW,
  REPLACE,
  SCHEDULE,
} from "./redis-scripts";
import {
  assertQueueName,
  type CancelResult,
  type ClaimedJob,
  type ExpiryOptions,
  type Job,
  leaseEnd,
  type NewJob,
  type PlaceGroup,
  type StateStore,
  StoreError,
} from "./store";

/** `url` with any password replaced, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(not a URL)";
  }
}

function describe(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === "string" && !message.includes(code) ? `${message} (${code})` : message;
}

const enc = encodeURIComponent;

export interface RedisStoreOptions {
  /** Prefix of every key (tests give each run its own); default `ferry:`. */
  prefix?: string;
  /** Clock of job due times and leases (entries and counters use Redis's own expiry). */
  now?: () => number;
  /** Give up connecting at start after this long; default 5 s. */
  connectTimeoutMs?: number;
  /** Told about connection errors after start (they are retried). */
  onError?: (err: Error) => void;
}

/**
 * Connects to Redis at `url` and checks that it answers. Throws StoreError naming
 * FERRY_REDIS_URL (never its password) when it does not.
 */
export async function connectRedisStore(
  url: string,
  opts: RedisStoreOptions = {},
): Promise<RedisStore> {
  let started = false;
  let lastError: unknown;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: opts.connectTimeoutMs ?? 5000,
    maxRetriesPerRequest: 2,
    // at start, one failure is the answer; later, reconnect with a capped back-off
    retryStrategy: (times) => (started ? Math.min(100 * 2 ** times, 5000) : null),
  });
  client.on("error", (err: Error) => {
    lastError = err;
    if (started) opts.onError?.(err);
  });
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw new StoreError(
      `FERRY_REDIS_URL: cannot reach Redis at ${redactRedisUrl(url)}: ${describe(lastError ?? err)}`,
      { cause: err },
    );
  }
  started = true;
  return new RedisStore(client, redactRedisUrl(url), opts);
}

/** A claimed job's group, payload, due time and attempts, as the claim scripts return them. */
type JobFields = [group: string, payload: string, dueAt: string, attempts: string | number];

function toClaimed(
  queue: string,
  id: string,
  [group, payload, dueAt, attempts]: JobFields,
  token: string,
  leasedUntil: number,
): ClaimedJob {
  return {
    queue,
    id,
    group,
    payload,
    dueAt: Number(dueAt),
    attempts: Number(attempts),
    token,
    leasedUntil,
  };
}

/** What every operation throws while Redis cannot be reached. */
export function storeUnavailable(cause?: unknown): BridgeError {
  return new BridgeError(
    "store_unavailable",
    "Ferry's state store cannot be reached right now; nothing was changed. Try again in a moment.",
    cause === undefined ? {} : { cause },
  );
}

export class RedisStore implements StateStore {
  readonly backend = "redis";
  readonly location: string;
  readonly #r: Redis;
  readonly #p: string;
  readonly #now: () => number;

  constructor(client: Redis, location: string, opts: RedisStoreOptions = {}) {
    this.#r = client;
    this.location = location;
    this.#p = opts.prefix ?? "ferry:";
    this.#now = opts.now ?? Date.now;
  }

  /** Runs `op` on the connection: `store_unavailable` when there is none, or it breaks. */
  async #run<T>(op: (r: Redis) => Promise<T>): Promise<T> {
    if (this.#r.status !== "ready") throw storeUnavailable();
    try {
      return await op(this.#r);
    } catch (err) {
      // a reply is Redis's own answer (a script error): anything else is the connection
      if (err instanceof ReplyError) throw err;
      throw storeUnavailable(err);
    }
  }

  #kv(key: string): string {
    return `${this.#p}kv:${key}`;
  }
  #places(key: string): string {
    return `${this.#p}places:${key}`;
  }
  #job(queue: string, member: string): string {
    return `${this.#p}job:${queue}:${member}`;
  }
  #queue(queue: string): string {
    return `${this.#p}jobs:${queue}`;
  }
  #group(queue: string, group: string): string {
    return `${this.#p}group:${queue}:${enc(group)}`;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#run((r) => r.get(this.#kv(key)))) ?? undefined;
  }

  async set(key: string, value: string, opts?: ExpiryOptions): Promise<void> {
    if (opts?.ttlMs === undefined) await this.#run((r) => r.set(this.#kv(key), value));
    else {
      const ms = Math.max(1, Math.ceil(opts.ttlMs));
      await this.#run((r) => r.set(this.#kv(key), value, "PX", ms));
    }
  }

  async add(key: string, value: string, opts?: ExpiryOptions): Promise<boolean> {
    const k = this.#kv(key);
    const ttl = opts?.ttlMs;
    const result = await this.#run((r) =>
      ttl === undefined
        ? r.set(k, value, "NX")
        : r.set(k, value, "PX", Math.max(1, Math.ceil(ttl)), "NX"),
    );
    return result === "OK";
  }

  async replace(
    key: string,
    expected: string | undefined,
    value: string,
    opts?: ExpiryOptions,
  ): Promise<boolean> {
    const ttl = opts?.ttlMs === undefined ? "" : String(Math.max(1, Math.ceil(opts.ttlMs)));
    const done = await this.#run((r) =>
      r.eval(
        REPLACE,
        1,
        this.#kv(key),
        expected === undefined ? "0" : "1",
        expected ?? "",
        value,
        ttl,
      ),
    );
    return Number(done) === 1;
  }

  async delete(key: string): Promise<void> {
    await this.#run((r) => r.del(this.#kv(key)));
  }

  async enter(
    member: string,
    groups: PlaceGroup[],
    ttlMs: number,
    opts: { replacing?: string } = {},
  ): Promise<number> {
    if (groups.length === 0) return -1;
    const now = this.#now();
    const ttl = Math.max(1, Math.ceil(ttlMs));
    const until = leaseEnd(now, ttl);
    const caps = groups.map((g) => (g.cap === undefined ? "" : String(Math.floor(g.cap))));
    const full = await this.#run((r) =>
      r.eval(
        ENTER,
        groups.length,
        ...groups.map((g) => this.#places(g.key)),
        now,
        until,
        ttl,
        member,
        opts.replacing ?? "",
        ...caps,
      ),
    );
    return Number(full);
  }

  async leave(member: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#run((r) => {
      const multi = r.multi();
      for (const key of keys) multi.zrem(this.#places(key), member);
      return multi.exec();
    });
  }

  async places(key: string): Promise<number> {
    return this.#run((r) => r.zcount(this.#places(key), `(${this.#now()}`, "+inf"));
  }

  async increment(key: string, by: number, opts?: ExpiryOptions): Promise<number> {
    if (!Number.isSafeInteger(by)) throw new Error(`bad increment: ${by}`);
    const ttl = opts?.ttlMs === undefined ? "" : String(Math.max(1, Math.ceil(opts.ttlMs)));
    return Number(await this.#run((r) => r.eval(INCREMENT, 1, this.#kv(key), by, ttl)));
  }

  async schedule(job: NewJob): Promise<boolean> {
    assertQueueName(job.queue);
    const member = enc(job.id);
    const done = await this.#run((r) =>
      r.eval(
        SCHEDULE,
        3,
        this.#job(job.queue, member),
        this.#queue(job.queue),
        this.#group(job.queue, job.group),
        member,
        job.group,
        job.payload,
        job.dueAt,
        this.#now(),
      ),
    );
    return Number(done) === 1;
  }

  async claimDue(queue: string, opts: { limit: number; leaseMs: number }): Promise<ClaimedJob[]> {
    assertQueueName(queue);
    const now = this.#now();
    const until = leaseEnd(now, opts.leaseMs);
    const rows = (await this.#run((r) =>
      r.eval(
        CLAIM_DUE,
        1,
        this.#queue(queue),
        now,
        until,
        Math.max(0, Math.floor(opts.limit)),
        this.#job(queue, ""),
        `${randomUUID()}:`,
      ),
    )) as [string, string, ...JobFields][];
    return rows.map(([member, token, ...fields]) =>
      toClaimed(queue, decodeURIComponent(member), fields, token, until),
    );
  }

  async claim(queue: string, id: string, opts: { leaseMs: number }): Promise<ClaimedJob | null> {
    assertQueueName(queue);
    const now = this.#now();
    const until = leaseEnd(now, opts.leaseMs);
    const token = randomUUID();
    const member = enc(id);
    const row = (await this.#run((r) =>
      r.eval(CLAIM_ONE, 2, this.#job(queue, member), this.#queue(queue), now, until, token, member),
    )) as JobFields | null;
    return row === null ? null : toClaimed(queue, id, row, token, until);
  }

  async renew(job: ClaimedJob, leaseMs: number): Promise<boolean> {
    const now = this.#now();
    const until = leaseEnd(now, leaseMs);
    const member = enc(job.id);
    const done = await this.#run((r) =>
      r.eval(
        RENEW,
        2,
        this.#job(job.queue, member),
        this.#queue(job.queue),
        now,
        job.token,
        member,
        until,
      ),
    );
    if (Number(done) === 1) job.leasedUntil = until;
    return Number(done) === 1;
  }

  async #remove(queue: string, id: string, token: string): Promise<CancelResult> {
    const member = enc(id);
    return (await this.#run((r) =>
      r.eval(REMOVE, 2, this.#job(queue, member), this.#queue(queue), this.#now(), token, member),
    )) as CancelResult;
  }

  async complete(job: ClaimedJob): Promise<boolean> {
    return (await this.#remove(job.queue, job.id, job.token)) === "cancelled";
  }

  async release(job: ClaimedJob, opts: { dueAt?: number } = {}): Promise<boolean> {
    const member = enc(job.id);
    const done = await this.#run((r) =>
      r.eval(
        RELEASE,
        2,
        this.#job(job.queue, member),
        this.#queue(job.queue),
        this.#now(),
        job.token,
        member,
        opts.dueAt === undefined ? "" : String(opts.dueAt),
      ),
    );
    return Number(done) === 1;
  }

  async cancel(queue: string, id: string): Promise<CancelResult> {
    assertQueueName(queue);
    return this.#remove(queue, id, "");
  }

  async jobs(queue: string, group: string): Promise<Job[]> {
    assertQueueName(queue);
    const members = await this.#run((r) => r.smembers(this.#group(queue, group)));
    if (members.length === 0) return [];
    const results =
      (await this.#run((r) => {
        const pipeline = r.pipeline();
        for (const member of members) pipeline.hgetall(this.#job(queue, member));
        return pipeline.exec();
      })) ?? [];
    const now = this.#now();
    const out: Job[] = [];
    members.forEach((member, i) => {
      const fields = results[i]?.[1] as Record<string, string> | undefined;
      if (fields?.payload === undefined || fields.group !== group) return;
      const leased = Number(fields.leasedUntil || 0);
      out.push({
        queue,
        id: decodeURIComponent(member),
        group,
        payload: fields.payload,
        dueAt: Number(fields.dueAt),
        attempts: Number(fields.attempts ?? 0),
        leasedUntil: leased > now ? leased : null,
      });
    });
    return out.sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async close(): Promise<void> {
    if (this.#r.status === "end") return;
    await this.#r.quit().catch(() => this.#r.disconnect());
  }
}
