/**
 * New messages placed at once (placeAtOnce, for the live push: live/conversation-push.ts): a
 * `messages.new` row that references a conversation whose row was served (threads/known.ts),
 * by its References or In-Reply-To (which came with the row: thread-ids.ts), joins that
 * conversation in the kept order (order.ts placeKnown, checked against the folder afterwards),
 * and its new row is made from the one served (withArrival), with no IMAP command. A row that
 * references nothing joins by its base subject, as the server's THREAD=REFERENCES joins it
 * (RFC 5256 step 5; Dovecot merges a "Re:", "Fwd:" or same subject into the conversation whose
 * root has that base subject): only a served conversation all of whose messages in the folder
 * have that one base subject, so that its root has it.
 */
import type { TMessageRow } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { baseSubject } from "./base-subject";
import { type ConversationChange, MAX_MEMBERS_READ } from "./conversations";
import { knownOf, withArrival } from "./known";
import type { ConversationCache } from "./order";
import { messageIds } from "./references";
import { threadIdsOf } from "./thread-ids";

/** A `messages.new` event, as placing its rows needs it. */
export interface NewRows {
  mailbox: string;
  uidValidity: number;
  /** Messages in the folder with these. */
  total: number;
  rows: readonly TMessageRow[];
}

/**
 * The moves of the rows of `frame` placed at once in `cache`'s order of its folder (kept for
 * `client`, the connection it is checked on), oldest first, with their conversations' new rows;
 * it stops at the first row it cannot place so (a message about a conversation not served, or
 * one with no References), which the server then places.
 */
export function placeAtOnce(
  client: ImapFlow,
  cache: ConversationCache,
  frame: NewRows,
  me: readonly string[],
): ConversationChange[] {
  const path = frame.mailbox;
  if (!cache.has(path)) return [];
  const known = knownOf(cache);
  const uv = frame.uidValidity;
  const rows = [...frame.rows].sort((a, b) => a.uid - b.uid);
  const changes: ConversationChange[] = [];
  let exists = frame.total - rows.length;
  for (const row of rows) {
    exists++;
    const refs = threadIdsOf(row);
    const own = messageIds(row.messageId)[0] ?? null;
    if (!refs || (own !== null && known.knows(path, uv, own))) break;
    const { base } = baseSubject(row.subject);
    const member =
      refs.length > 0
        ? known.memberOf(path, uv, refs, (uid) => cache.find(path, uid)?.conversation ?? null)
        : known.memberBySubject(path, uv, base);
    const newest = member === null ? undefined : cache.find(path, member)?.conversation.uids[0];
    const served = newest === undefined ? undefined : known.row(path, uv, newest);
    if (member === null || newest === undefined || !served) break;
    const subject = known.subjectOf(path, uv, newest);
    if (refs.length === 0 && subject !== base) break;
    const arrival = { uid: row.uid, messageId: own, refs, subject: row.subject };
    const moved = cache.placeKnown(client, path, uv, arrival, member, exists);
    if (!moved) break;
    const conversation = withArrival(served, row, moved.conversation.uids, me, MAX_MEMBERS_READ);
    const ids = own === null ? refs : [own, ...refs];
    known.note(path, uv, conversation, ids, subject === base ? subject : null);
    changes.push({ conversation, from: moved.from, to: 0 });
  }
  return changes;
}
