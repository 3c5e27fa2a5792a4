/**
 * One message list (a folder, or a search in it, in some order; of messages or of conversations):
 * its first window through TanStack Query, the rest fetched window by window as they scroll into
 * view (see `ensureRange`).
 */
import type { TListSort } from "@ferry/protocol";
import { useQuery } from "@tanstack/react-query";
import { FerryError } from "@/lib/errors";
import type { ListData } from "@/lib/list-cache";
import { fetchListHead, keys } from "@/lib/mail-client";

export function useMessageList(
  mailbox: string,
  query: string | null,
  sort?: TListSort,
  conversations = false,
) {
  return useQuery<ListData, Error>({
    queryKey: keys.list(mailbox, query, sort, conversations),
    queryFn: () => fetchListHead(mailbox, query, sort, conversations),
    retry: (failures, err) =>
      failures < 2 &&
      err instanceof FerryError &&
      (err.code === "timeout" || err.code === "connection_lost"),
  });
}
