/**
 * The signed-in client: the socket wired to the query cache (pushed events applied to it,
 * lib/mail-events; after every hello, first connect or reconnect, what is on screen is checked
 * again, since events may have been missed while the socket was down, and every other cached
 * list when next shown), the fetchers behind the folders', quota's and open mailbox's queries,
 * and sign-out's forgetting. The entry point of the rest of the app: it re-exports the cache and
 * socket (lib/mail-cache), the list windows (lib/list-windows), the pushed events
 * (lib/mail-events) and the message opens (lib/message-fetch).
 */
import type { TMailbox, TOpenedMailbox, TQuota } from "@ferry/protocol";
import type { ListData } from "./list-cache";
import { fetchWindow, forgetListWindows } from "./list-windows";
import { keys, nextEpoch, queryClient, socket } from "./mail-cache";
import { handleEvent } from "./mail-events";

export {
  ensureRange,
  fetchListHead,
  fetchWindow,
  type WindowOptions,
  whenListsSettled,
} from "./list-windows";
export { currentEpoch, keys, queryClient, socket } from "./mail-cache";
export { handleEvent } from "./mail-events";
export {
  downloadMessage,
  fetchMessage,
  type MessageData,
  prefetchMessage,
  setKeptMessageSource,
} from "./message-fetch";

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

let wired = false;

/** Connect the socket to the cache (once per page). */
export function startClient(): void {
  if (!wired) {
    wired = true;
    socket.onEvent(handleEvent);
    socket.onOpen(({ reconnect }) => {
      nextEpoch();
      // Requests already waiting for this connection are answered in it: don't repeat them.
      const opts = { cancelRefetch: false };
      // The folder on screen is opened again on a new connection.
      if (reconnect)
        void queryClient.invalidateQueries({ queryKey: ["opened"], type: "active" }, opts);
      void queryClient.invalidateQueries({ queryKey: keys.mailboxes }, opts);
      void queryClient.invalidateQueries({ queryKey: keys.quota }, opts);
      // Every list is stale now: those on screen refetch their head at once, the others when
      // next shown (by their heads' epoch too, see the lists' staleTime in lib/mail-cache).
      void queryClient.invalidateQueries({ queryKey: ["list"], refetchType: "active" }, opts);
    });
  }
  socket.start();
}

/** Stop the socket and forget everything cached (sign-out). */
export function stopClient(): void {
  socket.stop();
  forgetListWindows();
  queryClient.clear();
}
