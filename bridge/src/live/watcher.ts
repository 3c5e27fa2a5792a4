/**
 * One IDLE connection holding one mailbox selected (MailboxWatcher): its lifecycle (attached,
 * watching a mailbox in a mode, lost, recovered on a new connection, closed) and the one chain of
 * jobs its connection runs. What the server announces is recorded in an EventBatch
 * (event-batch.ts) and turned into `messages.expunged`, `messages.flags`, `messages.new`
 * (new-mail.ts) and `mailbox.status` events by the next flush, after a resync (resync.ts) where
 * what it knows may not match the server; each event carries the mailbox's revision
 * (tracked-mailbox.ts).
 *
 * Event handlers only record (synchronously, in server order); a queued flush then talks to the
 * server: fetch new rows, count unseen, and IDLE again at once (imapflow's own auto-IDLE would
 * wait 15 s). All work on the connection runs through one promise chain, so nothing here ever
 * runs two commands of its own at the same time.
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
import { fetchNewMail, type NewMailContext } from "./new-mail";
import { type ResyncContext, resyncMailbox } from "./resync";
import type { RowsFetcher } from "./rows";
import {
  currentTotal,
  nextRevision,
  type OpenedMailbox,
  opened,
  type Tracked,
  trackMailbox,
} from "./tracked-mailbox";

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

/** A resync that keeps failing to match the server gives up and sends mailbox.reset instead. */
const MAX_RESYNC_STREAK = 3;

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
  private readonly newMail: NewMailContext;
  private readonly resyncContext: ResyncContext;

  constructor(
    readonly role: "inbox" | "open",
    private readonly hooks: WatcherHooks,
  ) {
    this.newMail = {
      batch: this.batch,
      rowsFetcher: hooks.rowsFetcher,
      log: hooks.log,
      isTracked: (t) => this.t === t,
      scheduleFlush: () => this.scheduleFlush(),
      needResync: () => this.needResync(),
      emit: (frame) => this.emit(frame),
    };
    this.resyncContext = { batch: this.batch, needResync: () => this.needResync() };
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
    const onClose = () => {
      if (client !== this.conn) return;
      this.detach();
      if (!this.closed) this.hooks.lost(this);
    };
    client.on("exists", onExists);
    client.on("expunge", onExpunge);
    client.on("flags", onFlags);
    client.on("close", onClose);
    this.unlisten = () => {
      client.off("exists", onExists);
      client.off("expunge", onExpunge);
      client.off("flags", onFlags);
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
    return this.enqueue(() => this.watchNow(path, readOnly, false));
  }

  /**
   * The job of watch(). With `adopt`, a mailbox `path` that work run() on this connection left
   * selected is taken as it stands (mode included) instead of being selected again: what that
   * work read is then the point from which changes are reported, so none made after it is missed.
   */
  private async watchNow(path: string, readOnly: boolean, adopt: boolean): Promise<OpenedMailbox> {
    const client = this.conn;
    if (!client?.usable) throw connectionLost();
    const prev = this.t;
    const current = client.mailbox;
    if (prev && current && current.path === prev.path && prev.path === path) {
      if (prev.readOnly !== readOnly) return this.switchMode(client, prev, readOnly);
      // Already watching it in this mode: what the server has to announce is asked for and goes
      // out before the caller answers, so a window asked for after this is not older than it.
      await client.noop();
      await this.flush();
      const mb = client.mailbox;
      if (!mb || this.t === null) throw connectionLost();
      return opened(mb, readOnly);
    }
    if (!prev && adopt && current && current.path === path) {
      // imapflow keeps UIDNEXT and HIGHESTMODSEQ at least as high as what that work fetched;
      // mail that came in during it (its EXISTS was not recorded yet) is looked for at once.
      this.batch.clear();
      const mode = current.readOnly === true;
      this.t = await this.track(client, current, mode);
      this.batch.newPending = true;
      this.scheduleFlush();
      return opened(current, mode);
    }
    this.t = null;
    this.batch.clear();
    let mb: MailboxObject;
    try {
      mb = await selectMailbox(client, path, readOnly, null);
    } catch (err) {
      if (prev && client.usable) {
        this.t = prev;
        prev.positionsValid = false;
        this.needResync();
      }
      throw err;
    }
    this.t = await this.track(client, mb, readOnly);
    return opened(mb, readOnly);
  }

  /**
   * Takes `client` and watches `path` on it; on failure lets go of it and closes it. With
   * `adopt`, the watching starts one macrotask later, after what run() queued meanwhile (the
   * sign-in's first window), and from the mailbox that left selected when it is `path` (see
   * watchNow). The mode watched is then that one: see `readOnly`.
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
      return await this.enqueue(() => this.watchNow(path, readOnly, adopt));
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

  /** The watched mailbox selected again in the other mode, and resynced (see watch()). */
  private async switchMode(
    client: ImapFlow,
    t: Tracked,
    readOnly: boolean,
  ): Promise<OpenedMailbox> {
    const before = t.readOnly;
    t.readOnly = readOnly;
    t.positionsValid = false;
    try {
      await this.resync(client, t, true);
    } catch (err) {
      t.readOnly = before;
      if (this.t === t && client.usable) this.needResync();
      throw err;
    }
    // What the resync found goes out now (this job is on the chain), before the caller answers.
    await this.flush();
    const mb = client.mailbox;
    if (!mb || this.t === null) throw connectionLost();
    return opened(mb, readOnly);
  }

  /** Stops watching and logs the connection out. Nothing is emitted afterwards. */
  async close(): Promise<void> {
    this.closed = true;
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
      if (this.jobs === 0) this.idle();
    });
    return run;
  }

  /** IDLE now, not in 15 s: every job ends here once the queue is empty. */
  private idle(): void {
    const client = this.conn;
    if (!client?.usable || this.closed || !this.t || !client.mailbox) return;
    client.idle({ whenFree: true }).catch((err: unknown) => {
      this.hooks.log.debug({ err, role: this.role }, "live: IDLE ended with an error");
    });
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
    const client = this.conn;
    const start = this.t;
    if (!client?.usable || !start) return;
    try {
      if (this.batch.resyncNeeded) {
        this.batch.resyncNeeded = false;
        if (++this.batch.resyncStreak > MAX_RESYNC_STREAK) await this.reset(client, start, null);
        else await this.resync(client, start, false);
      }
      const t = this.t;
      if (!t) return;
      this.batch.emitChanges(
        t,
        currentTotal(client, t),
        () => nextRevision(client, t),
        (frame) => this.emit(frame),
      );
      if (this.batch.newPending) {
        this.batch.newPending = false;
        await fetchNewMail(client, t, this.newMail);
      }
      if (t.uids && t.positionsValid && client.mailbox && t.uids.length !== client.mailbox.exists) {
        this.needResync();
      }
      if (!this.batch.resyncNeeded) this.batch.resyncStreak = 0;
    } catch (err) {
      if (!client.usable || client !== this.conn) return; // the close handler takes over
      this.hooks.log.warn({ err, role: this.role, mailbox: start.path }, "live: flush failed");
      // Resync from the server rather than guess; but a server that keeps refusing is left
      // alone until its next announcement instead of being asked again in a loop.
      if (this.batch.resyncStreak <= MAX_RESYNC_STREAK) this.needResync();
      return;
    }
    const t = this.t;
    if (!t) return;
    try {
      await this.reportStatus(client, t);
    } catch (err) {
      this.hooks.log.debug({ err, role: this.role }, "live: counting unseen failed");
    }
  }

  /** mailbox.status for the watched mailbox: the count imapflow keeps, plus SEARCH UNSEEN. */
  private async reportStatus(client: ImapFlow, t: Tracked): Promise<void> {
    if (!client.mailbox) return;
    const answer = await client.search({ seen: false }, { returnOptions: ["COUNT"] });
    let unseen: number;
    if (Array.isArray(answer)) unseen = answer.length;
    else if (answer && typeof answer === "object") unseen = answer.count ?? 0;
    else return;
    if (this.t !== t || !client.mailbox || this.closed) return;
    this.hooks.status(t.path, client.mailbox.exists, unseen);
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
