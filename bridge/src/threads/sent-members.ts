/**
 * A conversation's members in Sent (moved out of conversations.ts): the messages there whose
 * Message-ID one of the window's members references, or that reference one of their
 * Message-IDs or roots, found with one UID SEARCH bounded by the rows on screen and added to
 * their conversations' groups. It runs where Sent is read (a SentSide, live/sent-connection.ts,
 * or the command connection, which then selects Sent).
 */
import type { ImapFlow } from "imapflow";
import { uidValidityOf, withMailbox } from "../imap/mailbox-access";
import { specialUseOf } from "../imap/mailboxes";
import { rowsForUids } from "../imap/window";
import { MAX_MEMBERS_READ, type Member, referencesOfRows } from "./conversation-rows";
import { messageIds } from "./references";

/** Ids of a member's References used to find the conversation in Sent (its root and the last ones). */
const REFS_SEARCHED = 10;
/** Finds the window's conversations' messages in Sent and adds them to their groups. */
export async function addElsewhere(
  client: ImapFlow,
  path: string,
  groups: Member[][],
): Promise<void> {
  const members = groups.flat();
  if (members.length === 0) return;
  const folders = await client.list();
  const sent = folders.find((f) => specialUseOf(f) === "sent")?.path;
  if (!sent || sent === path) return;
  const ownIds = new Set(members.map((m) => m.row.messageId).flatMap((id) => messageIds(id)));
  // Its root (the first id a member references) and the last ids it references.
  const referenced = new Set(
    members.flatMap((m) => [...m.refs.slice(0, 1), ...m.refs.slice(-REFS_SEARCHED)]),
  );
  for (const id of ownIds) referenced.delete(id);
  const roots = new Set(members.flatMap((m) => m.refs.slice(0, 1)));
  const terms = [
    ...[...referenced].map((id) => ({ header: { "message-id": `<${id}>` } })),
    ...[...ownIds, ...roots].flatMap((id) => [
      { header: { references: `<${id}>` } },
      { header: { "in-reply-to": `<${id}>` } },
    ]),
  ];
  if (terms.length === 0) return;
  await withMailbox(client, sent, { readOnly: true }, async (box) => {
    const found = await client.search(terms.length === 1 ? (terms[0] ?? {}) : { or: terms }, {
      uid: true,
    });
    if (!found || found.length === 0) return;
    const uids = found.slice(-MAX_MEMBERS_READ * groups.length);
    const rows = await rowsForUids(client, box.path, uids);
    const refs = await referencesOfRows(client, rows);
    const validity = uidValidityOf(box);
    for (const row of rows) {
      const own = messageIds(row.messageId)[0];
      const itsRefs = refs.get(row.uid) ?? [];
      // It is referenced by a member, references one, or shares the conversation's root.
      const group = groups.find((g) =>
        g.some(
          (m) =>
            (own !== undefined && m.refs.includes(own)) ||
            itsRefs.some((r) => messageIds(m.row.messageId)[0] === r) ||
            (m.refs[0] !== undefined && itsRefs[0] === m.refs[0]),
        ),
      );
      if (
        group &&
        !group.some((m) => m.row.messageId !== null && m.row.messageId === row.messageId)
      )
        group.push({ row, refs: itsRefs, mailbox: box.path, uidValidity: validity });
    }
  });
}
