/**
 * Asking the bridge for a list's windows (`list.window`) and merging the answers into the query
 * cache: deduplicated while in flight, in revision order (list-order.ts) with the mailbox's
 * recent events (kept here, logged by lib/mail-events) bringing an older answer up to date; a
 * list of conversations keeps its newest answer. Also what is on screen (ensureRange), a list's
 * first window (its query function), and when no window is being asked for (whenListsSettled).
 */
import type { TListSort } from "@ferry/protocol";
import {
  type ListData,
  type ListEvent,
  mergeWindow,
  WINDOW_SIZE,
  windowNeedsFetch,
} from "./list-cache";
import { logEvent, mergeOrdered } from "./list-order";
import { isDefaultSort, sortId } from "./list-sort";
import { currentEpoch, keys, queryClient, socket } from "./mail-cache";

const inflight = new Map<string, Promise<ListData>>();
/** Recent list events of each mailbox, oldest first, to bring an older window up to date. */
const eventLogs = new Map<string, ListEvent[]>();
/** Conversation windows: the last request merged into each list, so an older reply is dropped. */
const conversationMerged = new Map<string, number>();
let requests = 0;
/** Waiting for no list window to be in flight (whenListsSettled). */
const settledWaiters: Array<() => void> = [];

/**
 * Resolves once no window of any list is being asked for: background work (the offline copies'
 * search) waits for it, so it is never queued on the bridge ahead of a list the user waits for.
 */
export function whenListsSettled(): Promise<void> {
  if (inflight.size === 0) return Promise.resolve();
  return new Promise((resolve) => settledWaiters.push(resolve));
}

export interface WindowOptions {
  /** One row per conversation. */
  conversations?: boolean;
  /** Ask again even while the same window is being asked for (its answer may be too old). */
  fresh?: boolean;
}

/**
 * Fetch window `w` of a list and merge it into the cache (deduplicated while in flight), in
 * revision order (mergeOrdered). A reply older than events already applied that the event log
 * cannot bring up to date is asked for again, once (`retry`).
 * A reply is stamped with the epoch it arrived in: replies only come on the socket that
 * carried the request, after that socket's hello. Rejects with a FerryError (e.g. `search_syntax`).
 */
export function fetchWindow(
  mailbox: string,
  query: string | null,
  w: number,
  retry = false,
  sort?: TListSort,
  options: WindowOptions = {},
): Promise<ListData> {
  const conversations = options.conversations === true;
  const id = `${mailbox}\u0000${query ?? ""}\u0000${w}\u0000${sortId(sort)}\u0000${conversations}`;
  const running = inflight.get(id);
  if (running && !options.fresh) return running;
  const key = keys.list(mailbox, query, sort, conversations);
  const seq = ++requests;
  const p = socket
    .request({
      type: "list.window",
      mailbox,
      offset: w * WINDOW_SIZE,
      limit: WINDOW_SIZE,
      query,
      ...(sort && !isDefaultSort(sort) ? { sort } : {}),
      ...(conversations ? { conversations: true } : {}),
    })
    .then((reply) => {
      const prev = queryClient.getQueryData<ListData>(key);
      if (reply.conversations) {
        // Conversation rows are never brought up to date by events: the newest answer wins.
        const listId = JSON.stringify(key);
        if (prev && (conversationMerged.get(listId) ?? 0) > seq) return prev;
        conversationMerged.set(listId, seq);
        const merged = mergeWindow(prev, reply, currentEpoch());
        const data = reply.rev ? { ...merged, rev: reply.rev } : merged;
        queryClient.setQueryData(key, data);
        return data;
      }
      const log = eventLogs.get(mailbox) ?? [];
      const { data, complete } = mergeOrdered(prev, reply, currentEpoch(), log);
      queryClient.setQueryData(key, data);
      if (!complete && !retry) {
        inflight.delete(id);
        void fetchWindow(mailbox, query, w, true, sort, options).catch(() => undefined);
      }
      return data;
    })
    .finally(() => {
      if (inflight.get(id) === p) inflight.delete(id);
      if (inflight.size === 0) for (const settled of settledWaiters.splice(0)) settled();
    });
  inflight.set(id, p);
  return p;
}

/** Fetch the windows overlapping positions [start, end] that are missing or from an old epoch. */
export function ensureRange(
  mailbox: string,
  query: string | null,
  start: number,
  end: number,
  sort?: TListSort,
  conversations = false,
) {
  const data = queryClient.getQueryData<ListData>(keys.list(mailbox, query, sort, conversations));
  const epoch = currentEpoch();
  const first = Math.max(0, Math.floor(start / WINDOW_SIZE));
  const last = Math.max(first, Math.floor(end / WINDOW_SIZE));
  for (let w = first; w <= last; w++) {
    if (data && w * WINDOW_SIZE >= data.total && w > 0) break;
    if (windowNeedsFetch(data, w, epoch))
      fetchWindow(mailbox, query, w, false, sort, { conversations }).catch(() => undefined);
  }
}

/** The query function of a list: its first window (later windows are fetched as scrolled to). */
export function fetchListHead(
  mailbox: string,
  query: string | null,
  sort?: TListSort,
  conversations = false,
): Promise<ListData> {
  return fetchWindow(mailbox, query, 0, false, sort, { conversations });
}

/** A list event of `e.mailbox`, kept to bring its windows answered later up to date. */
export function logListEvent(e: ListEvent): void {
  eventLogs.set(e.mailbox, logEvent(eventLogs.get(e.mailbox) ?? [], e));
}

/** Forgets the events of `mailbox` (its UIDVALIDITY changed). */
export function forgetListEvents(mailbox: string): void {
  eventLogs.delete(mailbox);
}

/** Forgets every list's events and answer order (sign-out). */
export function forgetListWindows(): void {
  eventLogs.clear();
  conversationMerged.clear();
}
