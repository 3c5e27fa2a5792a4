/**
 * The in-process side of sessions: for each signed-in session, its MailSession (the IMAP
 * connections) and its open sockets, keyed by session key. Records in the SessionStore can
 * outlive these (a restart, another bridge); the manager rebuilds them on demand.
 */
import type { TConnectionState, TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import type { WebSocket } from "ws";
import type { Logger } from "../log";
import type { SideConnection } from "./side-connection";

/** What the bridge needs of a MailSession (bridge/src/live/mail-session.ts). */
export interface LiveMailSession {
  start(first?: ImapFlow): Promise<void>;
  run<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T>;
  openMailbox(
    path: string,
    readOnly: boolean,
  ): Promise<{
    mailbox: string;
    uidValidity: number;
    exists: number;
    readOnly: boolean;
    permanentFlags: string[];
  }>;
  readonly openMailboxPath: string | null;
  readonly openReadOnly: boolean;
  subscribe(fn: (frame: TServerFrame) => void): () => void;
  readonly state: TConnectionState;
  close(): Promise<void>;
}

export interface MailSessionOptions {
  connect: () => Promise<ImapFlow>;
  log: Logger;
}

export type MailSessionFactory = (opts: MailSessionOptions) => LiveMailSession;

export interface LiveSession {
  readonly key: string;
  readonly email: string;
  readonly mail: LiveMailSession;
  /** Opens a new IMAP connection for this session (e.g. for a parts download). */
  readonly connect: () => Promise<ImapFlow>;
  readonly sockets: Set<WebSocket>;
  /** The connection downloads stream over, apart from the command connection. */
  readonly downloads: SideConnection;
  /** Settles once the MailSession's start is over (all connections up, or reconnecting). */
  readonly ready: Promise<void>;
}

/** Close code sent to a session's sockets when it signs out or expires. */
export const CLOSE_SIGNED_OUT = 4001;

export class LiveRegistry {
  readonly #live = new Map<string, LiveSession>();
  readonly #pending = new Map<string, Promise<LiveSession>>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
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

  /** Registers a session that was just built (at sign-in). */
  add(session: LiveSession): void {
    this.#live.set(session.key, session);
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
        this.#live.set(key, session);
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

  /** Closes every socket of the session (with `code`) and its IMAP connections. */
  async destroy(key: string, code = CLOSE_SIGNED_OUT, reason = "signed out"): Promise<void> {
    const pending = this.#pending.get(key);
    if (pending) await pending.catch(() => undefined);
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
  }
}
