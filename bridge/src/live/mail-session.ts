/**
 * MailSession: the IMAP side of one signed-in session. It owns that session's command connection,
 * joins its account's shared watch connections, keeps them alive, and pushes what changes as
 * protocol events; each job lives in its own module:
 *
 * - options and their defaults (mail-session-options.ts);
 * - command connection (command-connection.ts): every request, through run() (one at a time),
 *   plus the counts poll;
 * - watchers (watcher-pool.ts), shared by the sessions of one account in this process
 *   (account-watch.ts, when the session has an account key; else its own), joined and left
 *   through session-watch.ts: INBOX's, which IDLEs on INBOX always, and one per other folder
 *   some socket has open. A session joins once its own connection logged in. At sign-in, when
 *   the account has no watcher yet, the connection that verified the password watches INBOX,
 *   the first window (prefetch()) read on it first, and the command connection logs in once
 *   the sign-in is answered; when it has one, that connection is the command connection and
 *   prefetch() reads on the shared INBOX watcher. The command connection is handed out only
 *   once INBOX is watched, so no window is older than the start of its events;
 * - read-ahead results (prefetch.ts): handed out once, only while no list changed since;
 * - connection state and reconnecting (reconnect.ts): a connection that closes without close()
 *   puts the session in "reconnecting"; every connection that is down is rebuilt through
 *   `connect()` (imapflow never reconnects a client) with capped exponential back-off and
 *   jitter; watchers resync on the way (watcher.ts), then the state is "online" again. A shared
 *   watch connection is rebuilt once, by the account's watch, for all its sessions, which wait
 *   for it. After `offlineAfterMs` of failures it is "offline" and retries go on, slower. A
 *   refused password stops the retries: state "offline" and an `error` auth_failed event;
 * - other folders' counts (session-counts.ts): pushed by the server where it has IMAP NOTIFY
 *   (folder-notify.ts), else polled with LIST-STATUS on the command connection;
 * - the quota (quota-watch.ts): read when it comes online, again after counts change while the
 *   server has one; `quota.changed` when it did.
 *
 * Events of every watched folder go to every subscriber: each tab's cache takes what it knows
 * about. Between sessions only the counts timer and, within one account, the watch connections
 * (and the events they compute) are shared.
 */
import type { TConnectionState, TErrorCode, TRevision, TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import { isBridgeError } from "../errors";
import { connectionLost, isLoginFailure, reconnectError } from "../imap/errors";
import { readQuota } from "../imap/quota";
import { type AccountWatch, sharedAccountWatches, type WatchMember } from "./account-watch";
import { CommandConnection, type RunOptions } from "./command-connection";
import { closeQuietly } from "./imap-ops";
import type { StartOptions } from "./mail-session-options";
import { DEFAULT_BACKOFF, type MailSessionOptions, watchOptionsOf } from "./mail-session-options";
import { PrefetchCache } from "./prefetch";
import { QuotaWatch } from "./quota-watch";
import { Reconnector } from "./reconnect";
import { SessionCounts } from "./session-counts";
import { SessionWatch } from "./session-watch";
import { type PeriodicScheduler, sharedScheduler } from "./timing";
import type { OpenedMailbox } from "./tracked-mailbox";
import type { MailboxOwner, OwnedMailbox } from "./watcher-pool";

export { MAX_WATCHED_FOLDERS, type MailSessionOptions } from "./mail-session-options";
export { PREFETCH_TTL_MS } from "./prefetch";
export type { OpenedMailbox } from "./tracked-mailbox";
export type { MailboxOwner, OwnedMailbox } from "./watcher-pool";

type Listener = (frame: TServerFrame) => void;

export class MailSession {
  private readonly connectFn: () => Promise<ImapFlow>;
  private readonly log: Logger;
  private readonly countsIntervalMs: number;
  private readonly scheduler: PeriodicScheduler;

  private readonly health: Reconnector;
  private readonly command: CommandConnection;
  /** The account's watch connections, as this session joined them. */
  private readonly watches: SessionWatch;
  private readonly prefetched = new PrefetchCache();
  private readonly counts: SessionCounts;
  private readonly quota: QuotaWatch;

  private readonly listeners = new Set<Listener>();
  private started = false;
  private closing: Promise<void> | null = null;
  private cancelPoll: (() => void) | null = null;

  constructor(opts: MailSessionOptions) {
    this.connectFn = opts.connect;
    this.log = opts.log;
    this.countsIntervalMs = Math.max(1, opts.countsIntervalMs ?? 30_000);
    this.scheduler = opts.scheduler ?? sharedScheduler;
    this.health = new Reconnector({
      log: this.log,
      backoff: opts.backoff ?? DEFAULT_BACKOFF,
      offlineAfterMs: opts.offlineAfterMs ?? 120_000,
      reconnectWaitMs: opts.reconnectWaitMs ?? 10_000,
      anyDown: () => !this.command.client || this.watches.anyDown,
      reconnectDown: () => this.reconnectDown(),
      failLogin: (err) => this.failLogin(err),
      stateChanged: (state) => this.emit({ type: "state", imap: state }),
      online: () => {
        void this.counts.poll();
        this.quota.refresh();
      },
    });
    this.command = new CommandConnection(this.health);
    this.counts = new SessionCounts({
      emit: (frame) => this.emit(frame),
      log: this.log,
      watched: () => this.watches.watchedMailboxes,
      canPoll: () =>
        !this.health.closed &&
        this.health.state === "online" &&
        this.command.client?.usable === true,
      closed: () => this.health.closed,
      listStatus: () =>
        this.run((client) => client.list({ statusQuery: { messages: true, unseen: true } }), {
          yields: true,
        }),
    });
    this.quota = new QuotaWatch({
      read: () => this.run((client) => readQuota(client), { yields: true }),
      emit: (frame) => this.emit(frame),
      log: this.log,
    });
    const member: WatchMember = {
      connect: () => this.connectClient(),
      emit: (frame) => this.emit(frame),
      status: (mailbox, messages, unseen) => this.counts.folders.update(mailbox, messages, unseen),
      notifiedStatus: (path, counts) => this.counts.notifiedStatus(path, counts),
      foldersChanged: () => this.counts.foldersChanged(),
      watchLost: () => this.health.lost("watch"),
      watchBack: () => this.health.retryNow(),
      loginRefused: (err) => void this.failLogin(err),
    };
    this.watches = new SessionWatch({
      account: opts.account ?? null,
      accounts: opts.accounts ?? sharedAccountWatches,
      options: watchOptionsOf(opts, this.scheduler),
      member,
      health: this.health,
    });
  }

  get state(): TConnectionState {
    return this.health.state;
  }

  /** What `owner` has open (after its last successful openMailbox), or null. */
  openedBy(owner: MailboxOwner): OwnedMailbox | null {
    return this.watches.openedBy(owner);
  }

  /**
   * Where the pushed events of `path` stand (see MailboxWatcher.revision), or null when it is
   * not watched. Read before a window is: the window then holds every change pushed so far.
   */
  revision(path: string): TRevision | null {
    return this.watches.revision(path);
  }

  /** The AccountWatch this session shares with its account's other sessions (null: none yet). */
  get accountWatch(): AccountWatch | null {
    return this.watches.watch;
  }

  /**
   * The folders whose changes are pushed (for the whole account): INBOX first, then the others,
   * least recently opened first.
   */
  get watchedMailboxes(): string[] {
    return this.watches.watchedMailboxes;
  }

  /** Receives every pushed event (frames without an id). Returns the unsubscribe function. */
  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  /**
   * Starts the connections; `first` (already logged in, from sign-in) watches INBOX, or is the
   * command connection when the account's INBOX is watched already (see StartOptions). Resolves
   * once they are up, or once the first try failed and reconnecting has taken over (see
   * `state`). Rejects only when the server refused the credentials.
   */
  async start(first?: ImapFlow, opts: StartOptions = {}): Promise<void> {
    if (this.started) throw new Error("MailSession.start() called twice");
    this.started = true;
    const health = this.health;
    if (health.closed) {
      await closeQuietly(first ?? null);
      return;
    }
    health.starting = true;
    let inbox: Promise<void>;
    let commandClient: Promise<ImapFlow>;
    if (first?.usable) {
      // `first` has just verified the password: the session joins its account's watch at once.
      first.on("error", this.onClientError);
      const watch = this.watches.join();
      if (watch.inboxStarted) {
        // INBOX is watched already: `first` is the command connection.
        inbox = watch.inboxSettled();
        commandClient = Promise.resolve(first);
      } else {
        // `first` watches INBOX, and the sign-in's first window (prefetch()) is read on it
        // before the watching starts, from where that window left off.
        inbox = watch.startInbox(first);
        const answered = Promise.resolve(opts.commandAfter).then(noop, noop);
        commandClient = answered.then(() => this.connectClient());
      }
    } else {
      if (first) await closeQuietly(first);
      // Rebuilt from its record: its own connection logs in before it joins anything shared.
      commandClient = this.connectClient();
      inbox = commandClient.then(() => this.watches.watchInbox());
    }
    // No window is read on the command connection before INBOX is watched: a change made in
    // between would be in neither the window nor any event.
    const command = Promise.all([commandClient, inbox.catch(noop)]).then(([client]) =>
      health.closed ? closeQuietly(client) : this.command.set(client),
    );
    const failure = firstFailure(await Promise.allSettled([inbox, command]));
    health.starting = false;
    if (health.closed) return;
    // While NOTIFY is in force the server pushes the counts: the poll is the fallback.
    this.cancelPoll = this.scheduler.add(
      () => (this.watches.watch?.notify?.active ? Promise.resolve() : this.counts.poll()),
      this.countsIntervalMs,
    );
    if (failure !== null && isLoginFailure(failure)) {
      await this.failLogin(failure);
      throw reconnectError(failure);
    }
    this.watches.watch?.startNotify();
    if (failure !== null) this.log.warn({ err: failure }, "live: start failed, reconnecting");
    if (!this.command.client || this.watches.anyDown) {
      void health.recover();
      return;
    }
    health.setState("online");
    void this.counts.poll();
    this.quota.refresh();
  }

  /**
   * Runs `fn` on the command connection, one call at a time (so a mailbox lock taken inside is
   * never interleaved with another call's). While that connection is down it waits up to
   * `reconnectWaitMs` for it; a connection lost before or during `fn` rejects with
   * BridgeError("connection_lost"). Other errors of `fn` pass through. A `background` call
   * (read-ahead) lets foreground calls queued after it go first (command-connection.ts).
   */
  run<T>(fn: (client: ImapFlow) => Promise<T>, opts: RunOptions = {}): Promise<T> {
    return this.command.run(fn, opts);
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
    if (this.health.closed) return;
    this.prefetched.drop(key);
    const inbox = this.watches.watch?.pool.inbox;
    if (!inbox?.client?.usable) return;
    const result = inbox.run(fn);
    result.catch(noop);
    this.prefetched.put(key, result);
  }

  /**
   * The result prefetch(key) queued, or null: when there is none, when it is older than
   * PREFETCH_TTL_MS, or when some list changed since it was queued (it could be stale; the
   * caller then asks the server itself). Each result is handed out once.
   */
  takePrefetched<T>(key: string): Promise<T> | null {
    return this.prefetched.take<T>(key);
  }

  /** As takePrefetched, but left for it and kept PREFETCH_TTL_MS from now (the sign-in answer's). */
  keepPrefetched<T>(key: string): Promise<T> | null {
    return this.prefetched.keep<T>(key);
  }

  /**
   * Opens `path` for `owner` (read-only when `readOnly`): its changes are pushed from now on,
   * and what `owner` had open before is let go of. Returns the `mailbox.opened` fields, for the
   * mode `owner` asked (readOnly is true also when the server answered [READ-ONLY]).
   * mailbox_not_found for a mailbox that does not exist; what `owner` had open then stays open.
   */
  async openMailbox(path: string, readOnly: boolean, owner: MailboxOwner): Promise<OpenedMailbox> {
    return this.watches.open(path, readOnly, owner);
  }

  /**
   * `owner` has nothing open any more (its socket closed): the folder it had open stops being
   * watched unless another owner has it open (INBOX always is). Queued behind the opens already
   * asked for, so an open still in progress is let go of too. Resolves once the watcher it
   * closed, if any, logged out; never rejects.
   */
  releaseMailbox(owner: MailboxOwner): Promise<void> {
    return this.watches.release(owner);
  }

  /** Logs out every connection and stops all timers. Idempotent; nothing is emitted afterwards. */
  close(): Promise<void> {
    if (!this.closing) {
      this.health.closed = true;
      this.closing = this.shutdown();
    }
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.cancelPoll?.();
    this.cancelPoll = null;
    this.quota.close();
    this.counts.close();
    this.prefetched.clear();
    this.listeners.clear();
    this.health.close();
    const cmd = this.command.take();
    await Promise.all([closeQuietly(cmd), this.watches.leave()]);
  }

  private emit(frame: TServerFrame): void {
    if (this.health.closed) return;
    this.prefetched.noteEvent(frame);
    this.quota.observe(frame);
    for (const fn of this.listeners) {
      try {
        fn(frame);
      } catch (err) {
        this.log.error({ err }, "live: event subscriber threw");
      }
    }
  }

  // Connections ---------------------------------------------------------------------------------

  private readonly onClientError = (err: unknown) => {
    this.log.debug({ err }, "live: IMAP connection error");
  };

  private async connectClient(): Promise<ImapFlow> {
    if (this.health.closed) throw connectionLost();
    const client = await this.health.connect(this.connectFn);
    client.on("error", this.onClientError);
    if (this.health.closed || this.health.loginFailure) {
      await closeQuietly(client);
      throw connectionLost();
    }
    return client;
  }

  /** One try at every connection that is down, in parallel. The first failure, or null. */
  private async reconnectDown(): Promise<unknown> {
    const tasks: Promise<unknown>[] = [];
    let command: Promise<unknown> = Promise.resolve();
    if (!this.command.client) {
      command = this.connectClient().then((client) => this.command.set(client));
      tasks.push(command);
    }
    const watch = this.watches.reconnect(command);
    if (watch) tasks.push(watch);
    const failure = firstFailure(await Promise.allSettled(tasks));
    if (failure === null) this.health.notifyWaiters();
    return failure;
  }

  private async failLogin(err: unknown): Promise<void> {
    if (this.health.loginFailure || this.health.closed) return;
    const code: TErrorCode =
      isBridgeError(err) && err.code === "login_refused" ? "login_refused" : "auth_failed";
    this.health.loginFailure = code;
    // Nothing of the shared watch reaches this session any more; the others are not touched.
    const leaving = this.watches.leave();
    this.cancelPoll?.();
    this.cancelPoll = null;
    this.quota.close();
    this.log.warn({ code }, "live: the server refused the login; not reconnecting");
    this.health.setState("offline");
    this.emit({
      type: "error",
      code,
      message:
        code === "auth_failed"
          ? "The mail server no longer accepts your password. Sign in again."
          : "The mail server refused the login. Sign in again.",
    });
    this.health.notifyWaiters();
    const cmd = this.command.take();
    await Promise.all([closeQuietly(cmd), leaving]);
  }
}

function firstFailure(results: PromiseSettledResult<unknown>[]): unknown {
  const errors: unknown[] = [];
  for (const r of results) if (r.status === "rejected") errors.push(r.reason);
  return errors.find(isLoginFailure) ?? (errors.length > 0 ? errors[0] : null);
}

function noop(): void {}
