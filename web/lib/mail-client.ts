/**
 * The signed-in client: the socket, the TanStack Query cache it feeds, and the fetchers behind
 * each query. Pushed events are applied to the cache directly (new rows, expunges, flags,
 * counts) instead of refetching. After every hello (first connect or reconnect) what is on
 * screen is checked again, since events may have been missed while the socket was down.
 */
import type {
  TMailbox,
  TMessageBody,
  TMessageHeader,
  TMessageRef,
  TOpenedMailbox,
  TWindow,
} from "@ferry/protocol";
import { QueryClient } from "@tanstack/react-query";
import { fetchSession } from "./api";
import { FerryError } from "./errors";
import {
  applyFlags,
  applyNew,
  applyRemoved,
  emptyList,
  type ListData,
  mergeWindow,
  WINDOW_SIZE,
  windowNeedsFetch,
} from "./list-cache";
import { FerrySocket, type PushedEvent } from "./socket";

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
  lists: (mailbox: string) => ["list", mailbox] as const,
  list: (mailbox: string, query: string | null) => ["list", mailbox, query ?? ""] as const,
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

// ---- fetchers --------------------------------------------------------------------------------

export async function fetchMailboxes(): Promise<TMailbox[]> {
  const reply = await socket.request({ type: "mailboxes.list" });
  return reply.mailboxes;
}

const inflight = new Map<string, Promise<ListData>>();
const behindRetries = new Map<string, number>();
/** The latest message count of each mailbox that events (or the open reply) reported. */
const knownTotals = new Map<string, number>();

/**
 * Is this reply older than what events already told us? (A folder's count differs from the
 * one last pushed, or its newest row is below a UID we know is at the top: it was answered
 * from a view of the mailbox that had not seen the news yet.) Then it is not merged; the
 * window is asked for again shortly.
 */
function isBehind(prev: ListData | undefined, reply: TWindow): boolean {
  if (reply.query !== null) return false;
  const known = knownTotals.get(reply.mailbox);
  if (known !== undefined && known !== reply.total) return true;
  if (!prev || prev.uidValidity !== reply.uidValidity || reply.offset !== 0) return false;
  return (prev.rows[0]?.uid ?? 0) > (reply.rows[0]?.uid ?? 0);
}

/**
 * Fetch window `w` of a list and merge it into the cache (deduplicated while in flight).
 * A reply is stamped with the epoch it arrived in: replies only come on the socket that
 * carried the request, after that socket's hello. Rejects with a FerryError (e.g. `search_syntax`).
 */
export function fetchWindow(mailbox: string, query: string | null, w: number): Promise<ListData> {
  const id = `${mailbox}\u0000${query ?? ""}\u0000${w}`;
  const running = inflight.get(id);
  if (running) return running;
  const key = keys.list(mailbox, query);
  const p = socket
    .request({ type: "list.window", mailbox, offset: w * WINDOW_SIZE, limit: WINDOW_SIZE, query })
    .then((reply) => {
      const prev = queryClient.getQueryData<ListData>(key);
      if (isBehind(prev, reply)) {
        const tries = behindRetries.get(id) ?? 0;
        if (tries < 5) {
          behindRetries.set(id, tries + 1);
          setTimeout(() => void fetchWindow(mailbox, query, w).catch(() => undefined), 300);
          if (prev) return prev;
        }
      } else {
        behindRetries.delete(id);
      }
      const merged = mergeWindow(prev, reply, currentEpoch());
      queryClient.setQueryData(key, merged);
      return merged;
    })
    .finally(() => inflight.delete(id));
  inflight.set(id, p);
  return p;
}

/** Fetch the windows overlapping positions [start, end] that are missing or from an old epoch. */
export function ensureRange(mailbox: string, query: string | null, start: number, end: number) {
  const data = queryClient.getQueryData<ListData>(keys.list(mailbox, query));
  const epoch = currentEpoch();
  const first = Math.max(0, Math.floor(start / WINDOW_SIZE));
  const last = Math.max(first, Math.floor(end / WINDOW_SIZE));
  for (let w = first; w <= last; w++) {
    if (data && w * WINDOW_SIZE >= data.total && w > 0) break;
    if (windowNeedsFetch(data, w, epoch)) fetchWindow(mailbox, query, w).catch(() => undefined);
  }
}

/** The query function of a list: its first window (later windows are fetched as scrolled to). */
export function fetchListHead(mailbox: string, query: string | null): Promise<ListData> {
  return fetchWindow(mailbox, query, 0);
}

export interface MessageData {
  header: Omit<TMessageHeader, "id" | "type">;
  bodies: Array<{ part: string; type: TMessageBody["contentType"]; text: string; done: boolean }>;
  complete: boolean;
}

/** Open a message: the cache gets the header at once, then the body as its chunks arrive. */
export async function fetchMessage(ref: TMessageRef): Promise<MessageData> {
  const key = keys.message(ref);
  let data: MessageData | undefined;
  await socket.openMessage(ref, {
    onHeader(frame) {
      const { id: _id, type: _type, ...header } = frame;
      data = {
        header,
        bodies: frame.bodyParts.map((p) => ({ part: p.part, type: p.type, text: "", done: false })),
        complete: false,
      };
      queryClient.setQueryData(key, data);
    },
    onBody(frame) {
      if (!data) return;
      const bodies = data.bodies.slice();
      const i = bodies.findIndex((b) => b.part === frame.part);
      const prev = bodies[i];
      if (prev) bodies[i] = { ...prev, text: prev.text + frame.chunk, done: frame.done };
      else
        bodies.push({
          part: frame.part,
          type: frame.contentType,
          text: frame.chunk,
          done: frame.done,
        });
      data = { ...data, bodies };
      queryClient.setQueryData(key, data);
    },
  });
  if (!data) throw new FerryError("malformed_message", "No header");
  data = { ...data, complete: true, bodies: data.bodies.map((b) => ({ ...b, done: true })) };
  return data;
}

export function prefetchMessage(ref: TMessageRef): void {
  void queryClient.prefetchQuery({
    queryKey: keys.message(ref),
    queryFn: () => fetchMessage(ref),
  });
}

// ---- the open mailbox --------------------------------------------------------------------------

/** SELECT (or EXAMINE) the mailbox the user is looking at, so its changes are pushed live. */
export async function openMailbox(path: string, readOnly: boolean): Promise<TOpenedMailbox> {
  const reply = await socket.request({ type: "mailbox.open", path, readOnly });
  knownTotals.set(path, reply.exists);
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

export function handleEvent(e: PushedEvent): void {
  switch (e.type) {
    case "state":
      return;
    case "mailbox.status":
      knownTotals.set(e.mailbox, e.messages);
      updateMailbox(e.mailbox, (m) => ({ ...m, messages: e.messages, unseen: e.unseen }));
      // A folder list whose count disagrees missed something: refetch what is on screen.
      updateLists(e.mailbox, (d) =>
        d.query === null && d.uidValidity !== null && d.total !== e.messages
          ? { ...d, fetched: {} }
          : d,
      );
      return;
    case "messages.new":
      knownTotals.set(e.mailbox, e.total);
      updateLists(e.mailbox, (d) => applyNew(d, e));
      // The slide-in plays once: rows scrolled back into view later just appear.
      setTimeout(() => {
        updateLists(e.mailbox, (d) => (d.arrived.length > 0 ? { ...d, arrived: [] } : d));
      }, 1500);
      return;
    case "messages.expunged":
      knownTotals.set(e.mailbox, e.total);
      updateLists(e.mailbox, (d) =>
        d.uidValidity !== null && d.uidValidity !== e.uidValidity
          ? d
          : applyRemoved(d, e.uids, d.query === null ? e.total : undefined),
      );
      return;
    case "messages.flags":
      updateLists(e.mailbox, (d) =>
        d.uidValidity === e.uidValidity ? applyFlags(d, e.changes) : d,
      );
      updateMessageFlags(e.mailbox, e.changes);
      return;
    case "mailbox.reset":
      knownTotals.delete(e.mailbox);
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
    case "mailboxes.changed":
      void queryClient.invalidateQueries({ queryKey: keys.mailboxes });
      return;
    case "compose.sent":
    case "compose.failed":
      // The composer listens for these itself (socket.onEvent).
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
      // Lists on screen refetch their head; other windows refetch when next looked at.
      void queryClient.invalidateQueries({ queryKey: ["list"], type: "active" }, opts);
    });
  }
  socket.start();
}

/** Stop the socket and forget everything cached (sign-out). */
export function stopClient(): void {
  socket.stop();
  knownTotals.clear();
  queryClient.clear();
}
