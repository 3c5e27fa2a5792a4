/**
 * The state store in a SQLite file (better-sqlite3): the default backend. Opens `ferry.sqlite`
 * in the data directory (created mode 700; the file is kept at mode 600, and SQLite gives its
 * WAL and shared-memory files the same mode), migrates its schema inside one write transaction
 * (so an unwritable file fails at start, not at the first sign-in) and records the version in
 * `schema_version`. A file that is not a Ferry store, is corrupt, or was written by a newer
 * Ferry is a StoreError at start: it is never reset or overwritten.
 *
 * Several processes on one machine may share the file (WAL, a busy timeout, write transactions
 * taken up front), so jobs are claimed exactly once across them too. Expired entries and places
 * are never returned and are swept every minute.
 */
import { randomUUID } from "node:crypto";
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
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

export const SQLITE_FILE = "ferry.sqlite";

/** Schema changes in order; version N is reached by applying MIGRATIONS[0..N-1]. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE kv (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     expires_at INTEGER
   ) WITHOUT ROWID;
   CREATE INDEX kv_expiry ON kv (expires_at) WHERE expires_at IS NOT NULL;
   CREATE TABLE jobs (
     queue TEXT NOT NULL,
     id TEXT NOT NULL,
     grp TEXT NOT NULL,
     payload TEXT NOT NULL,
     due_at INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     token TEXT,
     leased_until INTEGER,
     PRIMARY KEY (queue, id)
   ) WITHOUT ROWID;
   CREATE INDEX jobs_ready ON jobs (queue, due_at);
   CREATE INDEX jobs_group ON jobs (queue, grp, due_at);`,
  `CREATE TABLE places (
     grp TEXT NOT NULL,
     member TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (grp, member)
   ) WITHOUT ROWID;
   CREATE INDEX places_expiry ON places (expires_at);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

interface JobRow {
  queue: string;
  id: string;
  grp: string;
  payload: string;
  due_at: number;
  attempts: number;
  token: string | null;
  leased_until: number | null;
}

function toJob(row: JobRow): Job {
  return {
    queue: row.queue,
    id: row.id,
    group: row.grp,
    payload: row.payload,
    dueAt: row.due_at,
    attempts: row.attempts,
    leasedUntil: row.leased_until,
  };
}

function describe(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === "string" ? `${message} (${code})` : message;
}

export class SqliteStore implements StateStore {
  readonly backend = "sqlite";
  readonly location: string;
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;

  /**
   * Opens (creating and migrating) the store in `dir`. Throws StoreError naming the file and
   * FERRY_DATA_DIR when it cannot be used. `now` is the clock of expiry and jobs (tests).
   */
  constructor(dir: string, opts: { now?: () => number } = {}) {
    this.#now = opts.now ?? Date.now;
    const file = join(dir, SQLITE_FILE);
    this.location = file;
    const fail = (what: string, err: unknown): never => {
      throw new StoreError(
        `FERRY_DATA_DIR: ${what} ${file}: ${describe(err)}. Ferry does not reset or overwrite a ` +
          "store it cannot use: fix the file's permissions, restore it from a backup, or move it away to start with an empty store.",
        { cause: err },
      );
    };
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const fd = openSync(file, "a", 0o600);
      closeSync(fd);
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    } catch (err) {
      fail("cannot create", err);
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { timeout: 5000 });
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      this.#migrate(db);
    } catch (err) {
      db?.close();
      if (err instanceof StoreError) throw err;
      fail("cannot use", err);
    }
    this.#db = db as Database.Database;
    this.#sweeper = setInterval(() => this.sweep(), 60_000);
    this.#sweeper.unref();
    this.sweep();
  }

  #migrate(db: Database.Database): void {
    db.transaction(() => {
      db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
      const row = db.prepare("SELECT version FROM schema_version").get() as
        | { version: number }
        | undefined;
      const current = row?.version ?? 0;
      if (current > SCHEMA_VERSION) {
        throw new StoreError(
          `FERRY_DATA_DIR: ${this.location} was written by a newer Ferry (schema ${current}; this bridge knows up to ${SCHEMA_VERSION}). Run the newer bridge, or restore a backup.`,
        );
      }
      for (let v = current; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] ?? "");
      if (row === undefined) {
        db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(SCHEMA_VERSION);
      } else if (current !== SCHEMA_VERSION) {
        db.prepare("UPDATE schema_version SET version = ?").run(SCHEMA_VERSION);
      }
    }).immediate();
  }

  /** Deletes expired entries (they are never returned in any case). */
  sweep(): void {
    const now = this.#now();
    this.#db.prepare("DELETE FROM kv WHERE expires_at <= ?").run(now);
    this.#db.prepare("DELETE FROM places WHERE expires_at <= ?").run(now);
  }

  #expiry(opts: ExpiryOptions | undefined, now: number): number | null {
    return opts?.ttlMs === undefined ? null : now + Math.max(1, Math.ceil(opts.ttlMs));
  }

  async get(key: string): Promise<string | undefined> {
    const row = this.#db
      .prepare("SELECT value FROM kv WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)")
      .get(key, this.#now()) as { value: string } | undefined;
    return row?.value;
  }

  async set(key: string, value: string, opts?: ExpiryOptions): Promise<void> {
    const now = this.#now();
    this.#db
      .prepare(
        `INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
      )
      .run(key, value, this.#expiry(opts, now));
  }

  async add(key: string, value: string, opts?: ExpiryOptions): Promise<boolean> {
    const now = this.#now();
    const result = this.#db
      .prepare(
        `INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
         WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= ?`,
      )
      .run(key, value, this.#expiry(opts, now), now);
    return result.changes > 0;
  }

  async replace(
    key: string,
    expected: string | undefined,
    value: string,
    opts?: ExpiryOptions,
  ): Promise<boolean> {
    const db = this.#db;
    return db
      .transaction((): boolean => {
        const now = this.#now();
        const row = db
          .prepare("SELECT value FROM kv WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)")
          .get(key, now) as { value: string } | undefined;
        if (row?.value !== expected) return false;
        db.prepare(
          `INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
        ).run(key, value, this.#expiry(opts, now));
        return true;
      })
      .immediate();
  }

  async delete(key: string): Promise<void> {
    this.#db.prepare("DELETE FROM kv WHERE key = ?").run(key);
  }

  async enter(
    member: string,
    groups: PlaceGroup[],
    ttlMs: number,
    opts: { replacing?: string } = {},
  ): Promise<number> {
    const db = this.#db;
    return db
      .transaction((): number => {
        const now = this.#now();
        const until = leaseEnd(now, Math.max(1, Math.ceil(ttlMs)));
        const has = db.prepare(
          "SELECT 1 FROM places WHERE grp = ? AND member = ? AND expires_at > ?",
        );
        const count = db.prepare(
          "SELECT COUNT(*) AS n FROM places WHERE grp = ? AND expires_at > ? AND member != ?",
        );
        for (const [i, g] of groups.entries()) {
          if (g.cap === undefined || has.get(g.key, member, now) !== undefined) continue;
          const { n } = count.get(g.key, now, opts.replacing ?? member) as { n: number };
          if (n >= g.cap) return i;
        }
        const put = db.prepare(
          `INSERT INTO places (grp, member, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (grp, member) DO UPDATE SET expires_at = excluded.expires_at`,
        );
        for (const g of groups) put.run(g.key, member, until);
        return -1;
      })
      .immediate();
  }

  async leave(member: string, keys: string[]): Promise<void> {
    const drop = this.#db.prepare("DELETE FROM places WHERE grp = ? AND member = ?");
    this.#db.transaction(() => {
      for (const key of keys) drop.run(key, member);
    })();
  }

  async places(key: string): Promise<number> {
    const row = this.#db
      .prepare("SELECT COUNT(*) AS n FROM places WHERE grp = ? AND expires_at > ?")
      .get(key, this.#now()) as { n: number };
    return row.n;
  }

  async increment(key: string, by: number, opts?: ExpiryOptions): Promise<number> {
    if (!Number.isSafeInteger(by)) throw new Error(`bad increment: ${by}`);
    const db = this.#db;
    return db
      .transaction(() => {
        const now = this.#now();
        const row = db.prepare("SELECT value, expires_at FROM kv WHERE key = ?").get(key) as
          | { value: string; expires_at: number | null }
          | undefined;
        const live = row !== undefined && (row.expires_at === null || row.expires_at > now);
        const current = live ? Number(row.value) : 0;
        if (!Number.isSafeInteger(current)) throw new Error(`not a counter: ${key}`);
        const next = current + by;
        const expiresAt =
          opts?.ttlMs !== undefined ? this.#expiry(opts, now) : live ? row.expires_at : null;
        db.prepare(
          `INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
        ).run(key, String(next), expiresAt);
        return next;
      })
      .immediate();
  }

  async schedule(job: NewJob): Promise<boolean> {
    assertQueueName(job.queue);
    const result = this.#db
      .prepare(
        `INSERT INTO jobs (queue, id, grp, payload, due_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (queue, id) DO UPDATE SET grp = excluded.grp, payload = excluded.payload,
           due_at = excluded.due_at, attempts = 0, token = NULL, leased_until = NULL
         WHERE jobs.leased_until IS NULL OR jobs.leased_until <= ?`,
      )
      .run(job.queue, job.id, job.group, job.payload, job.dueAt, this.#now());
    return result.changes > 0;
  }

  #take(rows: JobRow[], until: number): ClaimedJob[] {
    const update = this.#db.prepare(
      "UPDATE jobs SET token = ?, leased_until = ?, attempts = attempts + 1 WHERE queue = ? AND id = ?",
    );
    return rows.map((row) => {
      const token = randomUUID();
      update.run(token, until, row.queue, row.id);
      return { ...toJob(row), attempts: row.attempts + 1, token, leasedUntil: until };
    });
  }

  /** Leases the rows `select` picks at the current time, in one write transaction. */
  #claimRows(leaseMs: number, select: (now: number) => JobRow[]): ClaimedJob[] {
    return this.#db
      .transaction(() => {
        const now = this.#now();
        return this.#take(select(now), leaseEnd(now, leaseMs));
      })
      .immediate();
  }

  async claimDue(queue: string, opts: { limit: number; leaseMs: number }): Promise<ClaimedJob[]> {
    assertQueueName(queue);
    return this.#claimRows(
      opts.leaseMs,
      (now) =>
        this.#db
          .prepare(
            `SELECT * FROM jobs WHERE queue = ? AND due_at <= ?
               AND (leased_until IS NULL OR leased_until <= ?)
             ORDER BY due_at, id LIMIT ?`,
          )
          .all(queue, now, now, Math.max(0, Math.floor(opts.limit))) as JobRow[],
    );
  }

  async claim(queue: string, id: string, opts: { leaseMs: number }): Promise<ClaimedJob | null> {
    assertQueueName(queue);
    const rows = this.#claimRows(
      opts.leaseMs,
      (now) =>
        this.#db
          .prepare(
            `SELECT * FROM jobs WHERE queue = ? AND id = ?
               AND (leased_until IS NULL OR leased_until <= ?)`,
          )
          .all(queue, id, now) as JobRow[],
    );
    return rows[0] ?? null;
  }

  async renew(job: ClaimedJob, leaseMs: number): Promise<boolean> {
    const now = this.#now();
    const result = this.#db
      .prepare(
        `UPDATE jobs SET leased_until = ?
         WHERE queue = ? AND id = ? AND token = ? AND leased_until > ?`,
      )
      .run(leaseEnd(now, leaseMs), job.queue, job.id, job.token, now);
    if (result.changes > 0) job.leasedUntil = leaseEnd(now, leaseMs);
    return result.changes > 0;
  }

  async complete(job: ClaimedJob): Promise<boolean> {
    const result = this.#db
      .prepare("DELETE FROM jobs WHERE queue = ? AND id = ? AND token = ? AND leased_until > ?")
      .run(job.queue, job.id, job.token, this.#now());
    return result.changes > 0;
  }

  async release(job: ClaimedJob, opts: { dueAt?: number } = {}): Promise<boolean> {
    const result = this.#db
      .prepare(
        `UPDATE jobs SET token = NULL, leased_until = NULL, due_at = COALESCE(?, due_at)
         WHERE queue = ? AND id = ? AND token = ? AND leased_until > ?`,
      )
      .run(opts.dueAt ?? null, job.queue, job.id, job.token, this.#now());
    return result.changes > 0;
  }

  async cancel(queue: string, id: string): Promise<CancelResult> {
    assertQueueName(queue);
    const db = this.#db;
    return db
      .transaction((): CancelResult => {
        const now = this.#now();
        const row = db
          .prepare("SELECT leased_until FROM jobs WHERE queue = ? AND id = ?")
          .get(queue, id) as { leased_until: number | null } | undefined;
        if (row === undefined) return "missing";
        if (row.leased_until !== null && row.leased_until > now) return "claimed";
        db.prepare("DELETE FROM jobs WHERE queue = ? AND id = ?").run(queue, id);
        return "cancelled";
      })
      .immediate();
  }

  async jobs(queue: string, group: string): Promise<Job[]> {
    assertQueueName(queue);
    const now = this.#now();
    const rows = this.#db
      .prepare("SELECT * FROM jobs WHERE queue = ? AND grp = ? ORDER BY due_at, id")
      .all(queue, group) as JobRow[];
    return rows.map((row) => ({
      ...toJob(row),
      leasedUntil: row.leased_until !== null && row.leased_until > now ? row.leased_until : null,
    }));
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    if (this.#db.open) this.#db.close();
  }
}
