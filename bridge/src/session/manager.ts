/**
 * Sign-in, session lookup, rebuild and sign-out. Ties together the store (records with sealed
 * passwords), the live registry (MailSession + sockets), the host policy, the sign-in limiter
 * and the session caps (session-caps.ts). Which servers a sign-in reaches is
 * sign-in-targets.ts's; building a session's live side from its record is live-build.ts's.
 *
 * Lifetimes: a session record expires after `sessionIdleTtlMs` without use (an open socket is
 * use: sweep() refreshes it), and in any case `sessionMaxAgeMs` after sign-in, when even a
 * session in use must sign in again (its sockets are closed with 4001). Its IMAP side (the
 * MailSession) is closed `sessionDetachMs` after the last socket closed (LiveRegistry), and
 * rebuilt from the record by the next socket or HTTP request that needs it (acquire()).
 */
import { PROTOCOL_VERSION, type TSessionInfo, type TSessionRequest } from "@ferry/protocol";
import type { Config, ServerTarget } from "../config";
import { BridgeError } from "../errors";
import { connectImap } from "../imap/connect";
import type { Logger } from "../log";
import { clientNetwork } from "../net/address";
import type { StateStore } from "../state/store";
import { accountKey } from "./account";
import { isSessionIdShape, newSessionId, SecretBox, sessionKey } from "./crypto";
import { resolveAllowedHost } from "./host-policy";
import {
  CLOSE_SIGNED_OUT,
  type LiveLease,
  type LiveRegistry,
  type LiveSession,
  type MailSessionFactory,
} from "./live";
import { buildLiveSession, IMAP_CLIENT_OPTIONS, type LiveBuildDeps } from "./live-build";
import { LoginLimiter } from "./login-limiter";
import { type Holder, holderOf, SessionCaps } from "./session-caps";
import { signInTargets } from "./sign-in-targets";
import type { SessionRecord, SessionStore } from "./store";

/** Codes of a failed sign-in that count towards the limiter. */
const COUNTED = new Set([
  "auth_failed",
  "login_refused",
  "host_unreachable",
  "tls_failed",
  "server_not_allowed",
]);

/** A session record refreshed in the store at most this often (sliding idle expiry). */
const TOUCH_EVERY_MS = 60_000;

export interface ResolvedSession {
  key: string;
  record: SessionRecord;
}

/**
 * What sending mail on a session's behalf needs (bridge/src/compose): its address, its SMTP
 * server and its password. The password stays sealed until `password()` is called at the
 * moment of use; it is a function so that no log line or JSON dump of this object holds it.
 */
export interface MailAccess {
  readonly email: string;
  /** The pinned SMTP server, else the one named at sign-in, else null. */
  readonly smtp: ServerTarget | null;
  /** The user named the SMTP server: its address must pass the host policy on every connect. */
  readonly smtpUserNamed: boolean;
  /** The IMAP server signed in to (the ManageSieve host defaults to its host). */
  readonly imap: ServerTarget;
  /** The user named the IMAP server. */
  readonly imapUserNamed: boolean;
  /** The sign-in password, or null when it can no longer be opened (rotated secret). Never log it. */
  password(): string | null;
}

/** Called once when a session ends: sign-out, expiry, or a rebuild refused by the server. */
export type SessionEndListener = (key: string) => void;

export class SessionManager {
  readonly #config: Config;
  readonly #store: SessionStore;
  readonly #live: LiveRegistry;
  readonly #log: Logger;
  readonly #box: SecretBox;
  readonly #limiter: LoginLimiter;
  readonly #liveBuild: LiveBuildDeps;
  readonly #touched = new Map<string, number>();
  readonly #sweeper: NodeJS.Timeout;
  readonly #endListeners = new Set<SessionEndListener>();
  /** Sessions being destroyed right now (a record refreshed meanwhile is deleted again). */
  readonly #ending = new Set<string>();
  readonly #now: () => number;
  readonly #caps: SessionCaps;

  constructor(deps: {
    config: Config;
    store: SessionStore;
    /** The state store the sign-in limiter counts in (shared by every bridge on it). */
    state: StateStore;
    live: LiveRegistry;
    log: Logger;
    createMailSession: MailSessionFactory;
    /** The clock for session lifetimes (tests); default Date.now. */
    now?: () => number;
  }) {
    this.#now = deps.now ?? Date.now;
    this.#config = deps.config;
    this.#store = deps.store;
    this.#live = deps.live;
    this.#log = deps.log;
    this.#box = new SecretBox(deps.config.sessionSecret);
    this.#caps = new SessionCaps(deps.config, deps.state);
    this.#liveBuild = {
      config: deps.config,
      log: deps.log,
      box: this.#box,
      createMailSession: deps.createMailSession,
      destroy: (key) => this.#destroy(key),
    };
    this.#limiter = new LoginLimiter(deps.state, {
      perAccount: deps.config.loginFailuresPerEmail,
      perNetwork: deps.config.loginFailuresPerIp,
      windowMs: deps.config.loginWindowMs,
      baseDelayMs: deps.config.loginBaseDelayMs,
    });
    this.#sweeper = setInterval(() => void this.sweep(), 60_000);
    this.#sweeper.unref();
  }

  get imapPinned(): boolean {
    return this.#config.imap !== null;
  }

  /**
   * Verifies the credentials against IMAP and creates a new session (a new id every time; the
   * previous session of this browser, if any, is destroyed). Throws BridgeError.
   */
  async signIn(
    body: TSessionRequest,
    ctx: {
      ip: string;
      previousId: string | undefined;
      /** Settles once the sign-in is answered: the session's command connection logs in then. */
      answered?: Promise<unknown>;
    },
  ): Promise<{ id: string; info: TSessionInfo; live: LiveSession }> {
    const email = body.email.trim();
    const wait = await this.#limiter.retryAfter(email, ctx.ip);
    if (wait > 0) throw new TooManyAttempts(wait);
    const attempted = await this.#limiter.begin(email, ctx.ip);

    const id = newSessionId();
    const key = sessionKey(id);
    let placed: Holder | undefined;
    let signedIn = false;
    try {
      const { imap, smtp, userNamed } = signInTargets(this.#config, body);
      const holder = { account: accountKey(imap, email), network: clientNetwork(ctx.ip) };
      const previous =
        ctx.previousId !== undefined && isSessionIdShape(ctx.previousId)
          ? sessionKey(ctx.previousId)
          : undefined;
      await this.#caps.reserve(holder, key, previous);
      placed = holder;
      const address = userNamed
        ? await resolveAllowedHost(imap.host, this.#config.allowPrivateHosts)
        : undefined;
      // A user-named SMTP server (also next to a pinned IMAP server) passes the host policy too.
      if (smtp && this.#config.smtp === null) {
        await resolveAllowedHost(smtp.host, this.#config.allowPrivateHosts);
      }
      const started = performance.now();
      const client = await connectImap(
        imap,
        { user: email, password: body.password },
        {
          ca: this.#config.ca,
          connectTimeoutMs: this.#config.connectTimeoutMs,
          commandTimeoutMs: this.#config.imapCommandTimeoutMs,
          userNamed,
          address,
          log: this.#log,
          client: IMAP_CLIENT_OPTIONS,
        },
      );
      const verified = performance.now();
      await this.#limiter.succeed(email, ctx.ip);

      if (ctx.previousId !== undefined) await this.signOut(ctx.previousId);

      const record: SessionRecord = {
        email,
        imap,
        smtp,
        userNamed,
        sealedPassword: this.#box.seal(body.password, key),
        createdAt: this.#now(),
        network: holder.network,
      };
      const ttl = this.#ttl(record, record.createdAt);
      // The place after the record, so that it never runs out before the record does.
      await this.#store.set(key, record, ttl);
      await this.#caps.hold(holder, key, ttl);
      this.#touched.set(key, record.createdAt);
      let live: LiveSession;
      try {
        live = await this.#live.ensure(key, () =>
          buildLiveSession(this.#liveBuild, key, record, client, ctx.answered),
        );
        this.#log.info(
          { session: key.slice(0, 12), email, loginMs: Math.round(verified - started) },
          "signed in",
        );
      } catch (err) {
        await this.#store.delete(key);
        throw err;
      }
      signedIn = true;
      return { id, info: { email, protocolVersion: PROTOCOL_VERSION }, live };
    } catch (err) {
      if (err instanceof BridgeError && COUNTED.has(err.code)) {
        await this.#limiter.fail(email, ctx.ip);
        this.#log.info({ email, code: err.code, ip: ctx.ip }, "sign-in failed");
      }
      throw err;
    } finally {
      if (placed !== undefined && !signedIn) {
        // Not fatal when it fails: the place of a sign-in under way runs out by itself.
        await this.#caps
          .release(placed, key)
          .catch((err) => this.#log.warn({ err }, "session place not released"));
      }
      await attempted();
    }
  }
  /** How long the store keeps `record` from `now` on: the idle TTL, within the absolute lifetime. */
  #ttl(record: SessionRecord, now: number): number {
    const left = record.createdAt + this.#config.sessionMaxAgeMs - now;
    return Math.max(1, Math.min(this.#config.sessionIdleTtlMs, left));
  }

  /** Keeps `record` (and its place under the caps) for its TTL from `now` on. */
  async #refresh(key: string, record: SessionRecord, now: number): Promise<void> {
    const ttl = this.#ttl(record, now);
    // The place after the record, so that it never runs out before the record does.
    await this.#store.set(key, record, ttl);
    await this.#caps.hold(holderOf(record), key, ttl);
  }

  /** Past its absolute lifetime: it must sign in again, however much it is used. */
  #tooOld(record: SessionRecord, now: number): boolean {
    return now - record.createdAt >= this.#config.sessionMaxAgeMs;
  }

  /** The session a cookie value names, or null; refreshes its idle expiry. */
  async resolve(id: string | undefined): Promise<ResolvedSession | null> {
    if (id === undefined || !isSessionIdShape(id)) return null;
    const key = sessionKey(id);
    const record = await this.#store.get(key);
    if (!record) return null;
    const now = this.#now();
    if (this.#tooOld(record, now)) {
      await this.#destroy(key, "session expired", record);
      return null;
    }
    if (now - (this.#touched.get(key) ?? 0) > TOUCH_EVERY_MS) {
      this.#touched.set(key, now);
      await this.#refresh(key, record, now);
    }
    return { key, record };
  }

  /**
   * The live session (MailSession and sockets) of a resolved session, held in use until the
   * lease is released (a socket: until it closes; an HTTP request: until it is answered). It is
   * rebuilt from the stored credentials when this process has none (after a restart, on another
   * bridge, or once it was detached for want of use). A rebuild that fails on credentials
   * destroys the session and throws unauthorized.
   */
  async acquire(session: ResolvedSession): Promise<LiveLease> {
    let lease: LiveLease | null;
    try {
      lease = await this.#live.acquire(session.key, () =>
        buildLiveSession(this.#liveBuild, session.key, session.record),
      );
    } catch (err) {
      if (
        err instanceof BridgeError &&
        ["auth_failed", "login_refused", "unauthorized", "server_not_allowed"].includes(err.code)
      ) {
        await this.#destroy(session.key);
        throw new BridgeError("unauthorized", "Sign in again.", { cause: err });
      }
      throw err;
    }
    // signed out while it was being built
    if (!lease) throw new BridgeError("unauthorized", "Sign in again.");
    return lease;
  }

  liveIfPresent(key: string): LiveSession | undefined {
    return this.#live.get(key);
  }

  /**
   * The session is signed in as far as this process knows: live here, or detached here (its
   * IMAP connections closed for want of use) and not ended since.
   */
  isActive(key: string): boolean {
    return this.#live.has(key);
  }

  /** Mail access for the session stored under `key`, or null when it is gone. */
  async mailAccess(key: string): Promise<MailAccess | null> {
    const record = await this.#store.get(key);
    if (!record) return null;
    const box = this.#box;
    const sealed = record.sealedPassword;
    return {
      email: record.email,
      smtp: record.smtp,
      smtpUserNamed: record.smtp !== null && this.#config.smtp === null,
      imap: record.imap,
      imapUserNamed: record.userNamed,
      password: () => box.open(sealed, key),
    };
  }

  /** Registers `fn` to be told when a session ends. Returns the unsubscribe function. */
  onSessionEnd(fn: SessionEndListener): () => void {
    this.#endListeners.add(fn);
    return () => {
      this.#endListeners.delete(fn);
    };
  }

  #ended(key: string): void {
    for (const fn of this.#endListeners) {
      try {
        fn(key);
      } catch (err) {
        this.#log.warn({ err }, "a session-end listener failed");
      }
    }
  }

  /** Destroys the session a cookie value names (no-op for an unknown one). */
  async signOut(id: string): Promise<void> {
    if (!isSessionIdShape(id)) return;
    await this.#destroy(sessionKey(id));
  }

  async #destroy(key: string, reason = "signed out", known?: SessionRecord): Promise<void> {
    this.#ending.add(key);
    try {
      this.#touched.delete(key);
      // Without a record it expired, and its place with it (they share a TTL).
      const record = known ?? (await this.#store.get(key));
      if (record !== undefined) await this.#caps.release(holderOf(record), key);
      await this.#store.delete(key);
      await this.#live.destroy(key, CLOSE_SIGNED_OUT, reason);
    } finally {
      this.#ending.delete(key);
    }
    this.#ended(key);
  }

  /**
   * Closes live sessions whose record expired or was deleted (by another bridge), or that
   * reached their absolute lifetime; ends detached ones likewise; and keeps the record of every
   * session with an open socket from expiring: a browser tab left open is a session in use,
   * though it makes no HTTP request (the socket carries everything).
   */
  async sweep(): Promise<void> {
    const now = this.#now();
    for (const key of this.#live.detachedKeys()) {
      const record = await this.#store.get(key);
      if (record === undefined || this.#tooOld(record, now)) {
        await this.#destroy(key, "session expired", record);
      }
    }
    for (const key of this.#live.keys()) {
      const record = await this.#store.get(key);
      if (record === undefined || this.#tooOld(record, now)) {
        await this.#destroy(key, "session expired", record);
        continue;
      }
      const live = this.#live.get(key);
      if (!live || live.sockets.size === 0) continue;
      this.#touched.set(key, now);
      await this.#refresh(key, record, now);
      // Signed out while the record was being refreshed: do not bring it back.
      if (this.#ending.has(key) || this.#live.get(key) !== live) {
        await this.#store.delete(key);
        await this.#caps.release(holderOf(record), key);
      }
    }
    // Sessions looked up here but never live here (another bridge holds them).
    for (const [key, at] of this.#touched) {
      if (!this.#live.get(key) && now - at > TOUCH_EVERY_MS) this.#touched.delete(key);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await this.#live.closeAll(1001, "bridge shutting down");
  }
}

/** A sign-in refused by the limiter; `retryAfter` is in seconds. */
export class TooManyAttempts extends BridgeError {
  constructor(readonly retryAfter: number) {
    super("too_many_attempts", "Too many failed sign-ins. Wait a little and try again.");
  }
}
