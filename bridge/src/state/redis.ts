/**
 * The state store in Redis (ioredis), chosen by FERRY_REDIS_URL so that several bridges share
 * sessions, settings, counters and jobs. Entries and counters use Redis's own expiry; every
 * step that reads and then writes runs as one Lua script, so it is atomic across bridges. A
 * single Redis server (or a primary with replicas) is assumed, not Redis Cluster: the job
 * scripts touch keys they compute.
 *
 * Layout under the key prefix (default `ferry:`): `kv:<key>` strings; per job a hash
 * `job:<queue>:<id>`, a sorted set `jobs:<queue>` of job ids scored by when each can next be
 * claimed (its due time, or its lease's end while held), and a set `group:<queue>:<group>` of
 * job ids. Ids and groups are URI-encoded in key names and set members.
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
  assertQueueName,
  type CancelResult,
  type ClaimedJob,
  type ExpiryOptions,
  type Job,
  leaseEnd,
  type NewJob,
  type StateStore,
  StoreError,
} from "./store";

const INCREMENT = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;

/** True when the hash at `k` is held by a lease that has not run out at `now`. */
const HELD = `
local function held(k, now)
  local lu = redis.call('HGET', k, 'leasedUntil')
  return lu ~= false and lu ~= '' and tonumber(lu) > tonumber(now)
end
local function holds(k, token, now)
  return held(k, now) and redis.call('HGET', k, 'token') == token
end
`;

// KEYS: job, zset, group set. ARGV: member, group, payload, dueAt, now
const SCHEDULE = `${HELD}
if held(KEYS[1], ARGV[5]) then return 0 end
local old = redis.call('HGET', KEYS[1], 'groupKey')
if old and old ~= KEYS[3] then redis.call('SREM', old, ARGV[1]) end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'group', ARGV[2], 'groupKey', KEYS[3], 'payload', ARGV[3],
  'dueAt', ARGV[4], 'attempts', 0, 'token', '', 'leasedUntil', '')
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 1`;

// KEYS: zset. ARGV: now, leaseUntil, limit, job key prefix, token prefix
const CLAIM_DUE = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for i, id in ipairs(ids) do
  local k = ARGV[4] .. id
  if redis.call('EXISTS', k) == 1 then
    local token = ARGV[5] .. i
    redis.call('HSET', k, 'token', token, 'leasedUntil', ARGV[2])
    local attempts = redis.call('HINCRBY', k, 'attempts', 1)
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    local f = redis.call('HMGET', k, 'group', 'payload', 'dueAt')
    table.insert(out, {id, token, f[1], f[2], f[3], attempts})
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out`;

// KEYS: job, zset. ARGV: now, leaseUntil, token, member
const CLAIM_ONE = `${HELD}
if redis.call('EXISTS', KEYS[1]) == 0 or held(KEYS[1], ARGV[1]) then return false end
redis.call('HSET', KEYS[1], 'token', ARGV[3], 'leasedUntil', ARGV[2])
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
local f = redis.call('HMGET', KEYS[1], 'group', 'payload', 'dueAt')
return {f[1], f[2], f[3], attempts}`;

// KEYS: job, zset. ARGV: now, token, member, leaseUntil
const RENEW = `${HELD}
if not holds(KEYS[1], ARGV[2], ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'leasedUntil', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
return 1`;

// KEYS: job, zset. ARGV: now, token (or '' for "nobody holds it"), member
const REMOVE = `${HELD}
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if ARGV[2] == '' then
  if held(KEYS[1], ARGV[1]) then return 'claimed' end
elseif not holds(KEYS[1], ARGV[2], ARGV[1]) then
  return 'claimed'
end
local g = redis.call('HGET', KEYS[1], 'groupKey')
if g then redis.call('SREM', g, ARGV[3]) end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[3])
return 'cancelled'`;

// KEYS: job, zset. ARGV: now, token, member, dueAt ('' = unchanged)
const RELEASE = `${HELD}
if not holds(KEYS[1], ARGV[2], ARGV[1]) then return 0 end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'dueAt', ARGV[4]) end
redis.call('HSET', KEYS[1], 'token', '', 'leasedUntil', '')
redis.call('ZADD', KEYS[2], redis.call('HGET', KEYS[1], 'dueAt'), ARGV[3])
return 1`;

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

  async delete(key: string): Promise<void> {
    await this.#run((r) => r.del(this.#kv(key)));
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
