/**
 * What a message list row shows and how a screen reader names it: its message's sender,
 * subject, date and flags, or (conversation view) its conversation's (lib/conversations.ts).
 */
import type { TConversationRow, TMessageRow } from "@ferry/protocol";
import { FLAGGED, SEEN } from "./actions";
import { participantsLabel } from "./conversations";
import { t } from "./i18n";

export function senderName(row: Pick<TMessageRow, "from">): string {
  const from = row.from[0];
  if (!from) return t("list.unknownSender");
  return from.name || from.address || t("list.unknownSender");
}

/** What a row shows: its message's, or (conversation view) its conversation's. */
export interface RowFacts {
  sender: string;
  subject: string;
  date: string | null;
  unread: boolean;
  starred: boolean;
  hasAttachments: boolean;
  hasDraft: boolean;
  count: number;
}

export function rowFacts(row: TMessageRow, conv: TConversationRow | undefined): RowFacts {
  if (conv) {
    return {
      sender: participantsLabel(conv),
      subject: conv.subject,
      date: conv.date,
      unread: conv.unread,
      starred: conv.starred,
      hasAttachments: conv.hasAttachments,
      hasDraft: conv.hasDraft,
      count: conv.count,
    };
  }
  return {
    sender: senderName(row),
    subject: row.subject,
    date: row.date,
    unread: !row.flags.includes(SEEN),
    starred: row.flags.includes(FLAGGED),
    hasAttachments: row.hasAttachments,
    hasDraft: false,
    count: 1,
  };
}

export function rowLabel(row: TMessageRow, f: RowFacts, date: string): string {
  const parts: string[] = [];
  if (f.unread) parts.push(t("list.unread"));
  parts.push(f.sender);
  if (f.count > 1) parts.push(t("conv.count", { count: f.count }));
  parts.push(f.subject || t("list.noSubject"));
  if (date) parts.push(date);
  if (f.starred) parts.push(t("list.starred"));
  if (f.hasAttachments) parts.push(t("list.hasAttachment"));
  if (f.hasDraft) parts.push(t("conv.hasDraft"));
  if (row.mailbox !== undefined) {
    parts.push(t("search.inFolder", { folder: rowFolderLabel(row.mailbox) }));
  }
  return parts.join(", ");
}

/**
 * The folder a search result across folders is in, as the folder list names it: the server's
 * "INBOX" is the translated Inbox (hooks/use-mailboxes' folderLabel), other paths as they are.
 */
export function rowFolderLabel(path: string): string {
  return path.toUpperCase() === "INBOX" ? t("folder.inbox") : path;
}
