/**
 * Pushed events applied to the query cache directly (new rows, expunges, flags, counts) instead
 * of refetching, in the order their revisions give (list-order.ts): a gap refetches what is on
 * screen, once. Lists of conversations (one row each) take the conversation rows the bridge
 * pushes (`conversations.changed`, lib/conversations.ts); a list event only marks those not on
 * screen to be asked for again when next shown. The list on screen renders a pushed change in
 * the task that brought it.
 */
import type { TMailbox } from "@ferry/protocol";
import { defaultScheduler, notifyManager } from "@tanstack/react-query";
import { placeArrivals } from "./conversation-arrivals";
import { applyConversationChanges } from "./conversations";
import { emptyList, type ListData, type ListEvent } from "./list-cache";
import { applyOrdered, eventVerdict } from "./list-order";
import { parseSortId } from "./list-sort";
import { fetchWindow, forgetListEvents, logListEvent } from "./list-windows";
import { keys, queryClient } from "./mail-cache";
import type { MessageData } from "./message-fetch";
import type { PushedEvent } from "./socket";

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
  logListEvent(e);
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
      forgetListEvents(e.mailbox);
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
