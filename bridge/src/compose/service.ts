/**
 * ComposeService: writing mail, for every session of the bridge. It keeps each session's
 * compose state (session.ts: its own IMAP connection, its Sent and Drafts folders, its address
 * book), answers the compose frames (frames.ts), holds and sends messages with an undo window
 * and until a chosen time in the durable outbox (sending.ts, outbox.ts: jobs in the state store,
 * run by jobs/runner.ts), keeps the attachment uploads (uploads.ts; their HTTP endpoints are
 * http/uploads.ts; on Redis shared with the other bridges, so they survive a failover) and the
 * identities, and ends a session's compose state when the session
 * ends: what it held for undo is sent at once, its uploads and its IMAP connection go, and its
 * scheduled mail stays in the outbox, sent at its time with its own sealed credential. State nobody uses any more is swept once a
 * minute.
 */
import type { IncomingMessage } from "node:http";
import type { TComposeClientFrame, TServerFrame, TUploadInfo } from "@ferry/protocol";
import type { Config } from "../config";
import { BridgeError } from "../errors";
import type { JobRunner } from "../jobs/runner";
import type { Logger } from "../log";
import { SecretBox } from "../session/crypto";
import type { LiveSession } from "../session/live";
import type { MailAccess } from "../session/manager";
import type { StateStore } from "../state/store";
import { CONTACTS_TTL_MS } from "./contacts";
import { answerComposeFrame, type ComposeFrameDeps } from "./frames";
import { IdentityStore } from "./identities";
import { Sender } from "./sending";
import { type ComposeSession, newComposeSession } from "./session";
import { UploadStore } from "./uploads";

export interface ComposeDeps {
  config: Config;
  log: Logger;
  /** Address, SMTP server and password of a session (SessionManager.mailAccess). */
  mailAccess: (sessionKey: string) => Promise<MailAccess | null>;
  /** True while the session has a live side in this process (SessionManager.liveIfPresent). */
  isLive: (sessionKey: string) => boolean;
  /** Sends an event to every open socket of the session (none open: dropped). */
  push: (sessionKey: string, frame: TServerFrame) => void;
  /** Where the upload directory goes (default: the OS temp dir). */
  uploadDir?: string;
  /** What outlives the process (the identities and the outbox live there). */
  state: StateStore;
  /** Runs the outbox's due messages (jobs/runner.ts). */
  jobs: JobRunner;
}

export class ComposeService {
  readonly uploads: UploadStore;
  readonly identities: IdentityStore;
  readonly #deps: ComposeDeps;
  readonly #log: Logger;
  readonly #sender: Sender;
  readonly #frames: ComposeFrameDeps;
  readonly #sessions = new Map<string, ComposeSession>();
  readonly #ending = new Set<Promise<void>>();
  readonly #sweeper: NodeJS.Timeout;
  #closed = false;

  constructor(deps: ComposeDeps) {
    this.#deps = deps;
    this.#log = deps.log.child({ module: "compose" });
    this.identities = new IdentityStore(deps.state);
    this.uploads = new UploadStore(
      {
        maxFileBytes: deps.config.uploadMaxBytes,
        maxSessionBytes: Math.max(4 * deps.config.messageMaxBytes, deps.config.uploadMaxBytes),
        maxSessionFiles: 200,
      },
      this.#log,
      deps.uploadDir,
      // several bridges share Redis: a user's next bridge must find the uploads of the last one
      deps.state.backend === "redis"
        ? {
            state: deps.state,
            box: new SecretBox(deps.config.sessionSecret),
            ttlMs: deps.config.sessionIdleTtlMs,
          }
        : undefined,
    );
    this.#sender = new Sender({
      config: deps.config,
      log: this.#log,
      uploads: this.uploads,
      identities: this.identities,
      state: deps.state,
      jobs: deps.jobs,
      mailAccess: deps.mailAccess,
      push: deps.push,
      composeSession: (key) => this.#sessions.get(key),
    });
    this.#frames = {
      sender: this.#sender,
      identities: this.identities,
      uploads: this.uploads,
      messageMaxBytes: deps.config.messageMaxBytes,
      log: this.#log,
    };
    this.#sweeper = setInterval(() => this.#sweep(), 60_000);
    this.#sweeper.unref();
  }

  /** Answers a compose frame of `live`'s session to the socket that sent it. */
  async handle(
    frame: TComposeClientFrame,
    ctx: { live: LiveSession; reply: (frame: TServerFrame) => void },
  ): Promise<void> {
    await answerComposeFrame(frame, this.#session(ctx.live), ctx.reply, this.#frames);
  }

  /** Stores `body` as a new upload of the session (HTTP: bridge/src/http/uploads.ts). */
  async receiveUpload(
    live: LiveSession,
    body: IncomingMessage,
    filename: string,
    type: string | undefined,
  ): Promise<TUploadInfo> {
    const session = this.#session(live);
    return await this.uploads.receive(session.key, body, filename, type);
  }

  /** Removes one of the session's uploads; false when there is no such upload. */
  deleteUpload(live: LiveSession, uploadId: string): Promise<boolean> {
    return this.uploads.remove(live.key, uploadId);
  }

  #session(live: LiveSession): ComposeSession {
    if (this.#closed) throw new BridgeError("unauthorized", "The bridge is shutting down.");
    let session = this.#sessions.get(live.key);
    if (!session) {
      session = newComposeSession(live);
      this.#sessions.set(live.key, session);
    }
    session.lastUsed = Date.now();
    return session;
  }

  /**
   * The session ended (sign-out, expiry): what it held for undo is sent now, then its uploads
   * and its IMAP connection go; its scheduled mail stays in the outbox and goes at its time.
   * Runs in the background; `close` waits for it. `signedOut: false` when the session is only
   * gone from this bridge (it may live on in another): uploads shared with the others stay.
   */
  endSession(key: string, opts: { signedOut?: boolean } = {}): void {
    const ending = (async () => {
      await this.#sender.sendHeldNow(key);
      const session = this.#sessions.get(key);
      this.#sessions.delete(key);
      await session?.imap.close();
      await this.uploads.dropSession(key, { shared: opts.signedOut ?? true });
    })()
      .catch((err: unknown) => this.#log.warn({ err }, "ending a compose session failed"))
      .finally(() => this.#ending.delete(ending));
    this.#ending.add(ending);
  }

  /** Messages held for a session (tests, metrics). */
  pendingCount(key?: string): number {
    return this.#sender.pendingCount(key);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, session] of this.#sessions) {
      if (!this.#deps.isLive(key)) {
        this.endSession(key, { signedOut: false });
        continue;
      }
      // an index nobody asked for in a while is rebuilt on demand
      if (session.contacts && now - session.lastUsed > 3 * CONTACTS_TTL_MS) session.contacts = null;
    }
  }

  /**
   * Shutdown: the outbox stays in the store for the next bridge (with a random session secret
   * this process's undo-held mail goes now instead); every upload is removed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    await this.#sender.closing();
    await Promise.allSettled([...this.#ending]);
    await Promise.allSettled([...this.#sessions.values()].map((s) => s.imap.close()));
    this.#sessions.clear();
    await this.uploads.close();
  }
}
