/**
 * Conversation view in the list: which messages a conversation row stands for (what the list's
 * actions act on) and the words its row shows. The rows themselves come from the bridge
 * (`list.window` with `conversations`, kept in ListData.conversations by newest UID).
 */
import type { TConversationRow } from "@ferry/protocol";
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

/** Who is in a conversation, as its row names them: first names (or addresses), "me" for the user. */
export function participantsLabel(conv: Pick<TConversationRow, "participants">): string {
  const names = conv.participants.map((p) =>
    p.me ? t("list.me") : (p.name.trim().split(/\s+/)[0] ?? "") || p.address,
  );
  const shown = names.filter((n, i) => n !== "" && names.indexOf(n) === i);
  if (shown.length === 0) return t("list.unknownSender");
  return shown.length > 3 ? `${shown.slice(0, 2).join(", ")} … ${shown.at(-1)}` : shown.join(", ");
}
