/**
 * Where session records live. A record is plain data (the password sealed, never in clear), so
 * the same interface can be backed by Redis to share sessions between bridges; the in-memory
 * store is the default. Live objects (IMAP connections, sockets) are kept apart, in the registry.
 */
import type { ServerTarget } from "../config";

export interface SessionRecord {
  email: string;
  imap: ServerTarget;
  smtp: ServerTarget | null;
  /** True when the user named the servers: their addresses are re-checked on every connect. */
  userNamed: boolean;
  /** The IMAP/SMTP password, sealed by SecretBox with the session key as associated data. */
  sealedPassword: string;
  createdAt: number;
}

export interface SessionStore {
  get(key: string): Promise<SessionRecord | undefined>;
  /** Stores (or refreshes) a record that expires `ttlMs` after this call. */
  set(key: string, record: SessionRecord, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  close?(): Promise<void>;
}

/** The default store: a Map with idle expiry, swept every minute. */
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
