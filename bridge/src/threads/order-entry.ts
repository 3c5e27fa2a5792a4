/**
 * The kept state of one folder's conversation order (OrderEntry) and what it is made of: its
 * conversations (each its UIDs, newest first), the moves reported since the last drain, the
 * conversation of each UID (indexOf), and how folder paths compare (INBOX in any case is one).
 * Kept and changed by ConversationCache (order.ts); arrivals are placed in it by placement.ts.
 */
import type { Placed } from "./placement";

/** One conversation of a folder: its UIDs there, newest first (changed in place as it grows). */
export interface Conversation {
  uids: number[];
}

/** A conversation that moved: from position `from` (null: it is new) to `to`. */
export interface OrderMove {
  conversation: Conversation;
  from: number | null;
  to: number;
}

/** What changed in a folder's order since it was last reported (see ConversationCache.drain). */
export interface OrderChanges {
  /** The order was built again from a THREAD: positions of anything may have changed. */
  rebuilt: boolean;
  /** Moves in the order they happened (empty when rebuilt). */
  moves: OrderMove[];
}

export interface OrderEntry {
  path: string;
  uidValidity: number;
  exists: number;
  uidNext: number;
  order: Conversation[];
  /** The conversation of each UID, built at the first arrival. */
  byUid: Map<number, Conversation> | null;
  moves: OrderMove[];
  rebuilt: boolean;
  /** Messages were expunged (as the watcher said): the next read rebuilds. */
  expunged: boolean;
  /** Only the messages from this UID on were threaded (the head); null: the whole folder. */
  head: number | null;
  /** Messages threaded into the head. */
  headCount: number;
  /** Arrivals are placed by the messages from this UID on (null: not yet needed; 1: all). */
  near: number | null;
  /** Arrivals placed by the messages from `near` on, whose older messages are not checked yet. */
  unchecked: Placed[];
  /** Taken from the account's kept orders (kept-orders.ts) and not read here yet. */
  restored: boolean;
}

/** The key of `path`'s timers (INBOX in any case is one folder). */
export function keyOf(path: string): string {
  return path.toUpperCase() === "INBOX" ? "INBOX" : path;
}

export function samePath(a: string, b: string): boolean {
  return a === b || (a.toUpperCase() === "INBOX" && b.toUpperCase() === "INBOX");
}

export function indexOf(e: OrderEntry): Map<number, Conversation> {
  if (!e.byUid) {
    const map = new Map<number, Conversation>();
    for (const c of e.order) for (const uid of c.uids) map.set(uid, c);
    e.byUid = map;
  }
  return e.byUid;
}
