/**
 * The watch connections of one account, shared by that account's sessions in this process
 * (AccountWatch), and the table of them by account key (AccountWatches).
 *
 * An AccountWatch owns what every session of the account would otherwise hold a copy of: the
 * WatcherPool (INBOX's IDLE connection and one per other folder some socket of any member has
 * open, so the watched set is the union of the members') and the FolderNotify connection (other
 * folders' counts; and, to onFolderChanged's listeners, that a folder changed at all: a flag
 * change that moves no count is reported too). An event is computed once, on its watcher, and
 * the same frame object is handed to every member (WatchMember.emit), which passes it to its
 * own sockets.
 *
 * - Who shares: only sessions that authenticated themselves against the server join (the
 *   session's own connection logged in first: see MailSession.start), and only under the same
 *   account key (session/account.ts: server host and port, user name). Nothing crosses keys.
 * - Reference counting: the first member to join makes the AccountWatch, the last to leave
 *   closes its connections and removes it from the table. A member leaving (signed out, its
 *   login refused, detached) takes along only what its own sockets had open.
 * - Credentials: a shared connection logs in with a member's credentials, the newest member's
 *   first. A member whose password the server refuses is told (WatchMember.loginRefused, which
 *   ends that session) and the next member's are tried; the others are not affected.
 * - Faults: a shared connection that closes is rebuilt once for all members by the AccountWatch's
 *   own Reconnector (imapflow never reconnects: a new client each time); its watchers resync on
 *   the way and emit what changed to every member. Members are told when it goes down and comes
 *   back (WatchMember.watchLost / their Reconnector waits on this one) so their state follows.
 * - Folder changes through Ferry (FolderEchoes, per account and per process): NOTIFY's report of
 *   one is not handed to the members, whose sockets were told when it was made.
 * - Per-session state stays in the session: its command connection, what each of its sockets
 *   has open (by owner, in the pool), its counts, quota, prefetched window and state.
 */
import type { TConnectionState, TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import { connectionLost, isLoginFailure } from "../imap/errors";
import { FolderEchoes } from "./folder-echoes";
import { FolderNotify } from "./folder-notify";
import { Reconnector } from "./reconnect";
import type { RowsFetcher } from "./rows";
import type { Backoff, PeriodicScheduler } from "./timing";
import { WatcherPool } from "./watcher-pool";

/** One session, as the AccountWatch it joined sees it. */
export interface WatchMember {
  /** A new connected, logged-in client with this session's own credentials. */
  connect(): Promise<ImapFlow>;
  /** A pushed event of a watched folder (the same object goes to every member). */
  emit(frame: TServerFrame): void;
  /** Current counts of a watched folder. */
  status(mailbox: string, messages: number, unseen: number): void;
  /** Counts of another folder, pushed by NOTIFY. */
  notifiedStatus(path: string, counts: { messages?: number; unseen?: number }): void;
  /** The folder set changed (NOTIFY). */
  foldersChanged(): void;
  /** A shared connection went down: the member's state follows until it is back. */
  watchLost(): void;
  /** Every shared connection is back: a member still backing off tries again now. */
  watchBack(): void;
  /** The server refused this member's credentials while a shared connection logged in. */
  loginRefused(err: unknown): void;
}

/** How the AccountWatch is set up: taken from the session that makes it. */
export interface AccountWatchOptions {
  log: Logger;
  backoff: Backoff;
  offlineAfterMs: number;
  reconnectWaitMs: number;
  scheduler: PeriodicScheduler;
  maxWatched: number;
  rowsFetcher: RowsFetcher;
  counterRevisions: boolean;
  /** Use IMAP NOTIFY for other folders' counts where the server has it. */
  notify: boolean;
  /** How often the NOTIFY connection is probed (folder-notify.ts); its default when undefined. */
  notifyProbeMs?: number | undefined;
}

export class AccountWatch {
  readonly health: Reconnector;
  readonly pool: WatcherPool;
  /** Other folders' counts pushed by the server (null: NOTIFY turned off by the options). */
  readonly notify: FolderNotify | null;
  /** In the order they joined: the newest last. */
  private readonly members = new Set<WatchMember>();
  private inboxStart: Promise<void> | null = null;
  private notifyStarted = false;
  private closing: Promise<void> | null = null;
  private readonly closers: Array<() => Promise<void>> = [];
  private readonly folderListeners = new Set<(path: string) => void>();
  private readonly echoes = new FolderEchoes();

  constructor(
    private readonly opts: AccountWatchOptions,
    private readonly onEmpty: () => void = noop,
  ) {
    const log = opts.log;
    this.health = new Reconnector({
      log,
      backoff: opts.backoff,
      offlineAfterMs: opts.offlineAfterMs,
      reconnectWaitMs: opts.reconnectWaitMs,
      anyDown: () => this.pool.anyDown(),
      reconnectDown: () => this.reconnectDown(),
      failLogin: () => this.stop(),
      stateChanged: (state) => this.stateChanged(state),
      online: noop,
    });
    this.notify = opts.notify
      ? new FolderNotify({
          connect: () => this.connect(),
          log,
          status: (path, counts) => {
            for (const m of this.members) m.notifiedStatus(path, counts);
            for (const fn of this.folderListeners) fn(path);
          },
          foldersChanged: (paths) => {
            if (this.echoes.isEcho(paths)) {
              log.debug({ paths }, "live: NOTIFY echo of a folder change through Ferry");
              return;
            }
            log.debug({ paths }, "live: NOTIFY folder change announced");
            for (const m of this.members) m.foldersChanged();
          },
          backoff: opts.backoff,
          scheduler: opts.scheduler,
          probeMs: opts.notifyProbeMs,
        })
      : null;
    this.pool = new WatcherPool({
      health: this.health,
      log,
      maxWatched: opts.maxWatched,
      connect: () => this.connect(),
      emit: (frame) => this.emit(frame),
      hooks: {
        log,
        rowsFetcher: opts.rowsFetcher,
        emit: (frame) => this.emit(frame),
        status: (mailbox, messages, unseen) => {
          for (const m of this.members) m.status(mailbox, messages, unseen);
        },
        counterRevisions: opts.counterRevisions,
      },
    });
  }

  /** Sessions sharing these connections. */
  get size(): number {
    return this.members.size;
  }

  /** Closed: its last member left (or every member's login was refused). */
  get closed(): boolean {
    return this.health.closed;
  }

  /** INBOX's watching was started (it may since have failed and be reconnecting). */
  get inboxStarted(): boolean {
    return this.inboxStart !== null;
  }

  /** Settles once the first start of INBOX's watcher is over (up, or reconnecting). */
  inboxSettled(): Promise<void> {
    return this.inboxStart ?? Promise.resolve();
  }

  join(member: WatchMember): void {
    if (this.health.closed) throw new Error("AccountWatch.join() after close");
    this.members.add(member);
  }

  /**
   * `member` leaves: the folders only its sockets (`owners`) had open stop being watched, and
   * when it was the last member every connection is logged out. Never rejects.
   */
  async leave(member: WatchMember): Promise<void> {
    if (!this.members.delete(member)) return;
    if (this.members.size === 0) {
      await this.close();
      return;
    }
    await this.pool.forgetOwners(member);
  }

  /**
   * Starts watching INBOX, once: on `adopted` (the sign-in's connection, see
   * WatcherPool.startInbox) or on a new connection. Later calls settle with the first start.
   */
  startInbox(adopted: ImapFlow | null): Promise<void> {
    if (this.inboxStart) return this.inboxStart;
    const health = this.health;
    health.starting = true;
    const started = this.pool.startInbox(adopted);
    this.inboxStart = started.then(
      () => this.started(null),
      (err: unknown) => this.started(err),
    );
    return started;
  }

  /**
   * Opens the NOTIFY connection, once (a member calls this when its own start is over, so the
   * counts NOTIFY first brings come after that member's first counts poll, as without sharing).
   */
  startNotify(): void {
    if (this.notifyStarted || this.health.closed) return;
    this.notifyStarted = true;
    void this.notify?.start();
  }

  /** A new client for a shared connection, with the newest member's credentials that work. */
  async connect(): Promise<ImapFlow> {
    let refused: unknown = null;
    for (const member of [...this.members].reverse()) {
      if (this.health.closed) break;
      try {
        return await member.connect();
      } catch (err) {
        if (!isLoginFailure(err)) throw err;
        refused = err;
        member.loginRefused(err);
      }
    }
    throw refused ?? connectionLost();
  }

  /**
   * `fn` hears of every folder NOTIFY reports a change in (messages, flags or keywords; not
   * INBOX, which IDLE watches), whether or not a count moved. Returns the unsubscribe.
   */
  onFolderChanged(fn: (path: string) => void): () => void {
    this.folderListeners.add(fn);
    return () => this.folderListeners.delete(fn);
  }

  /**
   * A folder change through Ferry to `paths` (ws/dispatch.ts) is about to be sent and will be
   * announced there: NOTIFY's report of it, within a few seconds, is not handed on again.
   */
  expectFolderEcho(paths: readonly string[]): void {
    this.echoes.expect(paths);
  }

  /** Runs `fn` when it closes (a connection kept per account beside it: live/sent-connection.ts). */
  onClose(fn: () => Promise<void>): void {
    if (this.closing) void fn().catch(noop);
    else this.closers.push(fn);
  }

  /** Logs every connection out. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      this.health.closed = true;
      this.health.close();
      this.onEmpty();
      this.members.clear();
      this.folderListeners.clear();
      this.closing = Promise.all([
        this.pool.forgetOwners(null),
        this.pool.close(),
        this.notify?.close(),
        ...this.closers.splice(0).map((fn) => fn()),
      ]).then(noop, noop);
    }
    return this.closing;
  }

  // -------------------------------------------------------------------------------------------

  private emit(frame: TServerFrame): void {
    for (const m of this.members) m.emit(frame);
  }

  private started(failure: unknown): void {
    const health = this.health;
    health.starting = false;
    if (health.closed) return;
    if (failure !== null && isLoginFailure(failure)) return void this.stop();
    if (failure !== null) this.opts.log.warn({ err: failure }, "live: watch start failed");
    if (this.pool.anyDown()) void health.recover();
    else health.setState("online");
  }

  private stateChanged(state: TConnectionState): void {
    for (const m of this.members) {
      if (state === "online") m.watchBack();
      else m.watchLost();
    }
  }

  private async reconnectDown(): Promise<unknown> {
    const results = await Promise.allSettled(this.pool.reconnectDown());
    const errors: unknown[] = [];
    for (const r of results) if (r.status === "rejected") errors.push(r.reason);
    const failure = errors.find(isLoginFailure) ?? (errors.length > 0 ? errors[0] : null);
    if (failure === null) this.health.notifyWaiters();
    return failure;
  }

  /** No member's credentials work any more: the connections are closed for good. */
  private async stop(): Promise<void> {
    this.health.loginFailure = "auth_failed";
    await this.close();
  }
}

/** The AccountWatch of each account key in this process. */
export class AccountWatches {
  private readonly byKey = new Map<string, AccountWatch>();

  /**
   * The AccountWatch of `key`, made with `opts` when there is none (or the last one closed),
   * with `member` joined.
   */
  join(key: string, member: WatchMember, opts: AccountWatchOptions): AccountWatch {
    let watch = this.byKey.get(key);
    if (!watch || watch.closed) {
      const made: AccountWatch = new AccountWatch(opts, () => {
        if (this.byKey.get(key) === made) this.byKey.delete(key);
      });
      watch = made;
      this.byKey.set(key, made);
    }
    watch.join(member);
    return watch;
  }

  /** The AccountWatch of `key`, if some session of it is live here. */
  get(key: string): AccountWatch | undefined {
    return this.byKey.get(key);
  }

  /** Accounts with shared connections in this process. */
  get size(): number {
    return this.byKey.size;
  }
}

/** The table every MailSession with an account key uses unless given another. */
export const sharedAccountWatches = new AccountWatches();

function noop(): void {}
