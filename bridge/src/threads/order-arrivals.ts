/**
 * Arrivals applied to a folder's kept order (an OrderEntry of order.ts, moved out of it): those
 * since the order's next UID, each placed by a few header SEARCHes (applyArrivals, placement.ts),
 * and one placed at once from the rows the live push served (placeKnownIn). Each moves its
 * conversation to the top; what is not checked against the older messages yet is left in the
 * entry's `unchecked` for the cache's check.
 */
import type { ImapFlow } from "imapflow";
import { type Conversation, indexOf, type OrderEntry } from "./order-entry";
import { type Arrival, arrivalsOf, placeOf } from "./placement";

/**
 * Arrivals applied one by one; more at once rebuild the order: each costs the server a SEARCH of
 * the folder's headers (at 100,000 messages about half a THREAD), so for a burst one THREAD is
 * cheaper.
 */
export const MAX_INCREMENTAL = 2;

/**
 * Applies the messages from `e.uidNext` on to `e` (the folder selected on `client`), each placed
 * by placeOf from the messages from `e.near` on (its newest `placeWithin`, or all). False when
 * they cannot be placed as a fresh THREAD would place them: the caller rebuilds.
 */
export async function applyArrivals(
  client: ImapFlow,
  e: OrderEntry,
  exists: number,
  uidNext: number,
  placeWithin: number,
  counts: { wholeSearches: number },
): Promise<boolean> {
  const arrivals = await arrivalsOf(client, e.uidNext, e.byUid);
  if (arrivals.length > MAX_INCREMENTAL) return false;
  // Anything expunged since (EXISTS grew by less than what arrived) can split a conversation.
  if (arrivals.length === 0 || e.exists + arrivals.length !== exists) return false;
  if (e.near === null) {
    e.near = e.head ?? (e.exists > placeWithin ? await headFrom(client, e.exists, placeWithin) : 1);
  }
  arrivals.sort((a, b) => a.uid - b.uid);
  const byUid = indexOf(e);
  for (const m of arrivals) {
    // Placed meanwhile from the rows served (placeKnown).
    if (byUid.has(m.uid)) continue;
    const placed = await placeOf(client, byUid, m, e.near);
    if (placed === undefined) return false;
    // Placed at once while its SEARCHes ran.
    if (byUid.has(m.uid)) continue;
    const { into, read, whole } = placed;
    const from = into === null ? null : e.order.indexOf(into);
    const conversation = into ?? { uids: [] };
    if (from !== null) e.order.splice(from, 1);
    conversation.uids.unshift(m.uid);
    e.order.unshift(conversation);
    byUid.set(m.uid, conversation);
    e.moves.push({ conversation, from, to: 0 });
    if (whole) counts.wholeSearches++;
    else e.unchecked.push({ arrival: m, into, read, below: e.near });
  }
  e.exists = exists;
  e.uidNext = Math.max(uidNext, (arrivals[arrivals.length - 1]?.uid ?? 0) + 1);
  return true;
}

/**
 * Places `arrival`, the folder's next message (`exists` its new count), in the conversation of
 * the folder's message `member` at once, without asking the server (the live push, when the
 * arrival references a message of a conversation it served): that conversation moves to the
 * top. It is left unchecked against all the older messages (the cache checks them later, as
 * for an arrival placed by the newest ones). The move is not reported by drain (the caller has
 * told it). Null, and nothing changed, when
 * the kept order does not stand just before this arrival.
 */
export function placeKnownIn(
  e: OrderEntry,
  arrival: Arrival,
  member: number,
  exists: number,
): { conversation: Conversation; from: number } | null {
  if (e.expunged || e.rebuilt) return null;
  if (arrival.uid < e.uidNext || exists !== e.exists + 1) return null;
  const byUid = indexOf(e);
  const into = byUid.get(member);
  if (!into || byUid.has(arrival.uid)) return null;
  const from = e.order.indexOf(into);
  if (from < 0) return null;
  e.order.splice(from, 1);
  e.order.unshift(into);
  into.uids.unshift(arrival.uid);
  byUid.set(arrival.uid, into);
  e.exists = exists;
  e.uidNext = arrival.uid + 1;
  e.unchecked.push({ arrival, into, read: 0, below: arrival.uid });
  return { conversation: into, from };
}

/** The UID the newest `size` of the selected folder's `exists` messages start at. */
export async function headFrom(client: ImapFlow, exists: number, size: number): Promise<number> {
  const first = await client.fetchOne(String(Math.max(1, exists - size + 1)), { uid: true });
  return first ? first.uid : 1;
}
