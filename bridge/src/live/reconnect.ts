/**
 * A session's connection state and its way back after a fault (Reconnector): "online",
 * "reconnecting" while a connection that closed without close() is being rebuilt, "offline"
 * after `offlineAfterMs` of failures (retries go on, slower). One back-off loop per session
 * (capped exponential, with jitter) rebuilds every connection that is down through the session's
 * hooks; a refused password stops it for good. Callers that need a connection wait for it here,
 * up to `reconnectWaitMs`. A refused login is believed only when a second try is refused too
 * (connect()).
 */
import type { TConnectionState, TErrorCode } from "@ferry/protocol";
import type { Logger } from "pino";
import { BridgeError, isBridgeError } from "../errors";
import { connectionLost, isLoginFailure } from "../imap/errors";
import { type Backoff, backoffDelay } from "./timing";

/** How long a refused login waits before its second try (at most the back-off's maxMs). */
export const LOGIN_RECHECK_MS = 2_000;

export interface ReconnectHooks {
  log: Logger;
  backoff: Backoff;
  offlineAfterMs: number;
  reconnectWaitMs: number;
  /** Some connection of the session is down. */
  anyDown(): boolean;
  /** One try at every connection that is down, in parallel: the first failure, or null. */
  reconnectDown(): Promise<unknown>;
  /** The server refused the credentials: the session stops (see MailSession.failLogin). */
  failLogin(err: unknown): Promise<void>;
  /** The state changed (pushed as a `state` event). */
  stateChanged(state: TConnectionState): void;
  /** Every connection is back after reconnecting. */
  online(): void;
}

export class Reconnector {
  private current: TConnectionState = "reconnecting";
  /** The session was closed: nothing reconnects or waits any more. */
  closed = false;
  /** Set once the server refused the credentials: nothing reconnects after that. */
  loginFailure: TErrorCode | null = null;
  /** The session is starting: a connection lost meanwhile is rebuilt once start() is done. */
  starting = false;

  private recovering = false;
  private downSince: number | null = null;
  private wake: (() => void) | null = null;
  /** Re-checked whenever a connection comes back or the state changes. */
  private readonly waiters = new Set<() => void>();

  constructor(private readonly hooks: ReconnectHooks) {}

  get state(): TConnectionState {
    return this.current;
  }

  setState(next: TConnectionState): void {
    if (this.current === next) return;
    this.current = next;
    this.hooks.log.info({ state: next }, "live: connection state");
    this.hooks.stateChanged(next);
    this.notifyWaiters();
  }

  /** A connection closed without close(). */
  lost(what: string): void {
    if (this.closed || this.loginFailure) return;
    this.hooks.log.info({ what }, "live: connection lost");
    if (this.current === "online") this.setState("reconnecting");
    if (!this.starting) void this.recover();
  }

  /** Rebuilds whatever is down until nothing is, with back-off. One loop per session at most. */
  async recover(): Promise<void> {
    if (this.recovering || this.closed || this.loginFailure) return;
    this.recovering = true;
    this.downSince ??= Date.now();
    const { backoff } = this.hooks;
    let attempt = 0;
    try {
      while (!this.closed && !this.loginFailure && this.hooks.anyDown()) {
        attempt++;
        const slower = { initialMs: backoff.maxMs, maxMs: backoff.maxMs * 2 };
        await this.sleep(backoffDelay(attempt, this.current === "offline" ? slower : backoff));
        if (this.closed) return;
        const failure = await this.hooks.reconnectDown();
        if (failure === null || this.closed) continue;
        if (isLoginFailure(failure)) {
          await this.hooks.failLogin(failure);
          return;
        }
        this.hooks.log.warn({ err: failure, attempt }, "live: reconnect failed");
        if (Date.now() - this.downSince >= this.hooks.offlineAfterMs) this.setState("offline");
      }
      if (this.closed || this.loginFailure) return;
      this.downSince = null;
      this.setState("online");
      this.hooks.online();
    } finally {
      this.recovering = false;
    }
  }

  /**
   * `connect()`, where a refused login is tried once more, LOGIN_RECHECK_MS later, and only a
   * second refusal is thrown: a server going away can refuse a login it would accept (the
   * fixture's Dovecot answered one LOGIN during a stop with NO [AUTHENTICATIONFAILED]), and a
   * refusal ends the session for good. A changed password is refused twice, so it is still
   * told, a moment later.
   */
  async connect<T>(connect: () => Promise<T>): Promise<T> {
    try {
      return await connect();
    } catch (err) {
      if (!isLoginFailure(err) || this.closed) throw err;
      const code = isBridgeError(err) ? err.code : "refused";
      this.hooks.log.info({ code }, "live: login refused; trying once more before believing it");
      const pauseMs = Math.min(LOGIN_RECHECK_MS, this.hooks.backoff.maxMs);
      await new Promise((resolve) => setTimeout(resolve, pauseMs).unref());
      if (this.closed) throw err;
      return connect();
    }
  }

  /** Something it waits for came back (a shared connection): a back-off sleep ends now. */
  retryNow(): void {
    this.wake?.();
  }

  /** The session closed: the back-off sleep ends and every waiter fails. */
  close(): void {
    this.closed = true;
    this.wake?.();
    this.notifyWaiters();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** Why nothing can be waited for, or null when waiting makes sense. */
  unavailable(): BridgeError | null {
    if (this.closed) return connectionLost();
    if (this.loginFailure) {
      return new BridgeError(
        this.loginFailure,
        "The mail server refused the login. Sign in again.",
      );
    }
    if (this.current === "offline") return connectionLost();
    return null;
  }

  /**
   * Resolves with `get()` once it is not null, waiting for a reconnect until reconnectWaitMs
   * after `since` (when the caller started waiting; default now).
   */
  waitFor<T>(get: () => T | null, since: number = Date.now()): Promise<T> {
    const now = get();
    if (now !== null && !this.closed) return Promise.resolve(now);
    const fail = this.unavailable();
    if (fail) return Promise.reject(fail);
    const left = this.hooks.reconnectWaitMs - (Date.now() - since);
    if (left <= 0) return Promise.reject(connectionLost());
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      const check = () => {
        const value = get();
        if (value !== null && !this.closed) {
          done();
          resolve(value);
          return;
        }
        const failure = this.unavailable();
        if (failure) {
          done();
          reject(failure);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(connectionLost());
      }, left);
      this.waiters.add(check);
    });
  }

  /** A connection came back or something changed: every waiter looks again. */
  notifyWaiters(): void {
    for (const check of [...this.waiters]) check();
  }
}
