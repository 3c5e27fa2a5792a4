/**
 * The signed-in client: the socket, the TanStack Query cache it feeds, and the fetchers behind
 * each query. Pushed events are applied to the cache directly (new rows, expunges, flags,
 * counts) instead of refetching, in the order their revisions give (list-order.ts): a reply
 * older than events already applied is brought up to date, and a gap refetches what is on
 * screen, once. After every hello (first connect or reconnect) what is on screen is checked
 * again, since events may have been missed while the socket was down, and every other cached
 * list is checked when next shown. Lists of conversations
 * (one row each) are cached apart from the same folder's list of messages; the bridge pushes the
 * conversation rows that changed (`conversations.changed`, lib/conversations.ts), so a list event
 * only marks the conversation lists not on screen to be asked for again when next shown.
 */
import type { TListSort, TMailbox, TMessageRef, TOpenedMailbox, TQuota } from "@ferry/protocol";
import { defaultScheduler, notifyManager, QueryClient } from "@tanstack/react-query";
import { fetchSession } from "./api";
import { placeArrivals } from "./conversation-arrivals";
import { applyConversationChanges } from "./conversations";
import { FerryError } from "./errors";
import {
  emptyList,
  type ListData,
  type ListEvent,
  mergeWindow,
  WINDOW_SIZE,
  windowNeedsFetch,
} from "./list-cache";
import { applyOrdered, eventVerdict, logEvent, mergeOrdered } from "./list-order";
import { isDefaultSort, parseSortId, sortId } from "./list-sort";
import type { MessageData } from "./message-fetch";
import { FerrySocket, type PushedEvent } from "./socket";

export {
  downloadMessage,
  fetchMessage,
  type MessageData,
  prefetchMessage,
  setKeptMessageSource,
} from "./message-fetch";

const DAY = 24 * 60 * 60 * 1000;

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Events keep the cache fresh; nothing is refetched just because time passed.
      staleTime: Number.POSITIVE_INFINITY,
      // Long enough to be persisted and read offline.
      gcTime: 7 * DAY,
      networkMode: "always",
      refetchOnWindowFocus: false,
      refetchOnReconnect: false,
      retry: (failures, err) =>
        failures < 2 &&
        err instanceof FerryError &&
        (err.code === "timeout" || err.code === "connection_lost"),
    },
  },
});

export const socket = new FerrySocket({
  checkSession: async () => (await fetchSession()) !== null,
});

export const keys = {
  mailboxes: ["mailboxes"] as const,
  quota: ["quota"] as const,
  lists: (mailbox: string) => ["list", mailbox] as const,
  list: (mailbox: string, query: string | null, sort?: TListSort, conversations = false) =>
    conversations
      ? (["list", mailbox, query ?? "", sortId(sort), "conversations"] as const)
      : (["list", mailbox, query ?? "", sortId(sort)] as const),
  messages: (mailbox: string) => ["message", mailbox] as const,
  message: (ref: TMessageRef) => ["message", ref.mailbox, ref.uidValidity, ref.uid] as const,
  opened: (mailbox: string, readOnly: boolean) => ["opened", mailbox, readOnly] as const,
};

// ---- connection epochs -----------------------------------------------------------------------

const pageId = Math.random().toString(36).slice(2, 8);
let hellos = 0;
/** Changes with every hello: a window fetched in an older epoch may have missed events. */
export function currentEpoch(): string {
  return `${pageId}:${hellos}`;
}

/**
 * A list whose head was fetched in an older epoch (or whose windows were dropped) is stale: it
 * asks for its head again when next shown, even if an event has been applied to it since the
 * hello (which clears the hello's invalidation).
 */
queryClient.setQueryDefaults(["list"], {
  staleTime: (query) =>
    queryClient.getQueryData<ListData>(query.queryKey)?.fetched[0] === currentEpoch()
      ? Number.POSITIVE_INFINITY
      : 0,
});

// ---- fetchers --------------------------------------------------------------------------------

/** The storage quota; null when the server has none. */
export async function fetchQuota(): Promise<TQuota | null> {
  const reply = await socket.request({ type: "quota.get" });
  return reply.quota;
}

export async function fetchMailboxes(): Promise<TMailbox[]> {
  const reply = await socket.request({ type: "mailboxes.list" });
  return reply.mailboxes;
}

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

// ---- the open mailbox --------------------------------------------------------------------------

/** SELECT (or EXAMINE) the mailbox the user is looking at, so its changes are pushed live. */
export async function openMailbox(path: string, readOnly: boolean): Promise<TOpenedMailbox> {
  const reply = await socket.request({ type: "mailbox.open", path, readOnly });
  // A list answered before the mailbox was open here (at sign-in the bridge fetches INBOX's
  // top before its watcher is up) can miss mail that came in between, which no event will
  // bring: when the counts disagree, the top is asked for again.
  const list = queryClient.getQueryData<ListData>(keys.list(path, null));
  if (list && list.total !== reply.exists) void fetchWindow(path, null, 0).catch(() => undefined);
  const { id: _id, type: _type, ...opened } = reply;
  return opened;
}

// ---- pushed events ------------------------------------------------------------------------------

function updateLists(mailbox: string, fn: (d: ListData) => ListData): void {
  for (const [key, data] of queryClient.getQueriesData<ListData>({
    queryKey: keys.lists(mailbox),
  })) {
    if (data) queryClient.setQueryData(key, fn(data));
  }
}

function updateMailbox(path: string, fn: (m: TMailbox) => TMailbox): void {
  queryClient.setQueryData<TMailbox[]>(keys.mailboxes, (list) =>
    list?.map((m) => (m.path === path ? fn(m) : m)),
  );
}

function updateMessageFlags(mailbox: string, changes: Array<{ uid: number; flags: string[] }>) {
  const byUid = new Map(changes.map((c) => [c.uid, c.flags]));
  for (const [key, data] of queryClient.getQueriesData<MessageData>({
    queryKey: keys.messages(mailbox),
  })) {
    const uid = key[3];
    const flags = typeof uid === "number" ? byUid.get(uid) : undefined;
    if (data && flags)
      queryClient.setQueryData(key, { ...data, header: { ...data.header, flags } });
  }
}

/**
 * A list event in `mailbox` may change any of its conversation rows (one joins a conversation,
 * which moves to the top; flags of any member show on its row): its conversation lists are asked
 * for again when next looked at, and (`onScreenToo`: a `conversations.changed` said the order
 * changed beyond its rows) the windows of those on screen at once.
 */
function refetchConversations(mailbox: string, onScreenToo = true): void {
  for (const [key, data] of queryClient.getQueriesData<ListData>({
    queryKey: keys.lists(mailbox),
  })) {
    if (!data?.conversations) continue;
    const [, , query, sort] = key;
    const onScreen =
      (queryClient.getQueryCache().find({ queryKey: key, exact: true })?.getObserversCount() ?? 0) >
      0;
    // On screen, the bridge's `conversations.changed` brings the change.
    if (onScreen && !onScreenToo) continue;
    const windows = Object.keys(data.fetched).map(Number);
    queryClient.setQueryData<ListData>(key, { ...data, fetched: {} });
    if (!onScreen) continue;
    const order = typeof sort === "string" ? (parseSortId(sort) ?? undefined) : undefined;
    for (const w of windows.length > 0 ? windows : [0]) {
      void fetchWindow(mailbox, (query as string) || null, w, false, order, {
        conversations: true,
        fresh: true,
      }).catch(() => undefined);
    }
  }
}

/**
 * A list event: logged, and applied in revision order to every cached list of its mailbox.
 * False when every list already held it (an event older than what they show).
 */
function applyListEvent(e: ListEvent): boolean {
  eventLogs.set(e.mailbox, logEvent(eventLogs.get(e.mailbox) ?? [], e));
  refetchConversations(e.mailbox, false);
  let lists = 0;
  let stale = 0;
  updateLists(e.mailbox, (d) => {
    if (d.conversations) return d;
    lists++;
    if (eventVerdict(d.rev, e.type, e.rev) === "stale") stale++;
    return applyOrdered(d, e).data;
  });
  return lists === 0 || stale < lists;
}

/**
 * While set, the cache's observers (the list on screen) hear of a change in a microtask of the
 * task that made it rather than after TanStack Query's default zero-delay timer: a pushed row is
 * rendered in the task that brought it, before any other task (a timer, a persister's save).
 */
let pushing = false;
notifyManager.setScheduler((notify) =>
  pushing ? queueMicrotask(notify) : defaultScheduler(notify),
);

/** A pushed event, applied to the cache; its observers hear of it in this task (see `pushing`). */
export function handleEvent(e: PushedEvent): void {
  const was = pushing;
  pushing = true;
  try {
    applyEvent(e);
  } finally {
    pushing = was;
  }
}

function applyEvent(e: PushedEvent): void {
  switch (e.type) {
    case "state":
      return;
    case "mailbox.status":
      updateMailbox(e.mailbox, (m) => ({ ...m, messages: e.messages, unseen: e.unseen }));
      // A folder list whose count disagrees missed something: refetch what is on screen.
      updateLists(e.mailbox, (d) =>
        d.query === null && d.uidValidity !== null && !d.conversations && d.total !== e.messages
          ? { ...d, fetched: {} }
          : d,
      );
      return;
    case "messages.new":
      applyListEvent(e);
      // Lists of conversations show it at the top before the bridge says where it belongs.
      updateLists(e.mailbox, (d) => placeArrivals(d, e));
      // The slide-in plays once: rows scrolled back into view later just appear.
      setTimeout(() => {
        updateLists(e.mailbox, (d) => (d.arrived.length > 0 ? { ...d, arrived: [] } : d));
      }, 1500);
      return;
    case "messages.expunged":
      applyListEvent(e);
      return;
    case "messages.flags":
      // The open message shows the flags it last heard of, whatever the lists' order.
      if (applyListEvent(e)) updateMessageFlags(e.mailbox, e.changes);
      return;
    case "mailbox.reset":
      eventLogs.delete(e.mailbox);
      updateLists(e.mailbox, (d) => ({
        ...emptyList(d.mailbox, d.query),
        uidValidity: e.uidValidity,
      }));
      queryClient.removeQueries({
        queryKey: keys.messages(e.mailbox),
        predicate: (q) => q.queryKey[2] !== e.uidValidity,
      });
      void queryClient.invalidateQueries({ queryKey: keys.lists(e.mailbox) });
      return;
    case "conversations.changed":
      updateLists(e.mailbox, (d) => applyConversationChanges(d, e));
      if (e.refetch) refetchConversations(e.mailbox);
      return;
    case "mailboxes.changed":
      void queryClient.invalidateQueries({ queryKey: keys.mailboxes });
      return;
    case "quota.changed":
      queryClient.setQueryData(keys.quota, e.quota);
      return;
    case "compose.sent":
    case "compose.failed":
      // The composer listens for these itself (socket.onEvent).
      return;
    case "settings.changed":
    case "identities.changed":
    case "snoozes.changed":
      // lib/settings.ts and lib/snooze.ts listen for these themselves (socket.onEvent).
      return;
    default:
      e satisfies never;
  }
}

let wired = false;

/** Connect the socket to the cache (once per page). */
export function startClient(): void {
  if (!wired) {
    wired = true;
    socket.onEvent(handleEvent);
    socket.onOpen(({ reconnect }) => {
      hellos++;
      // Requests already waiting for this connection are answered in it: don't repeat them.
      const opts = { cancelRefetch: false };
      // The folder on screen is opened again on a new connection.
      if (reconnect)
        void queryClient.invalidateQueries({ queryKey: ["opened"], type: "active" }, opts);
      void queryClient.invalidateQueries({ queryKey: keys.mailboxes }, opts);
      void queryClient.invalidateQueries({ queryKey: keys.quota }, opts);
      // Every list is stale now: those on screen refetch their head at once, the others when
      // next shown (by their heads' epoch too, see the lists' staleTime above).
      void queryClient.invalidateQueries({ queryKey: ["list"], refetchType: "active" }, opts);
    });
  }
  socket.start();
}

/** Stop the socket and forget everything cached (sign-out). */
export function stopClient(): void {
  socket.stop();
  eventLogs.clear();
  conversationMerged.clear();
  queryClient.clear();
}
