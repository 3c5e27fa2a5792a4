/**
 * Opening the conversation stack's expanded messages (`message.open`): every stack's opens go
 * through one queue, a few at a time, top first (lib/open-queue.ts); and the unread ones at the
 * top of a stack are opened ahead (openUnreadAhead) in the task that receives the stack's lines,
 * before the stack renders, is laid out and observes which of its messages are near the
 * viewport. Those are read-ahead the user did not ask for by a click: sent as background, the
 * bridge answers the user's own requests first. A conversation read ahead before its click
 * (lib/member-rows.ts readAheadConversation) gets the same opens, so its stack shows at once.
 */
import type { TMemberRow, TMessageRef } from "@ferry/protocol";
import { SEEN } from "./actions";
import { openAhead, orderMembers } from "./conversation-stack";
import { fetchMessage, keys, type MessageData, queryClient } from "./mail-client";
import { OpenQueue } from "./open-queue";

/** The stacks' expanded messages are opened through this queue, a few at a time. */
export const stackOpens = new OpenQueue();

/**
 * The query of a stack's message `ref` at `position` (its place in the stack, top first: the
 * order the queue opens in); `background` for read-ahead.
 */
export function stackMessageQuery(ref: TMessageRef, position: number, background: boolean) {
  return {
    queryKey: keys.message(ref),
    queryFn: (): Promise<MessageData> =>
      stackOpens.run(() => fetchMessage(ref, background ? { background } : {}), position),
  };
}

/**
 * Opens ahead the unread messages at the top of a stack whose lines are `rows` (the stack shows
 * unread messages expanded): the first OPEN_AHEAD of them, top first. One already in the cache,
 * or being opened, is not asked again. Settles (never rejects) once each is in, or has failed.
 */
export function openUnreadAhead(rows: readonly TMemberRow[]): Promise<void> {
  const ordered = orderMembers(
    rows.map((row) => ({
      ref: { mailbox: row.mailbox, uidValidity: row.uidValidity, uid: row.uid },
      row,
    })),
  );
  const ahead = openAhead(ordered, (m) => !m.row.flags.includes(SEEN));
  return Promise.all(
    ahead.map((m) => queryClient.prefetchQuery(stackMessageQuery(m.ref, ordered.indexOf(m), true))),
  ).then(() => undefined);
}
