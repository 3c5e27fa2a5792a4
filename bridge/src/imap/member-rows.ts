/**
 * Rows of named messages in any folders (`messages.rows`): the collapsed lines of a conversation
 * in the reader, without opening its messages. Refs are grouped by folder; each folder is opened
 * once (in the mode it is open in for the asking socket, as `message.open` does) and its rows come
 * from the one row builder (rowsForUids), each message's In-Reply-To from the header fields that
 * come in its FETCH (so that the reader can order replies sent within the same second). A ref
 * whose UIDVALIDITY is not its folder's, or whose message is gone, is answered as missing; a
 * folder that cannot be opened fails the whole request with its typed error. The folder the
 * account's Sent connection has selected (its Sent: imap/sent-side.ts) is read there, read-only,
 * so that the command connection keeps its folder selected (no SELECT of a large INBOX again
 * after).
 */
import type { TMemberRow, TMessageRef } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { inReplyToOf } from "./in-reply-to";
import { uidValidityOf, withMailbox } from "./mailbox-access";
import { threadHeadersOf } from "./rows";
import type { SentSide } from "./sent-side";
import { rowsForUids } from "./window";

export interface MemberRows {
  rows: TMemberRow[];
  missing: TMessageRef[];
}

/**
 * The rows of `refs` (deduplicated), and the refs that name no message. `readOnlyOf` gives the
 * mode a folder is opened in (undefined: the mode it is already selected in); `sent`, where the
 * folder it has selected is read.
 */
export async function rowsForRefs(
  client: ImapFlow,
  refs: readonly TMessageRef[],
  readOnlyOf: (mailbox: string) => boolean | undefined,
  sent?: SentSide,
): Promise<MemberRows> {
  const byMailbox = new Map<string, Map<string, TMessageRef>>();
  for (const ref of refs) {
    const group = byMailbox.get(ref.mailbox) ?? new Map<string, TMessageRef>();
    group.set(`${ref.uidValidity}:${ref.uid}`, ref);
    byMailbox.set(ref.mailbox, group);
  }
  const rows: TMemberRow[] = [];
  const missing: TMessageRef[] = [];
  for (const [mailbox, group] of byMailbox) {
    const read = (on: ImapFlow, readOnly: boolean | undefined) =>
      withMailbox(on, mailbox, { readOnly }, async (box) => {
        const uidValidity = uidValidityOf(box);
        const wanted: number[] = [];
        for (const ref of group.values()) {
          if (ref.uidValidity === uidValidity) wanted.push(ref.uid);
          else missing.push(ref);
        }
        if (wanted.length === 0) return;
        const found = await rowsForUids(on, box.path, wanted);
        const seen = new Set<number>();
        for (const row of found) {
          seen.add(row.uid);
          const inReplyTo = inReplyToOf(threadHeadersOf(row));
          rows.push({ ...row, mailbox, uidValidity, inReplyTo });
        }
        for (const uid of wanted) if (!seen.has(uid)) missing.push({ mailbox, uidValidity, uid });
      });
    await (sent !== undefined && sent.selected === mailbox
      ? sent.run((side) => read(side, true))
      : read(client, readOnlyOf(mailbox)));
  }
  return { rows, missing };
}
