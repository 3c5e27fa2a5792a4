/**
 * Conversation view in the list: which messages a conversation row stands for (what the list's
 * actions act on) and the words its row shows. The rows themselves come from the bridge
 * (`list.window` with `conversations`, kept in ListData.conversations by newest UID), and
 * the bridge pushes the rows that changed (`conversations.changed`, applyConversationChanges):
 * a conversation a message arrived in moves to the top without the windows being asked again.
 */
import type { TConversationRow, TMessageRow, TServerFrame } from "@ferry/protocol";
import { t } from "./i18n";
import type { ListData } from "./list-cache";

/**
 * The UIDs in this folder that `uids` (rows of `data`) stand for: every member of a
 * conversation row, a plain message as itself. Order kept, each once.
 */
export function conversationUids(data: ListData | undefined, uids: readonly number[]): number[] {
  const out = new Set<number>();
  for (const uid of uids) {
    const conv = data?.conversations?.[uid];
    out.add(uid);
    if (conv) for (const member of conv.uids) out.add(member);
  }
  return [...out];
}

/**
 * Who wrote a conversation, as its row names them: first names (or addresses), "me" for the user;
 * a conversation one person wrote shows their whole name, as their message's row would.
 */
export function participantsLabel(conv: Pick<TConversationRow, "participants">): string {
  const only = conv.participants.length === 1 ? conv.participants[0] : undefined;
  if (only && !only.me && (only.name.trim() || only.address)) {
    return only.name.trim() || only.address;
  }
  const names = conv.participants.map((p) =>
    p.me ? t("list.me") : (p.name.trim().split(/\s+/)[0] ?? "") || p.address,
  );
  const shown = names.filter((n, i) => n !== "" && names.indexOf(n) === i);
  if (shown.length === 0) return t("list.unknownSender");
  return shown.length > 3 ? `${shown.slice(0, 2).join(", ")} … ${shown.at(-1)}` : shown.join(", ");
}

/** A pushed `conversations.changed`. */
export type ConversationsChanged = Extract<TServerFrame, { type: "conversations.changed" }>;

/** `rows` with position `at` taken out and the rows below it moved up by one. */
function takeOut(rows: Record<number, TMessageRow>, at: number): Record<number, TMessageRow> {
  const out: Record<number, TMessageRow> = {};
  for (const [k, row] of Object.entries(rows)) {
    const i = Number(k);
    if (i !== at) out[i > at ? i - 1 : i] = row;
  }
  return out;
}

/** `rows` with `row` put in at position `at` and the rows from there on moved down by one. */
function putIn(rows: Record<number, TMessageRow>, at: number, row: TMessageRow) {
  const out: Record<number, TMessageRow> = { [at]: row };
  for (const [k, r] of Object.entries(rows)) {
    const i = Number(k);
    out[i >= at ? i + 1 : i] = r;
  }
  return out;
}

/**
 * A list of conversations with a pushed `conversations.changed` applied: each changed
 * conversation's row leaves where it was (its old row, found by any of its messages, else
 * position `from`) and goes in at `to`, the rows between closing up; nothing else is asked for
 * again. A list of another UIDVALIDITY, or a change that does not fit what the list holds (a
 * different row at `from`), leaves the rows and marks every window to be asked for again; so
 * does `refetch` (the count then kept while it is an estimate: the header says "About N" only
 * of the estimate, never of a pushed total).
 */
export function applyConversationChanges(data: ListData, e: ConversationsChanged): ListData {
  if (!data.conversations || data.query !== null) return data;
  if (e.refetch || (data.uidValidity !== null && data.uidValidity !== e.uidValidity)) {
    // An estimated total stays until the next window says whether the new one is exact.
    return { ...data, total: data.estimated ? data.total : e.total, fetched: {} };
  }
  let rows = data.rows;
  const conversations = { ...data.conversations };
  let exact = true;
  const arrived: number[] = [];
  for (const change of e.changes) {
    const members = new Set(change.conversation.uids);
    const old = Object.entries(rows)
      .filter(([, r]) => members.has(r.uid))
      .map(([k]) => Number(k))
      .sort((a, b) => b - a);
    if (old.length > 0) {
      for (const i of old) {
        const uid = rows[i]?.uid;
        if (uid !== undefined) delete conversations[uid];
        rows = takeOut(rows, i);
      }
    } else if (change.from !== null) {
      if (rows[change.from] !== undefined) exact = false;
      rows = takeOut(rows, change.from);
    }
    const newest = change.conversation.newest;
    rows = putIn(rows, change.to, newest);
    conversations[newest.uid] = change.conversation;
    if (change.to === 0 && change.from !== 0) arrived.push(newest.uid);
  }
  for (const k of Object.keys(rows)) if (Number(k) >= e.total) delete rows[Number(k)];
  return {
    ...data,
    total: e.total,
    rows,
    conversations,
    ...(exact ? {} : { fetched: {} }),
    ...(arrived.length > 0 ? { arrived } : {}),
  };
}
