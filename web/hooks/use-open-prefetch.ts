/**
 * Fetches ahead the messages a list's next open is likely to be (lib/open-prefetch.ts), one at a
 * time across the page, once the cursor has settled and the page is idle, so the first open of
 * a row nobody hovered costs at most one render: the reader finds it in the cache. Messages
 * already cached, in flight or failed are not asked again.
 */
import { useEffect } from "react";
import { whenIdle } from "@/lib/idle";
import type { ListData } from "@/lib/list-cache";
import { fetchMessage, keys, queryClient } from "@/lib/mail-client";
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
    const refs = openPrefetchOrder(data.total, cursor, open).flatMap((i) => {
      const row = data.rows[i];
      const uidValidity = row?.uidValidity ?? data.uidValidity;
      if (!row || uidValidity == null) return [];
      return [{ mailbox: row.mailbox ?? mailbox, uidValidity, uid: row.uid }];
    });
    return follow(
      refs,
      (ref) => queryClient.getQueryState(keys.message(ref)) === undefined,
      // prefetchQuery settles (never rejects) when the message is in, or has failed.
      (ref) =>
        queryClient.prefetchQuery({
          queryKey: keys.message(ref),
          queryFn: () => fetchMessage(ref, { background: true }),
        }),
    );
  }, [mailbox, data, cursor, open]);
}
