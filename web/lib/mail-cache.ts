/**
 * The signed-in client's shared pieces: the TanStack Query cache (its defaults: nothing refetched
 * because time passed, kept long enough to be persisted and read offline), the one socket to the
 * bridge, the cache's keys, and the connection epochs (one per hello) by which a list fetched in
 * an older connection is stale.
 */
import type { TListSort, TMessageRef } from "@ferry/protocol";
import { QueryClient } from "@tanstack/react-query";
import { fetchSession } from "./api";
import { FerryError } from "./errors";
import type { ListData } from "./list-cache";
import { sortId } from "./list-sort";
import { FerrySocket } from "./socket";

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

/** A hello: the epoch changes (lib/mail-client's startClient). */
export function nextEpoch(): void {
  hellos++;
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
