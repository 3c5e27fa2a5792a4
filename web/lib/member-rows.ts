/**
 * The rows of a conversation's members for the reader's stack (sender, snippet, date, flags),
 * asked with `messages.rows` in pages of at most MAX_ROWS_REFS refs: no message is opened for
 * its collapsed line. The pages are persisted with the query cache (lib/persist.ts), so they
 * show offline; a page never asked while online is made, when the bridge cannot be reached, from
 * the messages this browser keeps (opened ones in the cache, then the offline bodies). A click
 * on a conversation asks for them at once (prefetchConversationMembers), beside the newest
 * message's open, so the collapsed lines come in with the reader's first render instead of a
 * round trip after it; as the bridge's answer arrives, the unread messages at the top of the
 * stack are opened ahead (lib/stack-opens.ts; the lines and those opens of a stack read ahead
 * that are still waiting on the bridge when the click comes are asked again in the foreground). The same is
 * asked before any click (readAheadConversation) for a conversation whose newest message is
 * fetched ahead (by the list's fetch ahead, a hover, or as a neighbour of the open one), so its
 * stack shows whole in the reader's first render; those lines are asked as background (`messages.rows` with
 * `background`), as the unread messages' opens are. Flag changes the bridge pushes
 * (`messages.flags`, the user's own included) are applied to the rows kept, whether a stack is
 * shown or not, so a collapsed line never shows a message unread that was read since.
 * hooks/use-conversation-members reads the pages for the stack.
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
import type { ListData } from "./list-cache";
import { keys, type MessageData, queryClient, socket } from "./mail-client";
import { setReadAheadWith } from "./message-fetch";
import { readKept } from "./offline-bodies-task";
import { openUnreadAhead, openUnreadNow } from "./stack-opens";

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

/** Pages asked for as background and not answered yet (pageId), and those asked again now. */
const pagesInBackground = new Set<string>();
const pagesInForeground = new Set<string>();

function pageId(refs: readonly TMessageRef[]): string {
  return refs.map(refId).join("\u0001");
}

/**
 * One page's rows from the bridge, or from what this browser keeps when it cannot be reached;
 * `background` for read-ahead (the bridge answers the user's own requests first).
 */
async function memberRows(refs: TMessageRef[], background: boolean): Promise<MemberPage> {
  if (socket.getStatus() !== "online") {
    const kept = await keptPage(refs);
    if (kept) return kept;
  }
  const id = pageId(refs);
  if (background) pagesInBackground.add(id);
  try {
    const page = await socket.request({
      type: "messages.rows",
      refs,
      ...(background ? { background } : {}),
    });
    void openUnreadAhead(page.rows);
    return page;
  } catch (err) {
    const unreachable =
      err instanceof FerryError && (err.code === "connection_lost" || err.code === "timeout");
    const kept = unreachable ? await keptPage(refs) : null;
    if (kept) return kept;
    throw err;
  } finally {
    if (background) pagesInBackground.delete(id);
  }
}

/**
 * The user now waits for the page `refs` (its conversation was clicked): if it was asked for as
 * background read-ahead and is not answered yet (the bridge serves its background work in turn),
 * it is asked again in the foreground, and the first answer fills the cache.
 */
function askPageNow(refs: TMessageRef[]): void {
  const id = pageId(refs);
  if (!pagesInBackground.has(id) || pagesInForeground.has(id)) return;
  pagesInForeground.add(id);
  void memberRows(refs, false)
    .then(
      (page) => {
        const { queryKey } = memberPageQuery(refs);
        if (!queryClient.getQueryData(queryKey)) queryClient.setQueryData(queryKey, page);
      },
      () => undefined,
    )
    .finally(() => pagesInForeground.delete(id));
}

socket.onEvent((e) => {
  if (e.type === "messages.flags") applyMemberFlags(queryClient, e);
});

/**
 * The query of one page of a stack's lines; `background` when read ahead (a click asking while
 * that is in flight shares it, answered after the click's own open of the newest message).
 */
export function memberPageQuery(refs: TMessageRef[], background = false) {
  return {
    queryKey: [MEMBER_ROWS_KEY, ...refs.map(refId)] as const,
    queryFn: () => memberRows(refs, background),
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
  for (const refs of pagesOf(membersOf(conversation, current))) {
    const query = memberPageQuery(refs);
    // Read ahead: what of it is still waiting on the bridge is wanted now.
    const page = queryClient.getQueryData<MemberPage>(query.queryKey);
    if (page && !page.kept) openUnreadNow(page.rows);
    else if (!page) askPageNow(refs);
    void queryClient.prefetchQuery(query);
  }
}

/**
 * Whether nothing is left to read ahead for `conversation` (its newest here being `current`):
 * every page of its stack's lines was asked for already, or the bridge cannot be reached now.
 */
export function conversationReadAhead(
  conversation: TConversationRow,
  current: TMessageRef,
): boolean {
  if (conversation.count <= 1 || socket.getStatus() !== "online") return true;
  return pagesOf(membersOf(conversation, current)).every(
    (refs) => queryClient.getQueryState(memberPageQuery(refs).queryKey) !== undefined,
  );
}

/**
 * Reads ahead what opening `conversation` (its newest here being `current`) shows besides that
 * message, as the list's fetch ahead does for the message itself (hooks/use-open-prefetch.ts):
 * the stack's lines, then the unread messages at its top, which the stack shows expanded (the
 * same opens a click would send as the lines arrive; no read line's message is opened). Settles
 * (never rejects) when they are in, or have failed; while the bridge cannot be reached, nothing
 * is asked.
 */
export async function readAheadConversation(
  conversation: TConversationRow,
  current: TMessageRef,
): Promise<void> {
  if (conversation.count <= 1 || socket.getStatus() !== "online") return;
  const opens: Promise<void>[] = [];
  for (const refs of pagesOf(membersOf(conversation, current))) {
    const query = memberPageQuery(refs, true);
    await queryClient.prefetchQuery(query);
    const page = queryClient.getQueryData<MemberPage>(query.queryKey);
    // The same opens memberRows started as the page came (deduplicated by the cache).
    if (page && !page.kept) opens.push(openUnreadAhead(page.rows));
  }
  await Promise.all(opens);
}

/** The conversation whose newest message in one of this tab's lists of its folder is `ref`. */
function conversationHeadedBy(ref: TMessageRef): TConversationRow | undefined {
  for (const [, data] of queryClient.getQueriesData<ListData>({
    queryKey: keys.lists(ref.mailbox),
  })) {
    if (data?.uidValidity !== ref.uidValidity) continue;
    const conversation = data.conversations?.[ref.uid];
    if (conversation) return conversation;
  }
  return undefined;
}

// A conversation's newest message fetched ahead (hovered, or a neighbour of the open one): its
// stack is read ahead with it. After the task's other work: a click fetches its message the
// same way and then asks for the lines itself, in the foreground (prefetchConversationMembers),
// which the read-ahead then finds asked.
setReadAheadWith((ref) => {
  queueMicrotask(() => {
    const conversation = conversationHeadedBy(ref);
    if (conversation && !conversationReadAhead(conversation, ref))
      void readAheadConversation(conversation, ref);
  });
});
