/**
 * A folder's conversation order (ConversationCache): its conversations, newest first, each a
 * list of its UIDs in the folder, newest first; and how it moved since it was last reported.
 *
 * Built from one THREAD over the whole folder (server-thread.ts) and then kept up to date by
 * arrival, at O(new messages) in the bridge: each new message is placed by a few header
 * SEARCHes (placement.ts) and its conversation moves to the top (it holds the folder's newest
 * UID). Whatever else could make a fresh THREAD group differently (what placement cannot decide,
 * an expunge, which can split a conversation, more than MAX_INCREMENTAL arrivals at once)
 * rebuilds the order with a THREAD instead, and is reported as such (`rebuilt`), so that what a
 * window or a push says stays what a fresh THREAD would. The kept state is order-entry.ts's; arrivals
 * are applied to it by order-arrivals.ts; what runs later on the connection waits in
 * order-later.ts.
 *
 * Placing by the newest messages. A header SEARCH costs the server a pass over the messages it
 * covers (at 100,000 about 1 s, two for a subject, on a loaded two-core machine; 20-50 ms over
 * the newest 2,000). So in a folder of more than `placeWithin` messages (or a head, below), an
 * arrival is placed by the SEARCHes over its newest `placeWithin` messages only (a reply none of
 * them links is looked up in the whole folder at once, as before), and moved at once;
 * `checkAfterMs` later the older messages are checked with the same SEARCHes, all pending
 * arrivals in one (check). When one of them would have placed an arrival otherwise (an older
 * message linking it to another conversation, or waiting for it; a new subject an older message
 * shares), the order is rebuilt at its next read and the listeners (onComplete) are told, so the
 * lists ask again: until then that arrival's row may stand apart.
 *
 * Placing from the rows served. The live push may place an arrival that references a
 * conversation it served at once, with no SEARCH (placeKnown); all the older messages are then
 * checked the same way (check), and where they disagree the order is rebuilt and the listeners
 * told.
 *
 * Large folders. A folder of more than `headAbove` messages whose order is not kept is first
 * threaded over its newest `headSize` messages only (its head: `UID THREAD … UID <from>:*`; the
 * bridge threading one FETCH of them instead was no faster in the benchmark: 0.44× the floor at
 * 100,000 either way, and slower at 10,000). Every conversation whose newest message is in the
 * head is there, placed by that message as in the full order, so windows within the head's
 * conversations are answered from it. But a conversation's members older than the head are
 * left out until the full order is read, two head conversations that only an older message
 * links stay apart, and the total is an estimate (partial). A window beyond the head waits for
 * the full THREAD. Once the head has not been read for `fullAfterMs` (or FULL_WITHIN times that
 * after it was first read, however often it is read: a user scrolling does not put it off), the
 * full THREAD runs in the background on the same connection (under its mailbox lock, so
 * behind whatever holds it), replaces the head, is reported as `rebuilt`, and the listeners are
 * told. Arrivals meanwhile are placed on the head as on any order (or rebuild it in full).
 *
 * The cache is per session (it does not depend on the connection it is read on), up to
 * CACHE_SIZE folders, each stamped with the UIDVALIDITY, EXISTS and next UID it stands at.
 *
 * Across sessions. Given its account's share of the kept orders (kept-orders.ts), the cache
 * takes a folder's order from there the first time it reads that folder, and puts a copy there
 * whenever its order of a folder is built or advanced and has nothing left to check: those
 * steps are kept-share.ts's.
 */
import type { ImapFlow, MailboxObject } from "imapflow";
import { uidValidityOf, withMailbox } from "../imap/mailbox-access";
import type { AccountOrders } from "./kept-orders";
import { KeptShare } from "./kept-share";
import { applyArrivals, headFrom, placeKnownIn } from "./order-arrivals";
import {
  type Conversation,
  indexOf,
  type OrderChanges,
  type OrderEntry,
  samePath,
} from "./order-entry";
import { CHECK_AFTER_MS, FULL_AFTER_MS, OrderLater } from "./order-later";

export { MAX_INCREMENTAL } from "./order-arrivals";
export { CHECK_AFTER_MS, FULL_AFTER_MS, FULL_WITHIN } from "./order-later";

import { type Arrival, olderAgree } from "./placement";
import { threadUids } from "./references";
import { threadMailbox } from "./server-thread";

export type { Conversation, OrderChanges, OrderMove } from "./order-entry";

/** Folders whose order one session keeps. */
const CACHE_SIZE = 3;
/** Folders of more messages than this are first threaded over their head (see above). */
export const HEAD_ABOVE = 5_000;
/** Newest messages of a large folder threaded first. */
export const HEAD_SIZE = 2_000;
/** An arrival in a folder of more messages than this is first placed by its newest ones (see above). */
export const PLACE_WITHIN = 2_000;

export interface ConversationCacheOptions {
  headAbove?: number | undefined;
  headSize?: number | undefined;
  fullAfterMs?: number | undefined;
  placeWithin?: number | undefined;
  checkAfterMs?: number | undefined;
  /** The account's orders kept across its sessions (kept-orders.ts); none: nothing shared. */
  kept?: AccountOrders | undefined;
  /**
   * False: nothing runs later on the connection (no full THREAD behind a head, no check of
   * arrivals), for a cache used once on a connection that has work of its own (default true).
   */
  background?: boolean | undefined;
}

export class ConversationCache {
  private entries: OrderEntry[] = [];
  /** THREADs run (rebuilds and heads included), for tests and the benchmark. */
  threads = 0;
  private readonly headAbove: number;
  private readonly headSize: number;
  private readonly placeWithin: number;
  /** Header SEARCHes of the whole folder's older messages (not only its newest), for tests. */
  wholeSearches = 0;
  private readonly listeners = new Set<(path: string) => void>();
  /** Folders whose head was replaced by the full order, not yet told to a listener. */
  private readonly untold = new Set<string>();
  private readonly kept: KeptShare;
  private readonly later: OrderLater;
  /** Advances under way (the order may hold arrivals its stamps do not count yet). */
  private advancing = 0;

  constructor(opts: ConversationCacheOptions = {}) {
    this.headAbove = opts.headAbove ?? HEAD_ABOVE;
    this.headSize = Math.max(1, opts.headSize ?? HEAD_SIZE);
    this.placeWithin = Math.max(1, opts.placeWithin ?? PLACE_WITHIN);
    this.kept = new KeptShare(opts.kept, (e) => this.entries.includes(e) && this.advancing === 0);
    this.later = new OrderLater({
      on: opts.background ?? true,
      fullAfterMs: opts.fullAfterMs ?? FULL_AFTER_MS,
      checkAfterMs: opts.checkAfterMs ?? CHECK_AFTER_MS,
      complete: (client, path) => this.complete(client, path),
      check: (client, path) => this.check(client, path),
    });
  }

  /**
   * `fn` is called with a folder's path when its head was replaced by its full order (and at
   * once for those replaced before any listener was there). Returns the way to stop.
   */
  onComplete(fn: (path: string) => void): () => void {
    this.listeners.add(fn);
    for (const path of this.untold) fn(path);
    this.untold.clear();
    return () => this.listeners.delete(fn);
  }

  /** Whether `path`'s kept order is only its head (conversations may have more messages). */
  partial(path: string): boolean {
    return (this.entries.find((e) => samePath(e.path, path))?.head ?? null) !== null;
  }

  /** Conversations in `path`: the kept order's, estimated from the head's share of the folder. */
  total(path: string): number {
    const e = this.entries.find((x) => samePath(x.path, path));
    if (!e) return 0;
    if (e.head === null || e.headCount === 0) return e.order.length;
    return Math.max(e.order.length, Math.round((e.order.length * e.exists) / e.headCount));
  }

  /** Orders taken from the kept ones (kept-orders.ts) and used, for tests. */
  get reused(): number {
    return this.kept.reused;
  }

  /** Whether `path`'s order is kept (a conversation list of it was read). */
  has(path: string): boolean {
    return this.entries.some((e) => samePath(e.path, path));
  }

  /**
   * When `path`'s order is not kept here but among the account's kept orders (a list of it was
   * read on another cache: the sign-in answer's, or another session's): that order's UIDVALIDITY
   * and conversations (counted as total() counts them). Else null.
   */
  keptElsewhere(path: string): { uidValidity: number; total: number } | null {
    return this.has(path) ? null : this.kept.elsewhere(path);
  }

  /** The folders whose order is kept. */
  get paths(): string[] {
    return this.entries.map((e) => e.path);
  }

  /**
   * The order of `path`, selected on `client` as `box` (under its lock), up to date with `box`:
   * from the cache when unchanged, advanced by the arrivals since, else from a THREAD. `need`:
   * the conversations the caller reads (offset + limit; default none beyond the head), which a
   * head kept must hold, else the whole folder is threaded.
   */
  async order(
    client: ImapFlow,
    path: string,
    box: MailboxObject,
    need = 0,
  ): Promise<Conversation[]> {
    const uidValidity = uidValidityOf(box);
    const exists = box.exists;
    const uidNext = Number(box.uidNext);
    const hit = this.entries.find((e) => samePath(e.path, path)) ?? this.restore(path, uidValidity);
    if (hit && hit.uidValidity === uidValidity) {
      if (hit.head !== null && Number.isFinite(need)) this.later.full(client, path);
      if (hit.expunged || (hit.head !== null && need > hit.order.length)) {
        // rebuilt below
      } else if (hit.exists === exists && uidNext <= hit.uidNext) {
        return this.used(hit).order;
      } else if (exists > hit.exists) {
        try {
          if (await this.advance(client, hit, exists, uidNext)) {
            if (hit.unchecked.length > 0) this.later.check(client, path);
            else this.kept.publish(hit);
            return this.used(hit).order;
          }
        } catch (err) {
          this.drop(path);
          throw err;
        }
      }
    }
    // A kept order that does not stand was never served here: this is a first read.
    const restored = hit?.restored === true;
    const fresh = !hit || hit.uidValidity !== uidValidity || restored;
    let head =
      fresh && exists > this.headAbove && need < this.headSize
        ? await headFrom(client, exists, this.headSize)
        : null;
    let order = await this.thread(client, head);
    if (head !== null && order.length < need) {
      head = null;
      order = await this.thread(client, null);
    }
    const entry: OrderEntry = {
      path,
      uidValidity,
      exists,
      // imapflow's UIDNEXT is the SELECT's (it does not move with EXISTS): past the newest UID.
      uidNext: Math.max(uidNext, (order[0]?.uids[0] ?? 0) + 1),
      order,
      byUid: null,
      moves: [],
      rebuilt: hit !== undefined && !restored,
      expunged: false,
      head,
      headCount: head === null ? 0 : Math.min(exists, this.headSize),
      near: null,
      unchecked: [],
      restored: false,
    };
    this.entries = [entry, ...this.entries.filter((e) => e !== hit)].slice(0, CACHE_SIZE);
    this.kept.publish(entry);
    if (head !== null) {
      this.later.headThreaded(path);
      this.later.full(client, path);
    } else if (hit?.head != null && !restored) this.completed(path);
    return order;
  }

  /** `path`'s kept order (kept-share.ts) as this cache's entry, when it has that UIDVALIDITY. */
  private restore(path: string, uidValidity: number): OrderEntry | undefined {
    const entry = this.kept.restore(path, uidValidity);
    if (entry) this.entries = [entry, ...this.entries].slice(0, CACHE_SIZE);
    return entry;
  }

  /** `e` is read (most recently used; a kept order it came from is now this session's). */
  private used(e: OrderEntry): OrderEntry {
    this.kept.used(e);
    return this.touch(e);
  }

  /** The conversations of the selected folder (from UID `head` on), newest first. */
  private async thread(client: ImapFlow, head: number | null): Promise<Conversation[]> {
    const trees = await threadMailbox(client, head ?? undefined);
    this.threads++;
    return trees
      .map((t) => ({ uids: threadUids(t).sort((a, b) => b - a) }))
      .filter((c) => c.uids.length > 0)
      .sort((a, b) => (b.uids[0] ?? 0) - (a.uids[0] ?? 0));
  }

  /** Threads `path` in full where its kept order is still a head. */
  private async complete(client: ImapFlow, path: string): Promise<void> {
    if (!this.partial(path) || !client.usable) return;
    try {
      await withMailbox(client, path, {}, async (box) => {
        if (this.partial(path)) await this.order(client, path, box, Number.POSITIVE_INFINITY);
      });
    } catch {
      // The next window beyond the head, or the next push, threads it again.
      if (this.partial(path)) this.drop(path);
    }
  }

  /** See applyArrivals (order-arrivals.ts): false when the caller must rebuild. */
  private async advance(
    client: ImapFlow,
    e: OrderEntry,
    exists: number,
    uidNext: number,
  ): Promise<boolean> {
    this.advancing++;
    try {
      return await applyArrivals(client, e, exists, uidNext, this.placeWithin, this);
    } finally {
      this.advancing--;
    }
  }

  /**
   * Checks the arrivals of `path` placed by its newest messages against the older ones (one
   * SEARCH of their ids over them, and one of the subject of each that started a conversation).
   * Where an older message would have placed one otherwise, the order is rebuilt at its next read
   * and the listeners are told (the lists ask again). False when it was.
   */
  async check(client: ImapFlow, path: string): Promise<boolean> {
    const e = this.entries.find((x) => samePath(x.path, path));
    if (!e || e.unchecked.length === 0 || !client.usable) return true;
    let ok = false;
    try {
      ok = await withMailbox(client, path, {}, async (box) => {
        if (uidValidityOf(box) !== e.uidValidity) return false;
        const placed = e.unchecked;
        e.unchecked = [];
        const below = Math.max(...placed.map((p) => p.below));
        if (below <= 1) return true;
        this.wholeSearches++;
        return olderAgree(client, indexOf(e), placed, `1:${below - 1}`);
      });
    } catch (err) {
      // Not checked: the next read threads the folder again.
      e.expunged = true;
      throw err;
    }
    if (ok) this.kept.publish(e);
    if (ok || !this.entries.includes(e)) return ok;
    this.kept.drop(path);
    e.expunged = true;
    this.completed(path);
    return false;
  }

  private completed(path: string): void {
    if (this.listeners.size === 0) this.untold.add(path);
    for (const fn of this.listeners) fn(path);
  }

  /**
   * Places `arrival` at once in the conversation of the folder's message `member` (the live
   * push, from the rows it served: placeKnownIn, order-arrivals.ts), to be checked against the
   * older messages `checkAfterMs` later. Null, and nothing changed, when it cannot be.
   */
  placeKnown(
    client: ImapFlow,
    path: string,
    uidValidity: number,
    arrival: Arrival,
    member: number,
    exists: number,
  ): { conversation: Conversation; from: number } | null {
    const e = this.entries.find((x) => samePath(x.path, path));
    if (!e || e.uidValidity !== uidValidity) return null;
    const moved = placeKnownIn(e, arrival, member, exists);
    if (moved) this.later.check(client, path);
    return moved;
  }

  /** The moves of `path`'s order since the last drain, emptied. Null when it is not kept. */
  drain(path: string): OrderChanges | null {
    const e = this.entries.find((x) => samePath(x.path, path));
    if (!e) return null;
    const out = { rebuilt: e.rebuilt, moves: e.rebuilt ? [] : e.moves };
    e.moves = [];
    e.rebuilt = false;
    return out;
  }

  /** The conversation of `uid` in `path`'s kept order, and its position. */
  find(path: string, uid: number): { conversation: Conversation; position: number } | null {
    const e = this.entries.find((x) => samePath(x.path, path));
    if (!e) return null;
    const conversation = indexOf(e).get(uid);
    return conversation ? { conversation, position: e.order.indexOf(conversation) } : null;
  }

  /**
   * Messages of `path` were expunged: its next read threads it again (an expunge can split a
   * conversation; and one arrival with one expunge leaves EXISTS as it was).
   */
  expunged(path: string): void {
    for (const e of this.entries) if (samePath(e.path, path)) e.expunged = true;
  }

  /** Forgets `path`'s order (its next window threads it again). */
  drop(path: string): void {
    this.entries = this.entries.filter((e) => !samePath(e.path, path));
    this.untold.delete(path);
  }

  private touch(e: OrderEntry): OrderEntry {
    this.entries = [e, ...this.entries.filter((x) => x !== e)];
    return e;
  }
}
