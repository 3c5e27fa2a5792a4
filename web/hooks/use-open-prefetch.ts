/**
 * Fetches ahead the messages a list's next open is likely to be (lib/open-prefetch.ts), one at a
 * time across the page, once the cursor has settled and the page is idle, so the first open of
 * a row nobody hovered costs at most one render: the reader finds it in the cache. For a
 * conversation's row, what its reader's stack shows is read ahead after its newest message (the
 * lines and the unread messages at the top: lib/member-rows.ts readAheadConversation). Messages
 * already cached, in flight or failed are not asked again.
 */
import { useEffect } from "react";
import { whenIdle } from "@/lib/idle";
import type { ListData } from "@/lib/list-cache";
import { fetchMessage, keys, queryClient } from "@/lib/mail-client";
import { conversationReadAhead, readAheadConversation } from "@/lib/member-rows";
import { fetchAhead, openPrefetchOrder, SETTLE_MS } from "@/lib/open-prefetch";

/** Each fetch ahead once the cursor has settled (SETTLE_MS) and then the page is idle. */
const follow = fetchAhead((fn) => {
  let cancelIdle = () => {};
  const timer = setTimeout(() => {
    cancelIdle = whenIdle(fn);
  }, SETTLE_MS);
  return () => {
    clearTimeout(timer);
    cancelIdle();
  };
});

export function useOpenPrefetch(
  mailbox: string,
  data: ListData | undefined,
  cursor: number | null,
  open: number | null,
): void {
  useEffect(() => {
    if (!data) return;
    const items = openPrefetchOrder(data.total, cursor, open).flatMap((i) => {
      const row = data.rows[i];
      const uidValidity = row?.uidValidity ?? data.uidValidity;
      if (!row || uidValidity == null) return [];
      const ref = { mailbox: row.mailbox ?? mailbox, uidValidity, uid: row.uid };
      // A conversation's row: its stack (lines, unread messages at its top) is read ahead too.
      const conversation = row.mailbox === undefined ? data.conversations?.[row.uid] : undefined;
      return [{ ref, conversation }];
    });
    return follow(
      items,
      ({ ref, conversation }) =>
        queryClient.getQueryState(keys.message(ref)) === undefined ||
        (conversation !== undefined && !conversationReadAhead(conversation, ref)),
      // Each settles (never rejects) when what it asked for is in, or has failed.
      ({ ref, conversation }) =>
        queryClient
          .prefetchQuery({
            queryKey: keys.message(ref),
            queryFn: () => fetchMessage(ref, { background: true }),
          })
          .then(() => (conversation ? readAheadConversation(conversation, ref) : undefined)),
    );
  }, [mailbox, data, cursor, open]);
}
