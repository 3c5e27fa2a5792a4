/**
 * Ordering of list replies and pushed list events by their revisions (see ZRevision in
 * @ferry/protocol). They reach the browser from different IMAP connections, so a window may be
 * answered from an older view of the mailbox than events already applied, and events can be
 * missed (a socket that was down). This module decides, purely:
 * - which events a list already holds (ignored), which follow on from it (applied) and which
 *   show a gap (applied, and the windows on screen are fetched again, once);
 * - how a window older than the list is brought up to date: merged, then the recent events it
 *   does not hold are applied again from a short per-mailbox log; when the log does not reach
 *   back far enough, the window is asked for again, once.
 * mail-client.ts keeps the logs and the cache and does the fetching.
 */
import type { TEventRevision, TRevision, TWindow } from "@ferry/protocol";
import {
  applyFlags,
  applyNew,
  applyRemoved,
  type ListData,
  type ListEvent,
  mergeWindow,
} from "./list-cache";

export type EventVerdict = "apply" | "stale" | "gap";

/** How an event with revision `rev` relates to a list at revision `at`. */
export function eventVerdict(
  at: TRevision | undefined,
  type: ListEvent["type"],
  rev: TEventRevision | undefined,
): EventVerdict {
  if (!rev || !at) return "apply";
  if (rev.source !== at.source || rev.since > at.n) return "gap";
  // IMAP numbers no expunge: removing rows again changes nothing, so they always apply.
  if (type === "messages.expunged") return "apply";
  if (rev.n < at.n || (rev.n === at.n && rev.since < rev.n)) return "stale";
  return "apply";
}

/** A list's revision after an event with `rev` was applied to it (or was found to be in it). */
function advance(
  at: TRevision | undefined,
  rev: TEventRevision | undefined,
): TRevision | undefined {
  if (!rev) return at;
  if (!at || at.source !== rev.source) return { source: rev.source, n: rev.n };
  return { source: at.source, n: Math.max(at.n, rev.n) };
}

/** Applies a pushed list event to the rows, whatever the revisions say. */
export function applyListEvent(data: ListData, e: ListEvent): ListData {
  switch (e.type) {
    case "messages.new":
      return applyNew(data, e);
    case "messages.expunged":
      return data.uidValidity !== null && data.uidValidity !== e.uidValidity
        ? data
        : applyRemoved(data, e.uids, data.query === null ? e.total : undefined);
    case "messages.flags":
      return data.uidValidity === e.uidValidity ? applyFlags(data, e.changes) : data;
    default:
      e satisfies never;
      return data;
  }
}

/**
 * A pushed list event applied in order: ignored when the list holds it already; applied
 * otherwise, and on a gap the list's windows count as not fetched, so those on screen are
 * fetched again (once: a fetched window counts as fetched until the next gap).
 */
export function applyOrdered(data: ListData, e: ListEvent): { data: ListData; gap: boolean } {
  const verdict = eventVerdict(data.rev, e.type, e.rev);
  if (verdict === "stale") return { data, gap: false };
  const applied = applyListEvent(data, e);
  const rev = advance(data.rev, e.rev);
  const next = rev ? { ...applied, rev } : applied;
  return verdict === "gap"
    ? { data: { ...next, fetched: {} }, gap: true }
    : { data: next, gap: false };
}

/** How many recent list events are kept per mailbox to bring an older window up to date. */
export const EVENT_LOG_SIZE = 256;

/** Appends `e` to a mailbox's log of recent list events (newest last), keeping the last few. */
export function logEvent(log: readonly ListEvent[], e: ListEvent): ListEvent[] {
  if (!e.rev) return [...log];
  const kept = log.length >= EVENT_LOG_SIZE ? log.slice(log.length - EVENT_LOG_SIZE + 1) : log;
  return [...kept, e];
}

/**
 * Merges a window reply into the list in order. A reply at or past the list's revision (or
 * either without one) merges as it is. A reply older than the list is merged and the logged
 * events it does not hold are applied again; `complete` is false when the log does not reach
 * back to the reply (the caller then asks for the window again, once).
 */
export function mergeOrdered(
  prev: ListData | undefined,
  reply: Pick<TWindow, "mailbox" | "query" | "uidValidity" | "total" | "offset" | "rows" | "rev">,
  epoch: string,
  log: readonly ListEvent[],
): { data: ListData; complete: boolean } {
  const merged = mergeWindow(prev, reply, epoch);
  const at = prev?.uidValidity === reply.uidValidity ? prev.rev : undefined;
  const rev = reply.rev;
  if (!rev) return { data: at ? { ...merged, rev: at } : merged, complete: true };
  let data: ListData = { ...merged, rev };
  if (!at || at.source !== rev.source || rev.n >= at.n) return { data, complete: true };
  let complete = true;
  for (const e of log) {
    if (e.rev?.source !== rev.source || e.mailbox !== reply.mailbox) continue;
    if (e.uidValidity !== reply.uidValidity) continue;
    const verdict = eventVerdict(data.rev, e.type, e.rev);
    if (verdict === "stale") continue;
    if (verdict === "gap") complete = false;
    data = { ...applyListEvent(data, e), rev: advance(data.rev, e.rev) ?? rev };
  }
  if ((data.rev?.n ?? 0) < at.n) complete = false;
  return { data, complete };
}
