/**
 * Where session records live. A record is plain data (the password sealed, never in clear):
 * the bridge keeps it in the state store (StateSessionStore: the SQLite file or Redis), so a
 * restarted bridge, or another one sharing the store, finds every session still signed in. The
 * in-memory store is for tests and embedders that want no durability. Live objects (IMAP
 * connections, sockets) are kept apart, in the registry.
 */
import { z } from "zod";
import type { ServerTarget } from "../config";
import type { StateStore } from "../state/store";

export interface SessionRecord {
  email: string;
  imap: ServerTarget;
  smtp: ServerTarget | null;
  /** True when the user named the servers: their addresses are re-checked on every connect. */
  userNamed: boolean;
  /** The IMAP/SMTP password, sealed by SecretBox with the session key as associated data. */
  sealedPassword: string;
  createdAt: number;
  /** The client network signed in from (session-caps.ts counts it); absent in older records. */
  network?: string | undefined;
}

export interface SessionStore {
  get(key: string): Promise<SessionRecord | undefined>;
  /** Stores (or refreshes) a record that expires `ttlMs` after this call. */
  set(key: string, record: SessionRecord, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  close?(): Promise<void>;
}

/** A stored IMAP or SMTP server (sessions, held mail and snoozes keep one each). */
export const ZStoredTarget = z.object({
  host: z.string(),
  port: z.number().int(),
  security: z.enum(["tls", "starttls"]),
});

/** A stored record as read back: anything else (an older shape, a damaged entry) is no session. */
const ZSessionRecord = z.object({
  email: z.string(),
  imap: ZStoredTarget,
  smtp: ZStoredTarget.nullable(),
  userNamed: z.boolean(),
  sealedPassword: z.string(),
  createdAt: z.number(),
  network: z.string().optional(),
});

/**
 * Session records in the state store, under `session:<key>` (the key is a hash of the cookie's
 * id, so the store holds no usable cookie), expiring with their idle TTL.
 */
export class StateSessionStore implements SessionStore {
  readonly #state: StateStore;

  constructor(state: StateStore) {
    this.#state = state;
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    const raw = await this.#state.get(`session:${key}`);
    if (raw === undefined) return undefined;
    try {
      const parsed = ZSessionRecord.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, record: SessionRecord, ttlMs: number): Promise<void> {
    await this.#state.set(`session:${key}`, JSON.stringify(record), { ttlMs });
  }

  async delete(key: string): Promise<void> {
    await this.#state.delete(`session:${key}`);
  }
}

/** A Map with idle expiry, swept every minute: for tests (a clock of their own) and embedders. */
export class MemorySessionStore implements SessionStore {
  readonly #records = new Map<string, { record: SessionRecord; expiresAt: number }>();
  readonly #sweeper: NodeJS.Timeout;
  readonly #now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.#now = opts.now ?? Date.now;
    this.#sweeper = setInterval(() => this.sweep(), 60_000);
    this.#sweeper.unref();
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    const entry = this.#records.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#records.delete(key);
      return undefined;
    }
    return entry.record;
  }

  async set(key: string, record: SessionRecord, ttlMs: number): Promise<void> {
    this.#records.set(key, { record, expiresAt: this.#now() + ttlMs });
  }

  async delete(key: string): Promise<void> {
    this.#records.delete(key);
  }

  get size(): number {
    return this.#records.size;
  }

  sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#records) {
      if (entry.expiresAt <= now) this.#records.delete(key);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#records.clear();
  }
}
