/**
 * The rows of a conversation's members for the reader's stack (sender, snippet, date, flags),
 * asked with `messages.rows` in pages of at most MAX_ROWS_REFS refs: no message is opened for
 * its collapsed line. Rows already read are kept while a conversation that changed (a message
 * joined it) is asked again. The pages are persisted with the query cache (lib/persist.ts), so
 * they show offline; a page never asked while online is made, when the bridge cannot be reached,
 * from the messages this browser keeps (opened ones in the cache, then the offline bodies), and
 * asked of the bridge again once it is back. A click on a conversation asks for them at once
 * (prefetchConversationMembers), beside the newest message's open, so the collapsed lines come
 * in with the reader's first render instead of a round trip after it. Flag changes the bridge
 * pushes (`messages.flags`, the user's own included) are applied to the rows kept, whether a
 * stack is shown or not, so a collapsed line never shows a message unread that was read since.
 */
import type { TConversationRow, TMemberRow, TMessageRef } from "@ferry/protocol";
import { useQueries } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import { useConnectionState } from "@/hooks/use-connection-state";
import {
  applyMemberFlags,
  keptMemberRows,
  MEMBER_ROWS_KEY,
  membersOf,
  pagesOf,
  refId,
} from "@/lib/conversation-stack";
import { FerryError } from "@/lib/errors";
import { keys, type MessageData, queryClient, socket } from "@/lib/mail-client";
import { readKept } from "@/lib/offline-bodies-task";

export interface MemberRows {
  /** Rows by refId; a member without one is not read yet, or missing. */
  rows: ReadonlyMap<string, TMemberRow>;
  /** Members the bridge found no message for, or whose page failed. */
  missing: ReadonlySet<string>;
}

function keptMessage(ref: TMessageRef): Promise<MessageData | null> {
  const cached = queryClient.getQueryData<MessageData>(keys.message(ref));
  return cached ? Promise.resolve(cached) : readKept(ref);
}

/** A page's rows; `kept` when made from this browser's messages, not the bridge's answer. */
interface MemberPage {
  rows: TMemberRow[];
  missing: TMessageRef[];
  kept?: true;
}

async function keptPage(refs: TMessageRef[]): Promise<MemberPage | null> {
  const kept = await keptMemberRows(refs, keptMessage);
  return kept.rows.length > 0 ? { rows: kept.rows, missing: [], kept: true } : null;
}

/** One page's rows from the bridge, or from what this browser keeps when it cannot be reached. */
async function memberRows(refs: TMessageRef[]): Promise<MemberPage> {
  if (socket.getStatus() !== "online") {
    const kept = await keptPage(refs);
    if (kept) return kept;
  }
  try {
    return await socket.request({ type: "messages.rows", refs });
  } catch (err) {
    const unreachable =
      err instanceof FerryError && (err.code === "connection_lost" || err.code === "timeout");
    const kept = unreachable ? await keptPage(refs) : null;
    if (kept) return kept;
    throw err;
  }
}

socket.onEvent((e) => {
  if (e.type === "messages.flags") applyMemberFlags(queryClient, e);
});

function memberPageQuery(refs: TMessageRef[]) {
  return {
    queryKey: [MEMBER_ROWS_KEY, ...refs.map(refId)] as const,
    queryFn: () => memberRows(refs),
  };
}

/**
 * Asks for the collapsed lines of `conversation`'s stack when `current` (its newest here) is
 * opened, before the reader is shown: the same queries the stack reads (deduplicated by the cache).
 */
export function prefetchConversationMembers(
  conversation: TConversationRow,
  current: TMessageRef,
): void {
  if (conversation.count <= 1) return;
  for (const refs of pagesOf(membersOf(conversation, current)))
    void queryClient.prefetchQuery(memberPageQuery(refs));
}

export function useConversationMembers(members: readonly TMessageRef[]): MemberRows {
  const pages = useMemo(() => pagesOf(members), [members]);
  const results = useQueries({ queries: pages.map(memberPageQuery) });
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
