/**
 * Opening the conversation stack's expanded messages (`message.open`): every stack's opens go
 * through one queue, a few at a time, top first (lib/open-queue.ts); and the unread ones at the
 * top of a stack are opened ahead (openUnreadAhead) in the task that receives the stack's lines,
 * before the stack renders, is laid out and observes which of its messages are near the
 * viewport. Those are read-ahead the user did not ask for by a click: sent as background, the
 * bridge answers the user's own requests first. A conversation read ahead before its click
 * (lib/member-rows.ts readAheadConversation) gets the same opens, so its stack shows at once;
 * when the click comes while some of them are still waiting on the bridge behind other
 * background work, those are asked for again in the foreground (openUnreadNow).
 */
import type { TMemberRow, TMessageRef } from "@ferry/protocol";
import { SEEN } from "./actions";
import { openAhead, orderMembers, refId } from "./conversation-stack";
import { fetchMessage, keys, type MessageData, queryClient } from "./mail-client";
import { OpenQueue } from "./open-queue";

/** The stacks' expanded messages are opened through this queue, a few at a time. */
export const stackOpens = new OpenQueue();

/** Stack messages asked for as background and not answered yet, by refId. */
const inBackground = new Set<string>();
/** Of those, the ones asked for again in the foreground (openUnreadNow), by refId. */
const inForeground = new Set<string>();

/**
 * The query of a stack's message `ref` at `position` (its place in the stack, top first: the
 * order the queue opens in); `background` for read-ahead.
 */
export function stackMessageQuery(ref: TMessageRef, position: number, background: boolean) {
  return {
    queryKey: keys.message(ref),
    queryFn: (): Promise<MessageData> =>
      stackOpens.run(() => {
        if (!background) return fetchMessage(ref);
        const id = refId(ref);
        inBackground.add(id);
        return fetchMessage(ref, { background }).finally(() => inBackground.delete(id));
      }, position),
  };
}

/** The unread messages at the top of a stack whose lines are `rows`, with their places. */
function unreadAtTop(rows: readonly TMemberRow[]): Array<{ ref: TMessageRef; position: number }> {
  const ordered = orderMembers(
    rows.map((row) => ({
      ref: { mailbox: row.mailbox, uidValidity: row.uidValidity, uid: row.uid },
      row,
    })),
  );
  return openAhead(ordered, (m) => !m.row.flags.includes(SEEN)).map((m) => ({
    ref: m.ref,
    position: ordered.indexOf(m),
  }));
}

/**
 * Opens ahead the unread messages at the top of a stack whose lines are `rows` (the stack shows
 * unread messages expanded): the first OPEN_AHEAD of them, top first. One already in the cache,
 * or being opened, is not asked again. Settles (never rejects) once each is in, or has failed.
 */
export function openUnreadAhead(rows: readonly TMemberRow[]): Promise<void> {
  return Promise.all(
    unreadAtTop(rows).map(({ ref, position }) =>
      queryClient.prefetchQuery(stackMessageQuery(ref, position, true)),
    ),
  ).then(() => undefined);
}

/**
 * The user now waits for the stack whose lines are `rows` (its conversation was clicked): each
 * unread message at its top that was opened ahead as background and is not answered yet is
 * asked for again in the foreground, which the bridge answers before its background work (other
 * read-ahead, offline copies); the first answer fills the cache, the later one shows nothing new.
 */
export function openUnreadNow(rows: readonly TMemberRow[]): void {
  for (const { ref } of unreadAtTop(rows)) {
    const id = refId(ref);
    if (!inBackground.has(id) || inForeground.has(id)) continue;
    inForeground.add(id);
    void fetchMessage(ref)
      .then(
        (data) => queryClient.setQueryData(keys.message(ref), data),
        () => undefined,
      )
      .finally(() => inForeground.delete(id));
  }
}
