/**
 * A conversation's members in Sent (moved out of conversations.ts): the messages there whose
 * Message-ID one of the window's members references, or that reference one of their
 * Message-IDs or roots, found with one UID SEARCH bounded by the rows on screen and added to
 * their conversations' groups. Which folder is Sent is what the command connection last listed
 * (imap/mailboxes.ts, specialFolder: no LIST per window); a Sent that is gone since (renamed or
 * deleted elsewhere: not found, or the Sent connection that had it selected closed) is looked
 * for again once. The lookup runs where Sent is read (a SentSide,
 * live/sent-connection.ts, or the command connection, which then selects Sent), unless the
 * SentSide kept the same lookup at Sent's current state (a sign-in's: kept-sent.ts).
 */
import type { ImapFlow, SearchObject } from "imapflow";
import { BridgeError } from "../errors";
import { uidValidityOf, withMailbox } from "../imap/mailbox-access";
import { forgetSpecialFolders, specialFolder } from "../imap/mailboxes";
import type { SentSide } from "../imap/sent-side";
import { rowsForUids } from "../imap/window";
import { MAX_MEMBERS_READ, type Member, referencesOfRows } from "./conversation-rows";
import type { SentFound } from "./kept-sent";
import { messageIds } from "./references";

/** Ids of a member's References used to find the conversation in Sent (its root and the last ones). */
const REFS_SEARCHED = 10;

/**
 * Finds the conversations' (of folder `path`, read on `client`) messages in Sent and adds them to
 * their groups: read on `side` when given, else on `client` (outside the folder's lock); or
 * taken from `side.lookups` when it kept this very lookup at Sent's current state (a sign-in's).
 */
export async function addElsewhere(
  client: ImapFlow,
  path: string,
  groups: Member[][],
  side?: SentSide,
): Promise<void> {
  if (groups.every((g) => g.length === 0)) return;
  const terms = termsOf(groups);
  if (terms.length === 0) return;
  const key = JSON.stringify(terms);
  for (let attempt = 0; ; attempt++) {
    const sent = await specialFolder(client, "sent");
    if (sent === null || sent === path) return;
    try {
      let found = side?.lookups?.get(sent, key);
      if (!found) {
        found = await (side
          ? side.run((on) => findInSent(on, sent, terms, groups.length))
          : findInSent(client, sent, terms, groups.length));
        side?.lookups?.put(sent, key, found);
      }
      addFound(groups, found);
      return;
    } catch (err) {
      if (attempt > 0 || !sentGone(err, side !== undefined)) throw err;
      forgetSpecialFolders(client);
    }
  }
}

/**
 * Whether `err` may say that Sent is gone: its folder is not found, or (read on a connection of
 * its own, which had it selected) the server closed that connection as it went.
 */
function sentGone(err: unknown, onSide: boolean): boolean {
  if (!(err instanceof BridgeError)) return false;
  return err.code === "mailbox_not_found" || (onSide && err.code === "connection_lost");
}

/** The SEARCH terms that find the messages in Sent belonging with `groups`. */
function termsOf(groups: Member[][]): SearchObject[] {
  const members = groups.flat();
  const ownIds = new Set(members.map((m) => m.row.messageId).flatMap((id) => messageIds(id)));
  // Its root (the first id a member references) and the last ids it references.
  const referenced = new Set(
    members.flatMap((m) => [...m.refs.slice(0, 1), ...m.refs.slice(-REFS_SEARCHED)]),
  );
  for (const id of ownIds) referenced.delete(id);
  const roots = new Set(members.flatMap((m) => m.refs.slice(0, 1)));
  return [
    ...[...referenced].map((id) => ({ header: { "message-id": `<${id}>` } })),
    ...[...ownIds, ...roots].flatMap((id) => [
      { header: { references: `<${id}>` } },
      { header: { "in-reply-to": `<${id}>` } },
    ]),
  ];
}

/** The messages of `sent` that `terms` find (the newest, at most MAX_MEMBERS_READ a group). */
async function findInSent(
  client: ImapFlow,
  sent: string,
  terms: SearchObject[],
  groupCount: number,
): Promise<SentFound> {
  return withMailbox(client, sent, { readOnly: true }, async (box) => {
    const validity = uidValidityOf(box);
    const found = await client.search(terms.length === 1 ? (terms[0] ?? {}) : { or: terms }, {
      uid: true,
    });
    if (!found || found.length === 0) {
      return { mailbox: box.path, uidValidity: validity, rows: [], refs: new Map() };
    }
    const uids = found.slice(-MAX_MEMBERS_READ * groupCount);
    const rows = await rowsForUids(client, box.path, uids);
    const refs = await referencesOfRows(client, rows);
    return { mailbox: box.path, uidValidity: validity, rows, refs };
  });
}

/** Adds the messages `found` in Sent to the groups they belong with. */
function addFound(groups: Member[][], found: SentFound): void {
  for (const row of found.rows) {
    const own = messageIds(row.messageId)[0];
    const itsRefs = found.refs.get(row.uid) ?? [];
    // It is referenced by a member, references one, or shares the conversation's root.
    const group = groups.find((g) =>
      g.some(
        (m) =>
          (own !== undefined && m.refs.includes(own)) ||
          itsRefs.some((r) => messageIds(m.row.messageId)[0] === r) ||
          (m.refs[0] !== undefined && itsRefs[0] === m.refs[0]),
      ),
    );
    if (group && !group.some((m) => m.row.messageId !== null && m.row.messageId === row.messageId))
      group.push({ row, refs: itsRefs, mailbox: found.mailbox, uidValidity: found.uidValidity });
  }
}
