/**
 * MailSession: the IMAP side of one signed-in session. It owns that session's connections, keeps
 * them alive, and pushes what changes as protocol events.
 *
 * Connections (2, plus one per other folder some socket has open):
 * - command: every request, through run() (one at a time), plus the counts poll;
 * - INBOX watcher: IDLEs on INBOX always, so new mail is pushed whichever folder is open. At
 *   sign-in it is the connection that verified the password, and the first window (prefetch())
 *   is read on it before it starts watching from that point; the command connection is handed
 *   out only once INBOX is watched, so no window is older than the start of its events;
 * - folder watchers: one per distinct other folder that at least one owner (a socket: a browser
 *   tab) has open, IDLEing on it; closed when no owner has it open any more.
 * Dovecot advertises NOTIFY, which could fold these into one, but imapflow has no API for it and
 * drops the unsolicited STATUS answers it would bring.
 *
 * Open mailboxes are per owner: openMailbox(path, readOnly, owner) records which mailbox that
 * owner has open and in which mode (openedBy), and releaseMailbox(owner) lets go of it (a socket
 * closed). Events of every watched folder go to every subscriber: each tab's cache takes what it
 * knows about. A watcher EXAMINEs its folder until some owner opens it read-write, then SELECTs
 * it (and stays so while watched); the mode each owner asked for is kept apart from that.
 *
 * Cap: at most `maxWatchedFolders` (default MAX_WATCHED_FOLDERS) folders are watched at once,
 * INBOX included. Opening one more closes the watcher of the folder opened least recently (by
 * any owner). Its owners keep it open as far as their requests go (their read-only mode still
 * holds), but its changes are no longer pushed until some owner opens it again (the browser does
 * on a reconnect or when the user comes back to it); its counts still follow with the counts
 * poll below.
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
import type { TConnectionState, TErrorCode, TRevision, TServerFrame } from "@ferry/protocol";
import type { ImapFlow, ListResponse } from "imapflow";
import type { Logger } from "pino";
import { BridgeError, isBridgeError } from "../errors";
import { connectionLost, isConnectionGone, isLoginFailure, reconnectError } from "../imap/errors";
import { fetchRows, type RowsFetcher } from "./rows";
import { type Backoff, backoffDelay, type PeriodicScheduler, sharedScheduler } from "./timing";
import { closeQuietly, MailboxWatcher, type OpenedMailbox, type WatcherHooks } from "./watcher";

export type { OpenedMailbox } from "./watcher";

export interface MailSessionOptions {
  /** Builds a new connected, logged-in client (its `error` listener attached before connect). */
  connect: () => Promise<ImapFlow>;
  log: Logger;
  /** How often other folders' counts are polled. Default 30 s. */
  countsIntervalMs?: number;
  /** Reconnect back-off. Default 250 ms doubling to 30 s. */
  backoff?: Backoff;
  /** Builds the rows of `messages.new`. Default: the rows a window gives (rows.ts). */
  rowsFetcher?: RowsFetcher;
  /** After failing to reconnect this long the state becomes "offline" (retries go on). Default 2 min. */
  offlineAfterMs?: number;
  /** How long run() and openMailbox() wait for a lost connection to come back. Default 10 s. */
  reconnectWaitMs?: number;
  /** The timer for counts polling. Default: the one shared by the process. */
  scheduler?: PeriodicScheduler;
  /** Folders watched at once, INBOX included (at least 2). Default MAX_WATCHED_FOLDERS. */
  maxWatchedFolders?: number;
  /** List revisions from the bridge's counter even where the server has CONDSTORE (tests). */
  counterRevisions?: boolean;
}

/** A watched folder other than INBOX. */
interface Watched {
  readonly watcher: MailboxWatcher;
  /** SELECTed rather than EXAMINEd: some owner opened it read-write since it is watched. */
  readWrite: boolean;
}

/** An owner's open mailbox. */
interface Owned extends OwnedMailbox {
  /** The key of the folder (see folderKey). */
  key: string;
}

type Listener = (frame: TServerFrame) => void;

/** Who opened a mailbox: one token per socket, compared by identity. */
export type MailboxOwner = object;

/** What one owner has open, as openedBy() tells it. */
export interface OwnedMailbox {
  /** The mailbox as the server spells its path. */
  mailbox: string;
  /** Opened read-only: asked for, or the server answered [READ-ONLY]. */
  readOnly: boolean;
}

/**
 * Folders watched at once per session, INBOX included. Each is one IMAP connection; with the
 * command connection and the two side connections (downloads, compose) a session then holds at
 * most 9, under Dovecot's default mail_max_userip_connections of 10 (per user and IP: the
 * bridge's sessions of one user share it).
 */
export const MAX_WATCHED_FOLDERS = 6;

const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 30_000 };

/** How long a prefetched result waits for the request it was made for. */
export const PREFETCH_TTL_MS = 5_000;

/** Events that change what a list window of some mailbox holds: a prefetched one is stale after them. */
const LIST_EVENTS: ReadonlySet<TServerFrame["type"]> = new Set([
  "messages.new",
  "messages.expunged",
  "messages.flags",
  "mailbox.reset",
]);

interface Prefetched {
  result: Promise<unknown>;
  /** `listChanges` when the prefetch was queued. */
  changes: number;
  timer: NodeJS.Timeout;
}

export class MailSession {
  private readonly connectFn: () => Promise<ImapFlow>;
  private readonly log: Logger;
  private readonly countsIntervalMs: number;
  private readonly backoff: Backoff;
  private readonly offlineAfterMs: number;
  private readonly reconnectWaitMs: number;
  private readonly scheduler: PeriodicScheduler;
  private readonly maxWatched: number;
  private readonly hooks: WatcherHooks;

  private cmd: ImapFlow | null = null;
  private cmdUnlisten: (() => void) | null = null;
  private readonly inbox: MailboxWatcher;
  /** INBOX is SELECTed rather than EXAMINEd (some owner opened it read-write). */
  private inboxReadWrite = false;
  /** Watchers of the other folders some owner has open, by key; least recently opened first. */
  private readonly watched = new Map<string, Watched>();
  private readonly owners = new Map<MailboxOwner, Owned>();

  private readonly listeners = new Set<Listener>();
  private current: TConnectionState = "reconnecting";
  private started = false;
  private starting = false;
  private closed = false;
  private closing: Promise<void> | null = null;
  /** Set once the server refused the credentials: nothing reconnects after that. */
  private loginFailure: TErrorCode | null = null;

  private cmdQueue: Promise<unknown> = Promise.resolve();
  /** Results queued ahead of a request expected soon, by the caller's key (see prefetch()). */
  private readonly prefetched = new Map<string, Prefetched>();
  /** Counts the events that change list windows (LIST_EVENTS), whoever listens. */
  private listChanges = 0;
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
    this.maxWatched = Math.max(2, opts.maxWatchedFolders ?? MAX_WATCHED_FOLDERS);
    this.hooks = {
      log: this.log,
      rowsFetcher: opts.rowsFetcher ?? fetchRows,
      emit: (frame) => this.emit(frame),
      status: (mailbox, messages, unseen) => this.updateCounts(mailbox, messages, unseen),
      lost: (watcher) => {
        if (this.isCurrent(watcher)) this.lost(watcher.role);
      },
      counterRevisions: opts.counterRevisions === true,
    };
    this.inbox = new MailboxWatcher("inbox", this.hooks);
  }

  get state(): TConnectionState {
    return this.current;
  }

  /** What `owner` has open (after its last successful openMailbox), or null. */
  openedBy(owner: MailboxOwner): OwnedMailbox | null {
    const owned = this.owners.get(owner);
    return owned ? { mailbox: owned.mailbox, readOnly: owned.readOnly } : null;
  }

  /**
   * Where the pushed events of `path` stand (see MailboxWatcher.revision), or null when it is
   * not watched. Read before a window is: the window then holds every change pushed so far.
   */
  revision(path: string): TRevision | null {
    const key = folderKey(path);
    const watcher = key === "INBOX" ? this.inbox : this.watched.get(key)?.watcher;
    if (!watcher || watcher.path === null || folderKey(watcher.path) !== key) return null;
    return watcher.revision;
  }

  /** The folders whose changes are pushed: INBOX first, then the others, least recently opened first. */
  get watchedMailboxes(): string[] {
    return ["INBOX", ...this.watched.keys()];
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
    let inbox: Promise<unknown>;
    if (first?.usable) {
      // The connection that is already logged in watches INBOX, and the sign-in's first window
      // (prefetch()) is read on it before the watching starts, from where that window left off.
      first.on("error", this.onClientError);
      inbox = this.inbox.start(first, "INBOX", true, { adopt: true });
    } else {
      if (first) await closeQuietly(first);
      inbox = this.connectClient().then((client) => this.inbox.start(client, "INBOX", true));
    }
    inbox = inbox.then(() => {
      if (this.inbox.readOnly === false) this.inboxReadWrite = true;
    });
    // No window is read on the command connection before INBOX is watched: a change made in
    // between would be in neither the window nor any event.
    const command = Promise.all([this.connectClient(), inbox.catch(noop)]).then(([client]) =>
      this.closed ? closeQuietly(client) : this.setCommand(client),
    );
    const failure = firstFailure(await Promise.allSettled([inbox, command]));
    this.starting = false;
    if (this.closed) return;
    this.cancelPoll = this.scheduler.add(() => this.pollCounts(), this.countsIntervalMs);
    if (failure !== null && isLoginFailure(failure)) {
      await this.failLogin(failure);
      throw reconnectError(failure);
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
   * Runs `fn`, which reads INBOX, now, for a request that is expected shortly (at sign-in: the
   * browser's first window of INBOX, which it asks for only once its socket is up).
   * takePrefetched(key) hands the result to that request, once, so the IMAP work overlaps the
   * browser's start instead of following it. Kept for PREFETCH_TTL_MS.
   *
   * `fn` runs on the connection that watches INBOX, between its own work: INBOX's changes are
   * pushed from no later than what `fn` read (at sign-in, right after it: see start()), so a
   * change made just after it is never lost between the two. Nothing is queued while that
   * connection is down; the request then asks the server itself.
   */
  prefetch(key: string, fn: (client: ImapFlow) => Promise<unknown>): void {
    if (this.closed) return;
    this.dropPrefetched(key);
    if (!this.inbox.client?.usable) return;
    const result = this.inbox.run(fn);
    result.catch(noop);
    const timer = setTimeout(() => this.dropPrefetched(key), PREFETCH_TTL_MS);
    timer.unref();
    this.prefetched.set(key, { result, changes: this.listChanges, timer });
  }

  /**
   * The result prefetch(key) queued, or null: when there is none, when it is older than
   * PREFETCH_TTL_MS, or when some list changed since it was queued (it could be stale; the
   * caller then asks the server itself). Each result is handed out once.
   */
  takePrefetched<T>(key: string): Promise<T> | null {
    const entry = this.prefetched.get(key);
    if (!entry) return null;
    this.dropPrefetched(key);
    return entry.changes === this.listChanges ? (entry.result as Promise<T>) : null;
  }

  private dropPrefetched(key: string): void {
    const entry = this.prefetched.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.prefetched.delete(key);
  }

  /**
   * Opens `path` for `owner` (read-only when `readOnly`): its changes are pushed from now on,
   * and what `owner` had open before is let go of. Returns the `mailbox.opened` fields, for the
   * mode `owner` asked (readOnly is true also when the server answered [READ-ONLY]).
   * mailbox_not_found for a mailbox that does not exist; what `owner` had open then stays open.
   */
  openMailbox(path: string, readOnly: boolean, owner: MailboxOwner): Promise<OpenedMailbox> {
    const task = this.openQueue.then(() => this.openNow(path, readOnly, owner));
    this.openQueue = task.then(noop, noop);
    return task;
  }

  /**
   * `owner` has nothing open any more (its socket closed): the folder it had open stops being
   * watched unless another owner has it open (INBOX always is). Queued behind the opens already
   * asked for, so an open still in progress is let go of too. Resolves once the watcher it
   * closed, if any, logged out; never rejects.
   */
  releaseMailbox(owner: MailboxOwner): Promise<void> {
    let closing: Promise<void> = Promise.resolve();
    const task = this.openQueue.then(() => {
      const owned = this.owners.get(owner);
      if (!owned) return;
      this.owners.delete(owner);
      closing = this.unwatchIfUnused(owned.key);
    });
    this.openQueue = task.then(noop, noop);
    return task.then(() => closing).catch(noop);
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
      if (!client.usable || isConnectionGone(err)) throw connectionLost(err);
      throw err;
    }
  }

  private async openNow(
    path: string,
    readOnly: boolean,
    owner: MailboxOwner,
  ): Promise<OpenedMailbox> {
    const key = folderKey(path);
    const info =
      key === "INBOX" ? await this.watchInbox(readOnly) : await this.watchFolder(key, readOnly);
    const ownRO = readOnly || info.readOnly;
    const before = this.owners.get(owner);
    this.owners.set(owner, { key, mailbox: info.mailbox, readOnly: ownRO });
    if (before && before.key !== key) void this.unwatchIfUnused(before.key);
    return ownRO ? { ...info, readOnly: true, permanentFlags: [] } : info;
  }

  /** INBOX in the mode asked for or a stronger one (read-write once anyone asked for it). */
  private async watchInbox(readOnly: boolean): Promise<OpenedMailbox> {
    await this.waitFor(() => (this.inbox.client?.usable ? true : null));
    const readWrite = this.inboxReadWrite || !readOnly;
    const info = await this.inbox.watch("INBOX", !readWrite);
    this.inboxReadWrite = readWrite;
    return info;
  }

  /** A folder other than INBOX: its watcher, made when there is none (and the cap kept). */
  private async watchFolder(key: string, readOnly: boolean): Promise<OpenedMailbox> {
    const existing = this.watched.get(key);
    if (existing) {
      const { watcher } = existing;
      await this.waitFor(() =>
        this.watched.get(key) !== existing || watcher.client?.usable ? true : null,
      );
      // Dropped while it was reconnecting (the folder is gone): start over.
      if (this.watched.get(key) !== existing) return this.watchFolder(key, readOnly);
      const readWrite = existing.readWrite || !readOnly;
      const info = await watcher.watch(key, !readWrite);
      existing.readWrite = readWrite;
      // Most recently opened last: the cap drops from the front.
      this.watched.delete(key);
      this.watched.set(key, existing);
      return info;
    }
    if (this.closed) throw connectionLost();
    const fail = this.unavailable();
    if (fail) throw fail;
    let client: ImapFlow;
    try {
      client = await this.connectClient();
    } catch (err) {
      throw reconnectError(err);
    }
    const watcher = new MailboxWatcher("open", this.hooks);
    const info = await watcher.start(client, key, readOnly);
    if (this.closed) {
      await watcher.close();
      throw connectionLost();
    }
    this.watched.set(key, { watcher, readWrite: !readOnly });
    if (!watcher.client) this.lost("open");
    this.keepCap();
    return info;
  }

  /** Closes the watchers of the least recently opened folders beyond the cap. */
  private keepCap(): void {
    for (const [key, entry] of this.watched) {
      if (this.watched.size + 1 <= this.maxWatched) return;
      this.watched.delete(key);
      this.log.info(
        { mailbox: key, max: this.maxWatched },
        "live: too many folders open; the least recently opened one is no longer watched",
      );
      void entry.watcher.close();
    }
  }

  /** Stops watching the folder `key` when no owner has it open (never INBOX). */
  private unwatchIfUnused(key: string): Promise<void> {
    if (key === "INBOX") return Promise.resolve();
    for (const owned of this.owners.values()) if (owned.key === key) return Promise.resolve();
    const entry = this.watched.get(key);
    if (!entry) return Promise.resolve();
    this.watched.delete(key);
    return entry.watcher.close();
  }

  /** The watcher is one this session still uses (not one closed or dropped since). */
  private isCurrent(watcher: MailboxWatcher): boolean {
    if (watcher === this.inbox) return true;
    for (const entry of this.watched.values()) if (entry.watcher === watcher) return true;
    return false;
  }

  /** Takes every folder watcher out of the session; their close, to be awaited. */
  private dropWatchers(): Promise<void>[] {
    const closing = [...this.watched.values()].map((entry) => entry.watcher.close());
    this.watched.clear();
    return closing;
  }

  private async shutdown(): Promise<void> {
    this.cancelPoll?.();
    this.cancelPoll = null;
    for (const key of [...this.prefetched.keys()]) this.dropPrefetched(key);
    this.wake?.();
    this.listeners.clear();
    this.notifyWaiters();
    this.cmdUnlisten?.();
    this.cmdUnlisten = null;
    const cmd = this.cmd;
    this.cmd = null;
    this.owners.clear();
    await Promise.all([closeQuietly(cmd), this.inbox.close(), ...this.dropWatchers()]);
  }

  private emit(frame: TServerFrame): void {
    if (this.closed) return;
    if (LIST_EVENTS.has(frame.type)) this.listChanges += 1;
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
    if (!this.cmd || !this.inbox.client) return true;
    for (const entry of this.watched.values()) if (!entry.watcher.client) return true;
    return false;
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
    for (const [key, entry] of this.watched) {
      if (entry.watcher.client) continue;
      tasks.push(
        this.connectClient()
          .then((client) => entry.watcher.recover(client))
          .catch((err: unknown) => {
            if (!(isBridgeError(err) && err.code === "mailbox_not_found")) throw err;
            // The folder was deleted or renamed meanwhile: nobody has it open any more.
            if (this.watched.get(key) === entry) this.watched.delete(key);
            for (const [owner, owned] of this.owners) {
              if (owned.key === key) this.owners.delete(owner);
            }
            void entry.watcher.close();
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
    await Promise.all([closeQuietly(cmd), this.inbox.close(), ...this.dropWatchers()]);
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

/** The key a folder is watched under: its path, with INBOX (any case) spelled INBOX. */
function folderKey(path: string): string {
  return path.toUpperCase() === "INBOX" ? "INBOX" : path;
}

function firstFailure(results: PromiseSettledResult<unknown>[]): unknown {
  const errors: unknown[] = [];
  for (const r of results) if (r.status === "rejected") errors.push(r.reason);
  return errors.find(isLoginFailure) ?? (errors.length > 0 ? errors[0] : null);
}

function noop(): void {}
