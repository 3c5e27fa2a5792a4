/**
 * The in-process side of sessions: for each signed-in session, its MailSession (the IMAP
 * connections) and its open sockets, keyed by session key. Records in the SessionStore can
 * outlive these (a restart, another bridge); the manager rebuilds them on demand.
 */
import type { TConnectionState, TOpenedMailbox, TRevision, TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import type { WebSocket } from "ws";
import type { RunOptions } from "../live/command-connection";
import type { StartOptions } from "../live/mail-session-options";
import type { Logger } from "../log";
import type { SideConnection } from "./side-connection";

/** Who opened a mailbox (one token per socket), compared by identity. */
export type MailboxOwner = object;

/** What the bridge needs of a MailSession (bridge/src/live/mail-session.ts). */
export interface LiveMailSession {
  start(first?: ImapFlow, opts?: StartOptions): Promise<void>;
  /**
   * Runs `fn` on the command connection; `background` read-ahead lets later requests go first,
   * an `urgent` open goes ahead of queued reads that `yields` (live/command-connection.ts).
   */
  run<T>(fn: (client: ImapFlow) => Promise<T>, opts?: RunOptions): Promise<T>;
  /**
   * Opens `path` for `owner` (a socket): its changes are pushed from now on, and what `owner`
   * had open before is let go of. Other owners' open mailboxes are not touched.
   */
  openMailbox(path: string, readOnly: boolean, owner: MailboxOwner): Promise<TOpenedMailbox>;
  /** `owner` has nothing open any more (its socket closed). Never rejects. */
  releaseMailbox(owner: MailboxOwner): Promise<void>;
  /**
   * Where the pushed events of `path` stand, or null when it is not watched: read before a
   * window is, it is the window's `rev` (every change pushed so far is in the window).
   */
  revision(path: string): TRevision | null;
  /** What `owner` has open, and whether read-only, or null. */
  openedBy(owner: MailboxOwner): { mailbox: string; readOnly: boolean } | null;
  subscribe(fn: (frame: TServerFrame) => void): () => void;
  /**
   * Runs `fn` (a read of INBOX) now, for a request expected soon, on the connection that watches
   * INBOX, so that no change made after what it read goes unpushed (MailSession.prefetch).
   */
  prefetch(key: string, fn: (client: ImapFlow) => Promise<unknown>): void;
  /** What prefetch(key) queued, once, while no list changed since; else null. */
  takePrefetched<T>(key: string): Promise<T> | null;
  /** What prefetch(key) queued, left for takePrefetched and kept a while longer; else null. */
  keepPrefetched<T>(key: string): Promise<T> | null;
  readonly state: TConnectionState;
  close(): Promise<void>;
}

export interface MailSessionOptions {
  connect: () => Promise<ImapFlow>;
  log: Logger;
  /**
   * The account signed in to (session/account.ts): sessions of one account share their watch
   * connections in this process.
   */
  account: string;
}

export type MailSessionFactory = (opts: MailSessionOptions) => LiveMailSession;

export interface LiveSession {
  readonly key: string;
  readonly email: string;
  /** The IMAP server and account signed in to (session/account.ts): key of per-user state. */
  readonly account: string;
  readonly mail: LiveMailSession;
  /** Opens a new IMAP connection for this session (e.g. for a parts download). */
  readonly connect: () => Promise<ImapFlow>;
  readonly sockets: Set<WebSocket>;
  /** The connection downloads stream over, apart from the command connection. */
  readonly downloads: SideConnection;
  /** Settles once the MailSession's start is over (all connections up, or reconnecting). */
  readonly ready: Promise<void>;
}

/** A live session held in use: it is not detached until `release()` (idempotent). */
export interface LiveLease {
  readonly session: LiveSession;
  release(): void;
}

/** Close code sent to a session's sockets when it signs out or expires. */
export const CLOSE_SIGNED_OUT = 4001;

/** Default of LiveRegistryOptions.detachMs (config.ts: sessionDetachMs). */
const DEFAULT_DETACH_MS = 2 * 60 * 1000;

export interface LiveRegistryOptions {
  /**
   * How long a live session nobody uses (no socket, no HTTP request in progress) keeps its IMAP
   * connections before they are closed. The session itself stays signed in: it is "detached"
   * and rebuilt from its record by the next ensure()/acquire().
   */
  detachMs?: number;
}

/**
 * Lifecycle of one session in this process: live (MailSession and sockets; held by leases, one
 * per socket and per HTTP request using it) → unused for `detachMs` → detached (IMAP closed, the
 * key remembered so that the session still counts as signed in here) → rebuilt on demand, or
 * destroyed (sign-out, expiry).
 */
export class LiveRegistry {
  readonly #live = new Map<string, LiveSession>();
  readonly #pending = new Map<string, Promise<LiveSession>>();
  /** Leases held, by session key (a key without an entry holds none). */
  readonly #uses = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  /** Sessions detached here and not ended since. */
  readonly #detached = new Set<string>();
  readonly #log: Logger;
  readonly #detachMs: number;

  constructor(log: Logger, opts: LiveRegistryOptions = {}) {
    this.#log = log;
    this.#detachMs = opts.detachMs ?? DEFAULT_DETACH_MS;
  }

  get(key: string): LiveSession | undefined {
    return this.#live.get(key);
  }

  get size(): number {
    return this.#live.size;
  }

  keys(): string[] {
    return [...this.#live.keys()];
  }

  /** Keys of the sessions detached here (IMAP closed, still signed in). */
  detachedKeys(): string[] {
    return [...this.#detached];
  }

  /** The session is signed in as far as this process knows: live here, or detached here. */
  has(key: string): boolean {
    return this.#live.has(key) || this.#pending.has(key) || this.#detached.has(key);
  }

  /** Registers a session that was just built (at sign-in). */
  add(session: LiveSession): void {
    this.#live.set(session.key, session);
    this.#detached.delete(session.key);
    this.#idle(session);
  }

  /** The live session for `key`, built once by `build` when missing (concurrent calls share it). */
  async ensure(key: string, build: () => Promise<LiveSession>): Promise<LiveSession> {
    const existing = this.#live.get(key);
    if (existing) return existing;
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const promise = build().then(
      (session) => {
        this.#pending.delete(key);
        this.add(session);
        return session;
      },
      (err: unknown) => {
        this.#pending.delete(key);
        throw err;
      },
    );
    this.#pending.set(key, promise);
    return promise;
  }

  /**
   * Like ensure(), and holds the session in use until the lease is released. Null when the
   * session was destroyed meanwhile.
   */
  async acquire(key: string, build: () => Promise<LiveSession>): Promise<LiveLease | null> {
    const session = await this.ensure(key, build);
    // No timer can run between ensure() resolving and this line: the session is still live
    // unless it was destroyed (signed out) meanwhile.
    return this.retain(session);
  }

  /** Holds `session` in use until the lease is released; null when it is no longer live. */
  retain(session: LiveSession): LiveLease | null {
    const key = session.key;
    if (this.#live.get(key) !== session) return null;
    this.#uses.set(key, (this.#uses.get(key) ?? 0) + 1);
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
    let released = false;
    return {
      session,
      release: () => {
        if (released) return;
        released = true;
        if (this.#live.get(key) !== session) return; // destroyed or detached meanwhile
        const left = (this.#uses.get(key) ?? 1) - 1;
        if (left > 0) {
          this.#uses.set(key, left);
          return;
        }
        this.#uses.delete(key);
        this.#idle(session);
      },
    };
  }

  /** Nobody uses `session`: its IMAP connections close after detachMs unless it is used again. */
  #idle(session: LiveSession): void {
    const key = session.key;
    if ((this.#uses.get(key) ?? 0) > 0 || this.#timers.has(key)) return;
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      if (this.#live.get(key) !== session) return;
      if ((this.#uses.get(key) ?? 0) > 0 || session.sockets.size > 0) return;
      void this.#detach(session);
    }, this.#detachMs);
    timer.unref();
    this.#timers.set(key, timer);
  }

  /** Closes the IMAP side of an unused session; it stays signed in (see has()). */
  async #detach(session: LiveSession): Promise<void> {
    const key = session.key;
    this.#live.delete(key);
    this.#detached.add(key);
    this.#log.info(
      { session: key.slice(0, 12) },
      "session unused: IMAP connections closed until it is used again",
    );
    try {
      await Promise.all([session.mail.close(), session.downloads.close()]);
    } catch (err) {
      this.#log.warn({ err }, "closing a detached mail session failed");
    }
  }

  /** Closes every socket of the session (with `code`) and its IMAP connections. */
  async destroy(key: string, code = CLOSE_SIGNED_OUT, reason = "signed out"): Promise<void> {
    const pending = this.#pending.get(key);
    if (pending) await pending.catch(() => undefined);
    this.#detached.delete(key);
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
    this.#uses.delete(key);
    const session = this.#live.get(key);
    if (!session) return;
    this.#live.delete(key);
    for (const socket of session.sockets) socket.close(code, reason);
    session.sockets.clear();
    try {
      await Promise.all([session.mail.close(), session.downloads.close()]);
    } catch (err) {
      this.#log.warn({ err }, "closing a mail session failed");
    }
  }

  async closeAll(code: number, reason: string): Promise<void> {
    await Promise.all([...this.#pending.values()].map((p) => p.catch(() => undefined)));
    await Promise.all(this.keys().map((key) => this.destroy(key, code, reason)));
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#detached.clear();
  }
}
