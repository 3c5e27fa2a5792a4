/**
 * New mail in a list of conversations, shown before the bridge says which conversation it
 * joined. A new message is the newest of its conversation, so that conversation's row goes to
 * the top whichever it is: the message's row is put there at once (`messages.new`), as a message
 * of its own, and the bridge's `conversations.changed` that follows (conversations.ts,
 * applyConversationChanges) takes out every row of that conversation, this one included, and
 * puts the conversation's row in its place with its count and participants.
 */
import type { TMessageRow } from "@ferry/protocol";
import type { ListData } from "./list-cache";

/**
 * `data` (a list of conversations in arrival order) with the rows of `event` that are newer
 * than everything it holds put at the top, sliding in. Other lists, another UIDVALIDITY and
 * messages already shown are left as they are.
 */
export function placeArrivals(
  data: ListData,
  event: { uidValidity: number; rows: readonly TMessageRow[] },
): ListData {
  if (!data.conversations || data.query !== null || data.sorted) return data;
  if (data.uidValidity === null || data.uidValidity !== event.uidValidity) return data;
  const known = new Set<number>();
  for (const row of Object.values(data.rows)) known.add(row.uid);
  for (const conv of Object.values(data.conversations)) for (const uid of conv.uids) known.add(uid);
  const newest = Math.max(0, ...known);
  const fresh = event.rows
    .filter((r) => !known.has(r.uid) && r.uid > newest)
    .sort((a, b) => b.uid - a.uid);
  if (fresh.length === 0) return data;
  const rows: Record<number, TMessageRow> = {};
  fresh.forEach((r, i) => {
    rows[i] = r;
  });
  for (const [k, row] of Object.entries(data.rows)) rows[Number(k) + fresh.length] = row;
  return {
    ...data,
    total: data.total + fresh.length,
    rows,
    arrived: fresh.map((r) => r.uid),
  };
}
