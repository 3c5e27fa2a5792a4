/**
 * The rows of a conversation's members for the reader's stack (sender, snippet, date, flags),
 * asked with `messages.rows` in pages of at most MAX_ROWS_REFS refs: no message is opened for
 * its collapsed line. Rows already read are kept while a conversation that changed (a message
 * joined it) is asked again.
 */
import type { TMemberRow, TMessageRef } from "@ferry/protocol";
import { useQueries } from "@tanstack/react-query";
import { useMemo, useRef } from "react";
import { pagesOf, refId } from "@/lib/conversation-stack";
import { socket } from "@/lib/mail-client";

export interface MemberRows {
  /** Rows by refId; a member without one is not read yet, or missing. */
  rows: ReadonlyMap<string, TMemberRow>;
  /** Members the bridge found no message for, or whose page failed. */
  missing: ReadonlySet<string>;
}

export function useConversationMembers(members: readonly TMessageRef[]): MemberRows {
  const pages = useMemo(() => pagesOf(members), [members]);
  const results = useQueries({
    queries: pages.map((refs) => ({
      queryKey: ["member-rows", ...refs.map(refId)] as const,
      queryFn: () => socket.request({ type: "messages.rows", refs }),
    })),
  });
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
