/**
 * The rows of a conversation's members for the reader's stack (sender, snippet, date, flags):
 * the pages lib/member-rows.ts asks for, read as queries. A page not asked yet is asked as the
 * stack renders, not in its effects (which, under the open's flushSync, run only after the whole
 * reader is committed). Rows already read are kept while a conversation that changed (a message
 * joined it) is asked again; pages made from what this browser keeps, while the bridge could not
 * be reached, are asked of the bridge again once it is back.
 */
import type { TMemberRow, TMessageRef } from "@ferry/protocol";
import { useQueries } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import { useConnectionState } from "@/hooks/use-connection-state";
import { pagesOf, refId } from "@/lib/conversation-stack";
import { queryClient } from "@/lib/mail-client";
import { memberPageQuery } from "@/lib/member-rows";

export { prefetchConversationMembers } from "@/lib/member-rows";

export interface MemberRows {
  /** Rows by refId; a member without one is not read yet, or missing. */
  rows: ReadonlyMap<string, TMemberRow>;
  /** Members the bridge found no message for, or whose page failed. */
  missing: ReadonlySet<string>;
}

export function useConversationMembers(members: readonly TMessageRef[]): MemberRows {
  const pages = useMemo(() => pagesOf(members), [members]);
  for (const refs of pages) {
    const query = memberPageQuery(refs);
    if (!queryClient.getQueryState(query.queryKey)) void queryClient.prefetchQuery(query);
  }
  const results = useQueries({ queries: pages.map((refs) => memberPageQuery(refs)) });
  const online = useConnectionState().socket === "online";
  const latest = useRef(results);
  latest.current = results;
  const keptPages = results.filter((r) => r.data?.kept).length;
  useEffect(() => {
    if (!online || keptPages === 0) return;
    for (const r of latest.current) if (r.data?.kept) void r.refetch();
  }, [online, keptPages]);
  // Rows read before stay shown while a changed conversation's pages are asked again.
  const rows = useRef(new Map<string, TMemberRow>()).current;
  const missing = new Set<string>();
  pages.forEach((refs, i) => {
    const result = results[i];
    if (result?.data) {
      for (const row of result.data.rows) rows.set(refId(row), row);
      for (const ref of result.data.missing) missing.add(refId(ref));
    } else if (result?.error) {
      for (const ref of refs) missing.add(refId(ref));
    }
  });
  return { rows, missing };
}
