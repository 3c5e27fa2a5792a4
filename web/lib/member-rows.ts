/**
 * The rows of a conversation's members for the reader's stack (sender, snippet, date, flags),
 * asked with `messages.rows` in pages of at most MAX_ROWS_REFS refs: no message is opened for
 * its collapsed line. The pages are persisted with the query cache (lib/persist.ts), so they
 * show offline; a page never asked while online is made, when the bridge cannot be reached, from
 * the messages this browser keeps (opened ones in the cache, then the offline bodies). A click
 * on a conversation asks for them at once (prefetchConversationMembers), beside the newest
 * message's open, so the collapsed lines come in with the reader's first render instead of a
 * round trip after it; as the bridge's answer arrives, the unread messages at the top of the
 * stack are opened ahead (lib/stack-opens.ts). Flag changes the bridge pushes (`messages.flags`,
 * the user's own included) are applied to the rows kept, whether a stack is shown or not, so a
 * collapsed line never shows a message unread that was read since. hooks/use-conversation-members
 * reads the pages for the stack.
 */
import type { TConversationRow, TMemberRow, TMessageRef } from "@ferry/protocol";
import {
  applyMemberFlags,
  keptMemberRows,
  MEMBER_ROWS_KEY,
  membersOf,
  pagesOf,
  refId,
} from "./conversation-stack";
import { FerryError } from "./errors";
import { keys, type MessageData, queryClient, socket } from "./mail-client";
import { readKept } from "./offline-bodies-task";
import { openUnreadAhead } from "./stack-opens";

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
    const page = await socket.request({ type: "messages.rows", refs });
    openUnreadAhead(page.rows);
    return page;
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

export function memberPageQuery(refs: TMessageRef[]) {
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
