/**
 * One IDLE connection holding one mailbox selected (MailboxWatcher): its lifecycle (attached,
 * watching a mailbox in a mode (watcher-select.ts), lost, recovered on a new connection, closed)
 * and the one chain of jobs its connection runs. What the server announces is recorded in an EventBatch
 * (event-batch.ts) and turned into `messages.expunged`, `messages.flags`, `messages.new`
 * (new-mail.ts) and `mailbox.status` events by the next flush, after a resync (resync.ts) where
 * what it knows may not match the server; each event carries the mailbox's revision
 * (tracked-mailbox.ts).
 *
 * Event handlers only record (synchronously, in server order); a queued flush (watcher-flush.ts)
 * then talks to the server: fetch new rows, count unseen. When the chain of jobs is empty the
 * watcher IDLEs again at once on its mailbox (watcher-idle.ts: imapflow's own auto-IDLE would
 * wait 15 s), also after an IDLE that something else ended, and selects its mailbox again first
 * when something else moved the connection. All work on the connection runs through one promise
 * chain, so nothing here ever runs two commands of its own at the same time.
 *
 * Two modes, picked per connection:
 * - QRESYNC enabled: expunges come as VANISHED with UIDs and flag changes carry UIDs, so nothing
 *   per message is kept. A reconnect re-SELECTs with (QRESYNC (uidvalidity modseq)).
 * - otherwise: a UidList maps sequence numbers to UIDs; a reconnect diffs UID SEARCH ALL against
 *   it and fetches FLAGS (CHANGEDSINCE modseq) where CONDSTORE is on, else sends mailbox.reset.
 */
import type { TRevision, TServerFrame } from "@ferry/protocol";
import type { ExistsEvent, ExpungeEvent, FlagsEvent, ImapFlow, MailboxObject } from "imapflow";
import type { Logger } from "pino";
import { BridgeError } from "../errors";
import { connectionLost } from "../imap/errors";
import { EventBatch } from "./event-batch";
import { closeQuietly, selectMailbox } from "./imap-ops";
import type { NewMailContext } from "./new-mail";
import { type ResyncContext, resyncMailbox } from "./resync";
import type { RowsFetcher } from "./rows";
import { type OpenedMailbox, type Tracked, trackMailbox } from "./tracked-mailbox";
import { flushWatcher } from "./watcher-flush";
import { type IdleHost, IdleKeeper } from "./watcher-idle";
import { type WatchHost, watchMailbox } from "./watcher-select";

export interface WatcherHooks {
  log: Logger;
  rowsFetcher: RowsFetcher;
  emit(frame: TServerFrame): void;
  /** Current counts of a watched mailbox (the session sends mailbox.status when they changed). */
  status(mailbox: string, messages: number, unseen: number): void;
  /** The connection closed without close(): the owner reconnects and calls recover(). */
  lost(watcher: MailboxWatcher): void;
  /** Revisions from the bridge's counter even where the server has CONDSTORE. */
  counterRevisions?: boolean;
}

export class MailboxWatcher {
  private conn: ImapFlow | null = null;
  private unlisten: (() => void) | null = null;
  private t: Tracked | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private jobs = 0;
  private closed = false;
  /** Recorded by the handlers and sent by the next flush. */
  private readonly batch = new EventBatch();
  private flushQueued = false;
  /** IDLEs whenever the queue is empty (watcher-idle.ts). */
  private readonly idleKeeper: IdleKeeper;
  /** What the last SELECT/EXAMINE run() made while nothing was watched answered (see adopt). */
  private selected: { path: string; uidNext: number } | null = null;
  private readonly resyncContext: ResyncContext;
  private readonly host: WatchHost & IdleHost;

  constructor(
    readonly role: "inbox" | "open",
    private readonly hooks: WatcherHooks,
  ) {
    const newMail: NewMailContext = {
      batch: this.batch,
      rowsFetcher: hooks.rowsFetcher,
      log: hooks.log,
      isTracked: (t) => this.t === t,
      scheduleFlush: () => this.scheduleFlush(),
      needResync: () => this.needResync(),
      emit: (frame) => this.emit(frame),
    };
    this.resyncContext = { batch: this.batch, needResync: () => this.needResync() };
    this.host = {
      role,
      batch: this.batch,
      newMail,
      log: hooks.log,
      connection: () => this.conn,
      tracked: () => this.t,
      resync: (client, t, reselect) => this.resync(client, t, reselect),
      reset: (client, t, mb) => this.reset(client, t, mb),
      needResync: () => this.needResync(),
      scheduleFlush: () => this.scheduleFlush(),
      emit: (frame) => this.emit(frame),
      status: (t, messages, unseen) => {
        if (this.t === t && !this.closed) this.hooks.status(t.path, messages, unseen);
      },
      setTracked: (t) => {
        this.t = t;
      },
      track: (client, mb, readOnly) => this.track(client, mb, readOnly),
      flush: () => this.flush(),
      selectedUnwatched: () => this.selected,
      busy: () => this.jobs > 0,
      closed: () => this.closed,
      reselect: (client, t) =>
        this.enqueue(async () => {
          if (client !== this.conn || this.t !== t || !client.usable) return;
          if (client.mailbox && client.mailbox.path === t.path) return;
          t.positionsValid = false;
          await this.resync(client, t, true);
          this.scheduleFlush();
        }),
    };
    this.idleKeeper = new IdleKeeper(this.host);
  }

  /** The connection, or null while it is down. */
  get client(): ImapFlow | null {
    return this.conn;
  }

  /** The watched mailbox (kept while reconnecting), or null before the first watch(). */
  get path(): string | null {
    return this.t?.path ?? null;
  }

  /**
   * Where the events of the watched mailbox stand: a window read after this (on any connection)
   * holds every change of the events emitted so far. Null when nothing is watched.
   */
  get revision(): TRevision | null {
    const t = this.t;
    return t ? { source: t.revSource, n: t.rev } : null;
  }

  /** The mode the mailbox is watched in (EXAMINE: true), or null when nothing is watched. */
  get readOnly(): boolean | null {
    return this.t?.readOnly ?? null;
  }

  /**
   * Runs `fn` on this connection between the watcher's own jobs (out of IDLE), and resolves with
   * its result. When `fn` selects anything, the watched mailbox is selected again afterwards, in
   * its mode, and resynced. Rejects with connection_lost while the
   * connection is down.
   */
  run<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      const client = this.conn;
      if (!client?.usable) throw connectionLost();
      // imapflow replaces its mailbox object at every SELECT.
      const before = client.mailbox;
      try {
        return await fn(client);
      } finally {
        const t = this.t;
        if (t && client.usable && client === this.conn && client.mailbox !== before) {
          t.positionsValid = false;
          await this.resync(client, t, true);
          this.scheduleFlush();
        }
      }
    });
  }

  /** Takes `client` (connected, logged in) as this watcher's connection. */
  attach(client: ImapFlow): void {
    this.detach();
    this.conn = client;
    const guard =
      <E>(handler: (ev: E) => void) =>
      (ev: E) => {
        if (client !== this.conn) return;
        try {
          handler.call(this, ev);
        } catch (err) {
          this.hooks.log.error({ err, role: this.role }, "live: event handler failed");
          this.needResync();
        }
      };
    const onExists = guard(this.onExists);
    const onExpunge = guard(this.onExpunge);
    const onFlags = guard(this.onFlags);
    const onOpen = (mb: MailboxObject) => {
      if (client === this.conn && this.t === null) {
        this.selected = { path: mb.path, uidNext: mb.uidNext };
      }
    };
    const onClose = () => {
      if (client !== this.conn) return;
      this.detach();
      if (!this.closed) this.hooks.lost(this);
    };
    client.on("exists", onExists);
    client.on("expunge", onExpunge);
    client.on("flags", onFlags);
    client.on("mailboxOpen", onOpen);
    client.on("close", onClose);
    this.unlisten = () => {
      client.off("exists", onExists);
      client.off("expunge", onExpunge);
      client.off("flags", onFlags);
      client.off("mailboxOpen", onOpen);
      client.off("close", onClose);
    };
    if (!client.usable) onClose();
  }

  /** Lets go of the connection (without closing it) and returns it. */
  detach(): ImapFlow | null {
    const client = this.conn;
    this.unlisten?.();
    this.unlisten = null;
    this.conn = null;
    return client;
  }

  /**
   * SELECTs (EXAMINEs when `readOnly`) `path` and watches it from now on; what was known about the
   * previously watched mailbox is dropped. If the new one cannot be opened, the previous one is
   * re-selected and stays watched. The mailbox already watched, in another mode, is selected
   * again in the new one and resynced as after a reconnect: others waiting for its changes miss
   * none of those that came in between.
   */
  watch(path: string, readOnly: boolean): Promise<OpenedMailbox> {
    return this.enqueue(() => watchMailbox(this.host, path, readOnly, false));
  }

  /**
   * Takes `client` and watches `path` on it; on failure lets go of it and closes it. With
   * `adopt`, the watching starts one macrotask later, after what run() queued meanwhile (the
   * sign-in's first window), and from the mailbox that left selected when it is `path` (see
   * watchMailbox). The mode watched is then that one: see `readOnly`.
   */
  async start(
    client: ImapFlow,
    path: string,
    readOnly: boolean,
    opts: { adopt?: boolean } = {},
  ): Promise<OpenedMailbox> {
    if (this.closed) {
      await closeQuietly(client);
      throw connectionLost();
    }
    this.attach(client);
    const adopt = opts.adopt === true;
    try {
      if (adopt) await new Promise<void>((resolve) => setImmediate(resolve));
      return await this.enqueue(() => watchMailbox(this.host, path, readOnly, adopt));
    } catch (err) {
      if (this.conn === client) this.detach();
      await closeQuietly(client);
      throw err;
    }
  }

  /**
   * Takes a freshly connected `client` after the old connection was lost, re-selects the watched
   * mailbox and emits everything that changed meanwhile, the same events as live. Rejects (and
   * closes `client`) when that fails; a mailbox that no longer exists rejects with
   * mailbox_not_found and the watcher then watches nothing.
   */
  recover(client: ImapFlow): Promise<void> {
    if (this.closed) return closeQuietly(client); // closed while the connection was being made
    this.attach(client);
    return this.enqueue(async () => {
      const t = this.t;
      if (!t) return;
      try {
        t.positionsValid = false;
        await this.resync(client, t, true);
        this.scheduleFlush();
      } catch (err) {
        if (err instanceof BridgeError && err.code === "mailbox_not_found") {
          this.t = null;
          this.batch.clear();
        }
        if (this.conn === client) this.detach();
        await closeQuietly(client);
        throw err;
      }
    });
  }

  /** Stops watching and logs the connection out. Nothing is emitted afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    this.idleKeeper.stop();
    this.t = null;
    this.batch.clear();
    await closeQuietly(this.detach());
  }

  // -------------------------------------------------------------------------------------------
  // Handlers: record only, in the order the server sent things.
  // -------------------------------------------------------------------------------------------

  private onExists(ev: ExistsEvent): void {
    const t = this.t;
    if (!t || ev.path !== t.path) return;
    if (this.batch.recordExists(t, ev)) this.scheduleFlush();
  }

  private onExpunge(ev: ExpungeEvent): void {
    const t = this.t;
    if (!t || ev.path !== t.path) return;
    if (this.batch.recordExpunge(t, ev)) this.scheduleFlush();
  }

  private onFlags(ev: FlagsEvent): void {
    const t = this.t;
    if (!t || ev.path !== t.path) return;
    if (this.batch.recordFlags(t, ev)) this.scheduleFlush();
  }

  // -------------------------------------------------------------------------------------------
  // Work on the connection, one job at a time.
  // -------------------------------------------------------------------------------------------

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    this.jobs++;
    const run = this.chain.then(job);
    this.chain = run.then(noop, noop).then(() => {
      this.jobs--;
      this.idleKeeper.jobDone();
      if (this.jobs === 0) this.idleKeeper.drained();
    });
    return run;
  }

  /** Events of a closed watcher (a job that was still running) are dropped. */
  private emit(frame: TServerFrame): void {
    if (!this.closed) this.hooks.emit(frame);
  }

  private needResync(): void {
    this.batch.resyncNeeded = true;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushQueued || this.closed) return;
    this.flushQueued = true;
    // One macrotask later: the other announcements of the same server packet (imapflow emits
    // them one by one, with awaits between) join this batch.
    this.enqueue(async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.flush();
    }).catch(noop);
  }

  private async flush(): Promise<void> {
    this.flushQueued = false;
    await flushWatcher(this.host);
  }

  /** See resyncMailbox; a mailbox whose changes cannot be listed is reset. */
  private async resync(client: ImapFlow, t: Tracked, reselect: boolean): Promise<void> {
    const reset = await resyncMailbox(client, t, reselect, this.resyncContext);
    if (reset) await this.reset(client, t, reset.from);
  }

  /** Starts over on the mailbox: mailbox.reset, and the state of a fresh SELECT. */
  private async reset(client: ImapFlow, t: Tracked, mb: MailboxObject | null): Promise<void> {
    const fresh = mb ?? (await selectMailbox(client, t.path, t.readOnly, null));
    this.batch.clear();
    const next = await this.track(client, fresh, t.readOnly);
    this.t = next;
    this.emit({ type: "mailbox.reset", mailbox: next.path, uidValidity: next.uidValidity });
  }

  /** What is known right after a SELECT. Without QRESYNC the UID list is loaded by a resync. */
  private async track(client: ImapFlow, mb: MailboxObject, readOnly: boolean): Promise<Tracked> {
    const t = await trackMailbox(client, mb, readOnly, this.hooks.counterRevisions === true);
    if (t.uids) this.needResync();
    return t;
  }
}

function noop(): void {}
