/**
 * One IDLE connection holding one mailbox selected: it turns what the server announces (EXISTS,
 * EXPUNGE/VANISHED, unsolicited FETCH FLAGS) into `messages.new`, `messages.expunged`,
 * `messages.flags` and `mailbox.status` events, and resyncs after a reconnect.
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
 *
 * Revisions (ZRevision): every list event carries where it stands in the mailbox's history, and
 * `revision` tells the caller of a window where the events stand now. Where the mailbox has
 * CONDSTORE the numbers are its mod-sequences as this connection knows them (imapflow raises its
 * HIGHESTMODSEQ with every MODSEQ the server sends, new rows' included); otherwise, or with
 * `counterRevisions`, a counter that starts over (with a new source) at every SELECT.
 */
import { randomBytes } from "node:crypto";
import type { TEventRevision, TOpenedMailbox, TRevision, TServerFrame } from "@ferry/protocol";
import type { ExistsEvent, ExpungeEvent, FlagsEvent, ImapFlow, MailboxObject } from "imapflow";
import type { Logger } from "pino";
import { BridgeError } from "../errors";
import { connectionLost, isMailboxMissing } from "../imap/errors";
import { wireFlags } from "../imap/flags";
import type { RowsFetcher, UidSelection } from "./rows";
import { UidList } from "./uid-list";
import { iterateSequenceSet } from "./uid-set";

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

/** What a SELECT/EXAMINE answered, as `mailbox.opened` carries it. */
export type OpenedMailbox = TOpenedMailbox;

/** What is known about the watched mailbox. */
interface Tracked {
  path: string;
  /** The access mode asked for (the server may still answer READ-ONLY). */
  readOnly: boolean;
  uidValidity: number;
  /** Every message below this UID has been reported (or was there when the mailbox was opened). */
  uidNext: number;
  /** Every change up to this mod-sequence has been reported; null without CONDSTORE. */
  modseq: bigint | null;
  /** Sequence → UID map, only when the connection has no QRESYNC. */
  uids: UidList | null;
  /** False while `uids` may not match the server's numbering (during a resync). */
  positionsValid: boolean;
  /** ZRevision source of the events: `modseq:<uidValidity>` or `bridge:<id>`. */
  revSource: string;
  /** Revision of the last event emitted (or of the SELECT). */
  rev: number;
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

  // The batch recorded by the handlers and sent by the next flush.
  private newPending = false;
  private expunged: number[] = [];
  private flagChanges = new Map<number, string[]>();
  private resyncNeeded = false;
  private flushQueued = false;
  /** A flag change could not be mapped to a UID: t.modseq must not move past it. */
  private modseqLost = false;
  private fetchingNew = false;
  private expungeEpoch = 0;
  private existsEpoch = 0;
  /** performance.now() of the first EXISTS not yet reported, for the latency log. */
  private existsAt = 0;
  private resyncStreak = 0;

  constructor(
    readonly role: "inbox" | "open",
    private readonly hooks: WatcherHooks,
  ) {}

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
      this.clearBatch();
      const mode = current.readOnly === true;
      this.t = await this.track(client, current, mode);
      this.newPending = true;
      this.scheduleFlush();
      return opened(current, mode);
    }
    this.t = null;
    this.clearBatch();
    let mb: MailboxObject;
    try {
      mb = await this.select(client, path, readOnly, null);
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
          this.clearBatch();
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
    this.clearBatch();
    await closeQuietly(this.detach());
  }

  // -------------------------------------------------------------------------------------------
  // Handlers: record only, in the order the server sent things.
  // -------------------------------------------------------------------------------------------

  private onExists(ev: ExistsEvent): void {
    const t = this.t;
    if (!t || ev.path !== t.path) return;
    this.existsEpoch++;
    if (ev.count > ev.prevCount) {
      t.uids?.addPending(ev.count - ev.prevCount);
      this.newPending = true;
      if (this.existsAt === 0) this.existsAt = performance.now();
    } else if (t.uids) {
      this.needResync();
    }
    this.scheduleFlush();
  }

  private onExpunge(ev: ExpungeEvent): void {
    const t = this.t;
    if (!t || ev.path !== t.path) return;
    this.expungeEpoch++;
    let uid = ev.uid;
    if (t.uids) {
      if (uid !== undefined) {
        t.uids.removeUid(uid);
      } else if (ev.seq !== undefined && t.positionsValid) {
        const removed = t.uids.removeAt(ev.seq - 1);
        if (removed === undefined) {
          this.needResync();
          return;
        }
        // 0: a message announced by EXISTS whose UID was never fetched, so never reported.
        if (removed !== 0) uid = removed;
      } else {
        this.needResync();
        return;
      }
    } else if (uid === undefined) {
      this.needResync();
      return;
    }
    if (uid !== undefined) this.expunged.push(uid);
    this.scheduleFlush();
  }

  private onFlags(ev: FlagsEvent): void {
    const t = this.t;
    if (!t || ev.path !== t.path) return;
    let uid = ev.uid;
    if (uid === undefined && t.uids && t.positionsValid) {
      const at = t.uids.at(ev.seq - 1);
      if (at === 0 && !this.fetchingNew) return; // a new message: its row will carry its flags
      if (at !== undefined && at !== 0) uid = at;
    }
    if (uid === undefined) {
      this.modseqLost = true;
      this.needResync();
      return;
    }
    this.flagChanges.set(uid, wireFlags(ev.flags));
    if (
      ev.modseq !== undefined &&
      !this.modseqLost &&
      (t.modseq === null || ev.modseq > t.modseq)
    ) {
      t.modseq = ev.modseq;
    }
    this.scheduleFlush();
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
    this.resyncNeeded = true;
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

  private clearBatch(): void {
    this.newPending = false;
    this.expunged = [];
    this.flagChanges.clear();
    this.resyncNeeded = false;
    this.modseqLost = false;
    this.existsAt = 0;
    this.resyncStreak = 0;
  }

  private async flush(): Promise<void> {
    this.flushQueued = false;
    const client = this.conn;
    const start = this.t;
    if (!client?.usable || !start) return;
    try {
      if (this.resyncNeeded) {
        this.resyncNeeded = false;
        if (++this.resyncStreak > MAX_RESYNC_STREAK) await this.reset(client, start, null);
        else await this.resync(client, start, false);
      }
      const t = this.t;
      if (!t) return;
      this.emitChanges(client, t);
      if (this.newPending) {
        this.newPending = false;
        await this.fetchNew(client, t);
      }
      if (t.uids && t.positionsValid && client.mailbox && t.uids.length !== client.mailbox.exists) {
        this.needResync();
      }
      if (!this.resyncNeeded) this.resyncStreak = 0;
    } catch (err) {
      if (!client.usable || client !== this.conn) return; // the close handler takes over
      this.hooks.log.warn({ err, role: this.role, mailbox: start.path }, "live: flush failed");
      // Resync from the server rather than guess; but a server that keeps refusing is left
      // alone until its next announcement instead of being asked again in a loop.
      if (this.resyncStreak <= MAX_RESYNC_STREAK) this.needResync();
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

  /** The revision of the next event: the mod-sequence now known, or the counter's next step. */
  private nextRevision(client: ImapFlow, t: Tracked): TEventRevision {
    const since = t.rev;
    const known = t.revSource.startsWith("modseq:") ? safeModseq(client.mailbox) : null;
    t.rev = known === null ? since + 1 : Math.max(since, known);
    return { source: t.revSource, since, n: t.rev };
  }

  private emitChanges(client: ImapFlow, t: Tracked): void {
    const total = currentTotal(client, t);
    if (this.expunged.length > 0) {
      const uids = [...new Set(this.expunged)];
      this.expunged = [];
      this.emit({
        type: "messages.expunged",
        mailbox: t.path,
        uidValidity: t.uidValidity,
        total,
        uids,
        rev: this.nextRevision(client, t),
      });
    }
    if (this.flagChanges.size > 0) {
      const changes = [...this.flagChanges].map(([uid, flags]) => ({ uid, flags }));
      this.flagChanges.clear();
      this.emit({
        type: "messages.flags",
        mailbox: t.path,
        uidValidity: t.uidValidity,
        changes,
        rev: this.nextRevision(client, t),
      });
    }
  }

  /**
   * Reports messages with UIDs ≥ t.uidNext: one UID FETCH `uidNext:*` both finds them and
   * builds their rows (one round trip per announcement, which counts when a delivery to
   * everyone wakes a thousand sessions at once).
   */
  private async fetchNew(client: ImapFlow, t: Tracked): Promise<void> {
    const from = t.uidNext;
    const existsAt = this.existsAt;
    this.existsAt = 0;
    const expungeEpoch = this.expungeEpoch;
    const existsEpoch = this.existsEpoch;
    this.fetchingNew = true;
    try {
      const rows = await this.buildRows(client, t, { from });
      const uids = rows.map((r) => r.uid).sort((a, b) => a - b);
      if (t.uids) {
        const list = t.uids;
        const fresh = uids.filter((uid) => uid > list.last);
        const fits = expungeEpoch === this.expungeEpoch && list.fill(fresh);
        // Pending left over with no EXISTS since the fetch: the numbering drifted.
        if (!fits || (list.pending > 0 && existsEpoch === this.existsEpoch)) this.needResync();
      }
      const last = uids[uids.length - 1];
      if (last === undefined) return;
      t.uidNext = Math.max(t.uidNext, last + 1);
      this.emit({
        type: "messages.new",
        mailbox: t.path,
        uidValidity: t.uidValidity,
        total: currentTotal(client, t),
        rows,
        rev: this.nextRevision(client, t),
      });
      this.hooks.log.debug(
        {
          mailbox: t.path,
          rows: rows.length,
          existsToEventMs: existsAt ? Math.round((performance.now() - existsAt) * 10) / 10 : null,
        },
        "live: messages.new",
      );
    } finally {
      this.fetchingNew = false;
    }
  }

  /**
   * Rows of the new messages. Flag changes the server announced while answering (they come
   * inside the FETCH's answer, not as events) join the batch for the next flush.
   */
  private buildRows(client: ImapFlow, t: Tracked, uids: UidSelection) {
    return this.hooks.rowsFetcher(client, t.path, uids, (changes) => {
      if (this.t !== t) return;
      for (const [uid, flags] of changes) if (uid < t.uidNext) this.flagChanges.set(uid, flags);
      this.scheduleFlush();
    });
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

  /**
   * Brings `t` in line with the server and records the differences as pending events. With
   * `reselect` (a new connection) the mailbox is selected first.
   */
  private async resync(client: ImapFlow, t: Tracked, reselect: boolean): Promise<void> {
    const qresync = client.enabled.has("QRESYNC") && t.modseq !== null;
    const selected = client.mailbox && client.mailbox.path === t.path;
    if (reselect || !selected || (qresync && !t.uids)) {
      // With QRESYNC the server answers the SELECT with VANISHED (EARLIER) and FETCH FLAGS for
      // everything changed since t.modseq; imapflow emits those as events, recorded as usual.
      const mb = await this.select(client, t.path, t.readOnly, qresync ? t : null);
      if (Number(mb.uidValidity) !== t.uidValidity) return this.reset(client, t, mb);
      if (qresync && "qresync" in mb && mb.qresync === true) {
        t.uids = null;
        t.positionsValid = true;
        t.modseq = mb.highestModseq ?? t.modseq;
        this.modseqLost = false;
        this.newPending = true;
        return;
      }
    }
    if (!t.uids) return this.reset(client, t, client.mailbox || null);
    await this.diffUids(client, t, reselect);
  }

  /**
   * The resync without QRESYNC: UID SEARCH ALL against the list, FLAGS CHANGEDSINCE. Without
   * CONDSTORE, flag changes the connection did not see (`reconnected`, or one it could not map)
   * cannot be listed, and the browser is sent mailbox.reset to refetch instead.
   */
  private async diffUids(client: ImapFlow, t: Tracked, reconnected: boolean): Promise<void> {
    const old = t.uids;
    if (!old) return;
    t.positionsValid = false;
    const epoch = this.expungeEpoch;
    const existsEpoch = this.existsEpoch;
    const mb = client.mailbox;
    const condstore = client.enabled.has("CONDSTORE") && mb && !mb.noModseq && t.modseq !== null;
    const all = await allUids(client);
    for (const uid of old.missingFrom(all)) this.expunged.push(uid);
    if (all.last >= t.uidNext) this.newPending = true;
    t.uids = all;
    t.positionsValid = true;
    if (epoch !== this.expungeEpoch || existsEpoch !== this.existsEpoch) this.needResync();
    if (condstore && t.modseq !== null) {
      const since = t.modseq;
      const changed = await client.fetchAll(
        "1:*",
        { uid: true, flags: true },
        { changedSince: since },
      );
      let max = since;
      for (const msg of changed) {
        if (msg.uid < t.uidNext) this.flagChanges.set(msg.uid, wireFlags(msg.flags));
        if (msg.modseq !== undefined && msg.modseq > max) max = msg.modseq;
      }
      t.modseq = max;
      this.modseqLost = false;
    } else if (reconnected || this.modseqLost) {
      return this.reset(client, t, client.mailbox || null);
    }
  }

  /** Starts over on the mailbox: mailbox.reset, and the state of a fresh SELECT. */
  private async reset(client: ImapFlow, t: Tracked, mb: MailboxObject | null): Promise<void> {
    const fresh = mb ?? (await this.select(client, t.path, t.readOnly, null));
    this.clearBatch();
    const next = await this.track(client, fresh, t.readOnly);
    this.t = next;
    this.emit({ type: "mailbox.reset", mailbox: next.path, uidValidity: next.uidValidity });
  }

  private async select(
    client: ImapFlow,
    path: string,
    readOnly: boolean,
    since: Tracked | null,
  ): Promise<MailboxObject> {
    const qresync =
      since && since.modseq !== null
        ? { uidValidity: BigInt(since.uidValidity), changedSince: since.modseq }
        : {};
    try {
      return await client.mailboxOpen(path, { readOnly, ...qresync });
    } catch (err) {
      if (isMailboxMissing(err)) {
        throw new BridgeError("mailbox_not_found", "That folder does not exist.", { cause: err });
      }
      if (!client.usable) throw connectionLost(err);
      throw new BridgeError("server_refused", "The mail server would not open that folder.", {
        cause: err,
      });
    }
  }

  /** What is known right after a SELECT. Without QRESYNC the UID list is loaded by a resync. */
  private async track(client: ImapFlow, mb: MailboxObject, readOnly: boolean): Promise<Tracked> {
    let uidNext = mb.uidNext;
    if (!(uidNext > 0)) {
      // No UIDNEXT in the SELECT answer: one past the highest UID there is.
      const last = mb.exists > 0 ? await client.fetchOne("*", { uid: true }) : false;
      uidNext = last ? last.uid + 1 : 1;
    }
    const modseq =
      client.enabled.has("CONDSTORE") && !this.hooks.counterRevisions ? safeModseq(mb) : null;
    const t: Tracked = {
      path: mb.path,
      readOnly,
      uidValidity: Number(mb.uidValidity),
      uidNext,
      modseq: mb.noModseq ? null : (mb.highestModseq ?? null),
      uids: null,
      positionsValid: true,
      revSource:
        modseq === null
          ? `bridge:${randomBytes(6).toString("base64url")}`
          : `modseq:${Number(mb.uidValidity)}`,
      rev: modseq ?? 0,
    };
    if (!client.enabled.has("QRESYNC")) {
      t.uids = new UidList();
      t.uids.addPending(mb.exists);
      this.needResync();
    }
    return t;
  }
}

function opened(mb: MailboxObject, askedReadOnly: boolean): OpenedMailbox {
  const readOnly = askedReadOnly || mb.readOnly === true;
  return {
    mailbox: mb.path,
    uidValidity: Number(mb.uidValidity),
    exists: mb.exists,
    readOnly,
    permanentFlags: readOnly ? [] : [...(mb.permanentFlags ?? mb.flags ?? [])],
  };
}

/** HIGHESTMODSEQ as this connection knows it, when the mailbox has one that JSON carries exactly. */
function safeModseq(mb: MailboxObject | false): number | null {
  if (!mb || mb.noModseq || mb.highestModseq === undefined) return null;
  return mb.highestModseq <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(mb.highestModseq) : null;
}

function currentTotal(client: ImapFlow, t: Tracked): number {
  if (client.mailbox) return client.mailbox.exists;
  return t.uids?.length ?? 0;
}

/** Every UID of the selected mailbox; compact (ESEARCH ALL) where the server has it. */
async function allUids(client: ImapFlow): Promise<UidList> {
  const answer = await client.search({ all: true }, { uid: true, returnOptions: ["ALL"] });
  if (Array.isArray(answer)) return UidList.from(answer);
  if (answer && typeof answer === "object") {
    return UidList.from(answer.all ? iterateSequenceSet(answer.all) : []);
  }
  throw new Error("UID SEARCH ALL failed");
}

/** Logs `client` out (bounded wait) and closes its socket; never throws. */
export async function closeQuietly(client: ImapFlow | null, timeoutMs = 2000): Promise<void> {
  if (!client) return;
  if (client.usable) {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.logout(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
    } catch {
      // logging out of a dying connection: nothing to do
    } finally {
      clearTimeout(timer);
    }
  }
  try {
    client.close();
  } catch {
    // already closed
  }
}

function noop(): void {}
