/**
 * Fetches ahead the messages a list's next open is likely to be (lib/open-prefetch.ts), one at a
 * time and only while the page is idle, so the first open of a row nobody hovered costs at most
 * one render: the reader finds it in the cache. Messages already cached, in flight or failed
 * are not asked again.
 */
import { useEffect } from "react";
import { whenIdle } from "@/lib/idle";
import type { ListData } from "@/lib/list-cache";
import { fetchMessage, keys, queryClient } from "@/lib/mail-client";
import { openPrefetchOrder } from "@/lib/open-prefetch";

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
    let cancel = () => {};
    let live = true;
    const next = (at: number) => {
      const ref = refs
        .slice(at)
        .find((r) => queryClient.getQueryState(keys.message(r)) === undefined);
      if (!ref) return;
      cancel = whenIdle(() => {
        if (!live) return;
        // prefetchQuery settles (never rejects) when the message is in, or has failed.
        void queryClient
          .prefetchQuery({ queryKey: keys.message(ref), queryFn: () => fetchMessage(ref) })
          .then(() => {
            if (live) next(refs.indexOf(ref) + 1);
          });
      });
    };
    next(0);
    return () => {
      live = false;
      cancel();
    };
  }, [mailbox, data, cursor, open]);
}
