/**
 * MailSession: the IMAP side of one signed-in session. It owns that session's connections, keeps
 * them alive, and pushes what changes as protocol events.
 *
 * Connections (2 while INBOX is open, 3 while another folder is):
 * - command: every request, through run() (one at a time), plus the counts poll;
 * - INBOX watcher: IDLEs on INBOX always, so new mail is pushed whichever folder is open;
 * - open watcher: IDLEs on the open mailbox when that is not INBOX (closed when INBOX is opened).
 * Dovecot advertises NOTIFY, which could fold these into one, but imapflow has no API for it and
 * drops the unsolicited STATUS answers it would bring.
 *
 * Other folders' counts: every `countsIntervalMs` (default 30 s) one LIST-STATUS on the command
 * connection; `mailbox.status` for counts that changed, `mailboxes.changed` when the folder set
 * did. All sessions of a process share one timer for it (see timing.ts).
 *
 * Faults: a connection that closes without close() puts the session in "reconnecting"; every
 * connection that is down is rebuilt through `connect()` (imapflow never reconnects a client)
 * with capped exponential back-off and jitter; watchers resync on the way (watcher.ts), then the
 * state is "online" again. After `offlineAfterMs` of failures it is "offline" and retries go on,
 * slower. A refused password stops the retries: state "offline" and an `error` auth_failed event.
 * Nothing here is shared between sessions except that timer.
 */
import type { TConnectionState, TErrorCode, TServerFrame } from "@ferry/protocol";
import type { ImapFlow, ListResponse } from "imapflow";
import type { Logger } from "pino";
import { BridgeError, isBridgeError } from "../errors";
import { fetchRows, type RowsFetcher } from "./rows";
import { type Backoff, backoffDelay, type PeriodicScheduler, sharedScheduler } from "./timing";
import {
  closeQuietly,
  connectionLost,
  MailboxWatcher,
  type OpenedMailbox,
  type WatcherHooks,
} from "./watcher";

export type { OpenedMailbox } from "./watcher";

export interface MailSessionOptions {
  /** Builds a new connected, logged-in client (its `error` listener attached before connect). */
  connect: () => Promise<ImapFlow>;
  log: Logger;
  /** How often other folders' counts are polled. Default 30 s. */
  countsIntervalMs?: number;
  /** Reconnect back-off. Default 250 ms doubling to 30 s. */
  backoff?: Backoff;
  /** Builds the rows of `messages.new`. Default: rows.ts (no preview). */
  rowsFetcher?: RowsFetcher;
  /** After failing to reconnect this long the state becomes "offline" (retries go on). Default 2 min. */
  offlineAfterMs?: number;
  /** How long run() and openMailbox() wait for a lost connection to come back. Default 10 s. */
  reconnectWaitMs?: number;
  /** The timer for counts polling. Default: the one shared by the process. */
  scheduler?: PeriodicScheduler;
}

type Listener = (frame: TServerFrame) => void;

const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 30_000 };

/** Error codes that mean "these credentials no longer work": retrying cannot help. */
const FATAL_LOGIN_CODES: readonly TErrorCode[] = ["auth_failed", "login_refused"];

/** imapflow and Node codes of a connection that is gone (as opposed to a refused command). */
const CONNECTION_ERROR_CODES = new Set([
  "NoConnection",
  "EConnectionClosed",
  "ETIMEOUT",
  "StateLogout",
  "ClosedAfterConnectText",
  "ClosedAfterConnectTLS",
  "ECONNRESET",
  "EPIPE",
]);

export class MailSession {
  private readonly connectFn: () => Promise<ImapFlow>;
  private readonly log: Logger;
  private readonly countsIntervalMs: number;
  private readonly backoff: Backoff;
  private readonly offlineAfterMs: number;
  private readonly reconnectWaitMs: number;
  private readonly scheduler: PeriodicScheduler;
  private readonly hooks: WatcherHooks;

  private cmd: ImapFlow | null = null;
  private cmdUnlisten: (() => void) | null = null;
  private readonly inbox: MailboxWatcher;
  /** Watcher of the open mailbox when that is not INBOX. */
  private open: MailboxWatcher | null = null;
  private openPath: string | null = null;
  private openRO = false;

  private readonly listeners = new Set<Listener>();
  private current: TConnectionState = "reconnecting";
  private started = false;
  private starting = false;
  private closed = false;
  private closing: Promise<void> | null = null;
  /** Set once the server refused the credentials: nothing reconnects after that. */
  private loginFailure: TErrorCode | null = null;

  private cmdQueue: Promise<unknown> = Promise.resolve();
  private openQueue: Promise<unknown> = Promise.resolve();
  /** Re-checked whenever a connection comes back or the state changes. */
  private readonly waiters = new Set<() => void>();

  private recovering = false;
  private downSince: number | null = null;
  private wake: (() => void) | null = null;

  private cancelPoll: (() => void) | null = null;
  /** Last counts sent (or seen at the baseline poll), by mailbox path. */
  private readonly counts = new Map<string, { messages: number; unseen: number }>();
  /** Hash of the folder set (paths, flags, subscriptions); null before the first poll. */
  private folderSig: number | null = null;

  constructor(opts: MailSessionOptions) {
    this.connectFn = opts.connect;
    this.log = opts.log;
    this.countsIntervalMs = Math.max(1, opts.countsIntervalMs ?? 30_000);
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.offlineAfterMs = opts.offlineAfterMs ?? 120_000;
    this.reconnectWaitMs = opts.reconnectWaitMs ?? 10_000;
    this.scheduler = opts.scheduler ?? sharedScheduler;
    this.hooks = {
      log: this.log,
      rowsFetcher: opts.rowsFetcher ?? fetchRows,
      emit: (frame) => this.emit(frame),
      status: (mailbox, messages, unseen) => this.updateCounts(mailbox, messages, unseen),
      lost: (watcher) => {
        if (watcher === this.inbox || watcher === this.open) this.lost(watcher.role);
      },
    };
    this.inbox = new MailboxWatcher("inbox", this.hooks);
  }

  get state(): TConnectionState {
    return this.current;
  }

  /** The mailbox whose changes are pushed besides INBOX's, as the server spells its path. */
  get openMailboxPath(): string | null {
    return this.openPath;
  }

  get openReadOnly(): boolean {
    return this.openRO;
  }

  /** Receives every pushed event (frames without an id). Returns the unsubscribe function. */
  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  /**
   * Starts the connections; `first` (already logged in, from sign-in) becomes the command
   * connection. Resolves once they are up, or once the first try failed and reconnecting has
   * taken over (see `state`). Rejects only when the server refused the credentials.
   */
  async start(first?: ImapFlow): Promise<void> {
    if (this.started) throw new Error("MailSession.start() called twice");
    this.started = true;
    if (this.closed) {
      await closeQuietly(first ?? null);
      return;
    }
    this.starting = true;
    const tasks: Promise<unknown>[] = [];
    if (first?.usable) {
      first.on("error", this.onClientError);
      this.setCommand(first);
    } else {
      if (first) await closeQuietly(first);
      tasks.push(this.connectClient().then((client) => this.setCommand(client)));
    }
    tasks.push(this.connectClient().then((client) => this.inbox.start(client, "INBOX", true)));
    const failure = firstFailure(await Promise.allSettled(tasks));
    this.starting = false;
    if (this.closed) return;
    this.cancelPoll = this.scheduler.add(() => this.pollCounts(), this.countsIntervalMs);
    if (failure !== null && isLoginFailure(failure)) {
      await this.failLogin(failure);
      throw toBridgeError(failure);
    }
    if (failure !== null) this.log.warn({ err: failure }, "live: start failed, reconnecting");
    if (this.anyDown()) {
      void this.recover();
      return;
    }
    this.setState("online");
    void this.pollCounts();
  }

  /**
   * Runs `fn` on the command connection, one call at a time (so a mailbox lock taken inside is
   * never interleaved with another call's). While that connection is down it waits up to
   * `reconnectWaitMs` for it; a connection lost before or during `fn` rejects with
   * BridgeError("connection_lost"). Other errors of `fn` pass through.
   */
  run<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T> {
    const task = this.cmdQueue.then(() => this.runNow(fn));
    this.cmdQueue = task.then(noop, noop);
    return task;
  }

  /**
   * SELECTs (EXAMINEs when `readOnly`) `path` as the open mailbox, whose changes are pushed from
   * now on, and returns the `mailbox.opened` fields (readOnly is true also when the server
   * answered [READ-ONLY]). mailbox_not_found for a mailbox that does not exist; the previously
   * open mailbox then stays open.
   */
  openMailbox(path: string, readOnly: boolean): Promise<OpenedMailbox> {
    const task = this.openQueue.then(() => this.openNow(path, readOnly));
    this.openQueue = task.then(noop, noop);
    return task;
  }

  /** Logs out every connection and stops all timers. Idempotent; nothing is emitted afterwards. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.closing = this.shutdown();
    }
    return this.closing;
  }

  // -------------------------------------------------------------------------------------------

  private async runNow<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = await this.waitFor(() => (this.cmd?.usable ? this.cmd : null));
    try {
      return await fn(client);
    } catch (err) {
      if (isBridgeError(err)) throw err;
      if (!client.usable || isConnectionError(err)) throw connectionLost(err);
      throw err;
    }
  }

  private async openNow(path: string, readOnly: boolean): Promise<OpenedMailbox> {
    if (path.toUpperCase() === "INBOX") {
      await this.waitFor(() => (this.inbox.client?.usable ? true : null));
      const info = await this.inbox.watch("INBOX", readOnly);
      const old = this.open;
      this.open = null;
      this.setOpen(info);
      if (old) void old.close();
      return info;
    }
    const existing = this.open;
    if (existing) {
      await this.waitFor(() => (existing.client?.usable ? true : null));
      const info = await existing.watch(path, readOnly);
      this.setOpen(info);
      return info;
    }
    if (this.closed) throw connectionLost();
    const fail = this.unavailable();
    if (fail) throw fail;
    let client: ImapFlow;
    try {
      client = await this.connectClient();
    } catch (err) {
      throw toBridgeError(err);
    }
    const watcher = new MailboxWatcher("open", this.hooks);
    const info = await watcher.start(client, path, readOnly);
    if (this.closed) {
      await watcher.close();
      throw connectionLost();
    }
    this.open = watcher;
    this.setOpen(info);
    if (!watcher.client) this.lost("open");
    return info;
  }

  private setOpen(info: OpenedMailbox): void {
    this.openPath = info.mailbox;
    this.openRO = info.readOnly;
  }

  private async shutdown(): Promise<void> {
    this.cancelPoll?.();
    this.cancelPoll = null;
    this.wake?.();
    this.listeners.clear();
    this.notifyWaiters();
    this.cmdUnlisten?.();
    this.cmdUnlisten = null;
    const cmd = this.cmd;
    this.cmd = null;
    const open = this.open;
    this.open = null;
    await Promise.all([closeQuietly(cmd), this.inbox.close(), open?.close()]);
  }

  private emit(frame: TServerFrame): void {
    if (this.closed) return;
    for (const fn of this.listeners) {
      try {
        fn(frame);
      } catch (err) {
        this.log.error({ err }, "live: event subscriber threw");
      }
    }
  }

  private setState(next: TConnectionState): void {
    if (this.current === next) return;
    this.current = next;
    this.log.info({ state: next }, "live: connection state");
    this.emit({ type: "state", imap: next });
    this.notifyWaiters();
  }

  // Connections ---------------------------------------------------------------------------------

  private readonly onClientError = (err: unknown) => {
    this.log.debug({ err }, "live: IMAP connection error");
  };

  private async connectClient(): Promise<ImapFlow> {
    const client = await this.connectFn();
    client.on("error", this.onClientError);
    if (this.closed || this.loginFailure) {
      await closeQuietly(client);
      throw connectionLost();
    }
    return client;
  }

  private setCommand(client: ImapFlow): void {
    this.cmdUnlisten?.();
    this.cmd = client;
    const onClose = () => {
      if (this.cmd !== client) return;
      this.cmdUnlisten?.();
      this.cmdUnlisten = null;
      this.cmd = null;
      this.lost("command");
    };
    client.on("close", onClose);
    this.cmdUnlisten = () => client.off("close", onClose);
    if (!client.usable) onClose();
    else this.notifyWaiters();
  }

  private anyDown(): boolean {
    return !this.cmd || !this.inbox.client || (this.open !== null && !this.open.client);
  }

  /** A connection closed without close(). */
  private lost(what: string): void {
    if (this.closed || this.loginFailure) return;
    this.log.info({ what }, "live: connection lost");
    if (this.current === "online") this.setState("reconnecting");
    if (!this.starting) void this.recover();
  }

  /** Rebuilds whatever is down until nothing is, with back-off. One loop per session at most. */
  private async recover(): Promise<void> {
    if (this.recovering || this.closed || this.loginFailure) return;
    this.recovering = true;
    this.downSince ??= Date.now();
    let attempt = 0;
    try {
      while (!this.closed && !this.loginFailure && this.anyDown()) {
        attempt++;
        const slower = { initialMs: this.backoff.maxMs, maxMs: this.backoff.maxMs * 2 };
        await this.sleep(backoffDelay(attempt, this.current === "offline" ? slower : this.backoff));
        if (this.closed) return;
        const failure = await this.reconnectDown();
        if (failure === null || this.closed) continue;
        if (isLoginFailure(failure)) {
          await this.failLogin(failure);
          return;
        }
        this.log.warn({ err: failure, attempt }, "live: reconnect failed");
        if (Date.now() - this.downSince >= this.offlineAfterMs) this.setState("offline");
      }
      if (this.closed || this.loginFailure) return;
      this.downSince = null;
      this.setState("online");
      void this.pollCounts();
    } finally {
      this.recovering = false;
    }
  }

  /** One try at every connection that is down, in parallel. The first failure, or null. */
  private async reconnectDown(): Promise<unknown> {
    const tasks: Promise<unknown>[] = [];
    if (!this.cmd) tasks.push(this.connectClient().then((client) => this.setCommand(client)));
    const inbox = this.inbox;
    if (!inbox.client) {
      tasks.push(
        this.connectClient().then(async (client) => {
          if (inbox.path) await inbox.recover(client);
          else await inbox.start(client, "INBOX", true);
        }),
      );
    }
    const open = this.open;
    if (open && !open.client) {
      tasks.push(
        this.connectClient()
          .then((client) => open.recover(client))
          .catch((err: unknown) => {
            if (!(isBridgeError(err) && err.code === "mailbox_not_found")) throw err;
            // The open mailbox was deleted or renamed meanwhile: nothing is open any more.
            if (this.open === open) {
              this.open = null;
              this.openPath = null;
              this.openRO = false;
            }
            void open.close();
            this.emit({ type: "mailboxes.changed" });
          }),
      );
    }
    const failure = firstFailure(await Promise.allSettled(tasks));
    if (failure === null) this.notifyWaiters();
    return failure;
  }

  private async failLogin(err: unknown): Promise<void> {
    const code: TErrorCode =
      isBridgeError(err) && err.code === "login_refused" ? "login_refused" : "auth_failed";
    this.loginFailure = code;
    this.cancelPoll?.();
    this.cancelPoll = null;
    this.log.warn({ code }, "live: the server refused the login; not reconnecting");
    this.setState("offline");
    this.emit({
      type: "error",
      code,
      message:
        code === "auth_failed"
          ? "The mail server no longer accepts your password. Sign in again."
          : "The mail server refused the login. Sign in again.",
    });
    this.notifyWaiters();
    this.cmdUnlisten?.();
    this.cmdUnlisten = null;
    const cmd = this.cmd;
    this.cmd = null;
    const open = this.open;
    this.open = null;
    await Promise.all([closeQuietly(cmd), this.inbox.close(), open?.close()]);
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
  private unavailable(): BridgeError | null {
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

  /** Resolves with `get()` once it is not null, waiting up to reconnectWaitMs for a reconnect. */
  private waitFor<T>(get: () => T | null): Promise<T> {
    const now = get();
    if (now !== null && !this.closed) return Promise.resolve(now);
    const fail = this.unavailable();
    if (fail) return Promise.reject(fail);
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
      }, this.reconnectWaitMs);
      this.waiters.add(check);
    });
  }

  private notifyWaiters(): void {
    for (const check of [...this.waiters]) check();
  }

  // Counts ------------------------------------------------------------------------------------

  /**
   * One LIST-STATUS: mailbox.status for every folder whose counts changed (every folder, the
   * first time: a baseline taken silently could hide a change that raced it), and
   * mailboxes.changed when the folder set changed.
   */
  private async pollCounts(): Promise<void> {
    if (this.closed || this.current !== "online" || !this.cmd?.usable) return;
    let list: ListResponse[];
    try {
      list = await this.run((client) =>
        client.list({ statusQuery: { messages: true, unseen: true } }),
      );
    } catch (err) {
      this.log.debug({ err }, "live: counts poll failed");
      return;
    }
    if (this.closed) return;
    list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    let sig = FNV_OFFSET;
    const seen = new Set<string>();
    for (const mb of list) {
      const flags = [...mb.flags].sort().join(" ");
      sig = fnv1a(sig, `${mb.path}\u0000${mb.subscribed ? 1 : 0}\u0000${flags}\u0001`);
      const status = mb.status;
      if (status && typeof status.messages === "number" && typeof status.unseen === "number") {
        seen.add(mb.path);
        this.updateCounts(mb.path, status.messages, status.unseen);
      }
    }
    for (const path of this.counts.keys()) if (!seen.has(path)) this.counts.delete(path);
    if (this.folderSig !== null && sig !== this.folderSig) this.emit({ type: "mailboxes.changed" });
    this.folderSig = sig;
  }

  private updateCounts(mailbox: string, messages: number, unseen: number): void {
    const prev = this.counts.get(mailbox);
    if (prev && prev.messages === messages && prev.unseen === unseen) return;
    this.counts.set(mailbox, { messages, unseen });
    this.emit({ type: "mailbox.status", mailbox, messages, unseen });
  }
}

const FNV_OFFSET = 0x811c9dc5;

function fnv1a(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function firstFailure(results: PromiseSettledResult<unknown>[]): unknown {
  const errors: unknown[] = [];
  for (const r of results) if (r.status === "rejected") errors.push(r.reason);
  return errors.find(isLoginFailure) ?? (errors.length > 0 ? errors[0] : null);
}

/** The server refused these credentials (a BridgeError from the connect factory, or imapflow's). */
function isLoginFailure(err: unknown): boolean {
  if (isBridgeError(err)) return FATAL_LOGIN_CODES.includes(err.code);
  return (
    typeof err === "object" &&
    err !== null &&
    "authenticationFailed" in err &&
    err.authenticationFailed === true
  );
}

function isConnectionError(err: unknown): boolean {
  return (
    typeof err === "object" &&
    err !== null &&
    "code" in err &&
    typeof err.code === "string" &&
    CONNECTION_ERROR_CODES.has(err.code)
  );
}

function toBridgeError(err: unknown): BridgeError {
  if (isBridgeError(err)) return err;
  if (isLoginFailure(err)) {
    return new BridgeError("auth_failed", "The mail server refused the password.", { cause: err });
  }
  return connectionLost(err);
}

function noop(): void {}
