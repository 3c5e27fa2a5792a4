/**
 * Conversation windows: rows `offset … offset+limit` of a folder's conversations, each placed
 * where its newest message in the folder sits (newest first), as `list.window` with
 * `conversations` answers them.
 *
 * Cache. A folder's conversations come from one THREAD over the whole folder (server-thread.ts),
 * turned into an order of conversations (each a UID list, newest first) and kept per connection
 * and folder, stamped with UIDVALIDITY, EXISTS and UIDNEXT as withMailbox()'s refresh sees them:
 * threading depends only on headers, so only an arrival or an expunge changes it, and every
 * window of an unchanged folder is a slice of the cached order (O(window) after the first). A
 * 100,000-message folder thus costs one THREAD once, then FETCHes of the rows on screen.
 *
 * Rows. The window's members in this folder are FETCHed with the one row builder (rowsForUids)
 * and their References, so that its conversations' messages elsewhere can be found: in Sent
 * (when the list is not Sent itself), the messages whose Message-ID one of the window's members
 * references, or that reference one of their Message-IDs: one UID SEARCH bounded by the rows on
 * screen. Trash and Junk are not looked in. Each conversation's aggregate (participants with the
 * user as `me`, newest subject and date, unread/starred of any, attachment and draft markers)
 * is built from those rows.
 */
import type { TConversationRow, TMessageRow } from "@ferry/protocol";
import type { ImapFlow, MailboxObject } from "imapflow";
import { uidValidityOf, withMailbox } from "../imap/mailbox-access";
import { specialUseOf } from "../imap/mailboxes";
import { rowsForUids, type WindowResult } from "../imap/window";
import { messageIds, threadUids } from "./references";
import { referencesOf, threadMailbox } from "./server-thread";

/** Conversation orders kept per connection. */
const CACHE_SIZE = 3;
/** Messages of one conversation read for its row (the newest ones). */
export const MAX_MEMBERS_READ = 200;

interface OrderEntry {
  path: string;
  stamp: string;
  /** Each conversation's UIDs in this folder, newest first; conversations newest first. */
  order: Uint32Array[];
}

const orderCache = new WeakMap<ImapFlow, OrderEntry[]>();

export interface ConversationWindowParams {
  mailbox: string;
  offset: number;
  limit: number;
  readOnly?: boolean | undefined;
  /** The user's addresses, shown as "me". */
  me: readonly string[];
}

export type ConversationWindowResult = WindowResult & { conversations: TConversationRow[] };

function stampOf(mailbox: MailboxObject): string {
  return `${String(mailbox.uidValidity)}:${mailbox.exists}:${String(mailbox.uidNext)}`;
}

/** The folder's conversations, newest first, from the cache while the folder is unchanged. */
async function conversationOrder(
  client: ImapFlow,
  path: string,
  mailbox: MailboxObject,
): Promise<Uint32Array[]> {
  const stamp = stampOf(mailbox);
  const entries = orderCache.get(client) ?? [];
  const hit = entries.find((e) => e.path === path);
  if (hit && hit.stamp === stamp) return hit.order;
  const trees = await threadMailbox(client);
  const order = trees
    .map((t) => Uint32Array.from(threadUids(t)).sort().reverse())
    .filter((u) => u.length > 0)
    .sort((a, b) => (b[0] ?? 0) - (a[0] ?? 0));
  orderCache.set(
    client,
    [{ path, stamp, order }, ...entries.filter((e) => e.path !== path)].slice(0, CACHE_SIZE),
  );
  return order;
}

/** References (and In-Reply-To) of `uids` in the selected folder, by UID. */
async function referencesByUid(client: ImapFlow, uids: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (uids.length === 0) return out;
  for await (const m of client.fetch(
    uids.join(","),
    { uid: true, headers: ["references", "in-reply-to"] },
    { uid: true },
  )) {
    const refs = messageIds(referencesOf(m.headers));
    out.set(m.uid, refs.length > 0 ? refs : messageIds(inReplyToOf(m.headers)).slice(0, 1));
  }
  return out;
}

function inReplyToOf(headers: Buffer | undefined): string | null {
  if (!headers) return null;
  const text = headers.toString("latin1").replace(/\r?\n[ \t]+/g, " ");
  return /^in-reply-to:(.*)$/im.exec(text)?.[1]?.trim() ?? null;
}

interface Member {
  row: TMessageRow;
  refs: string[];
  mailbox: string | null;
  uidValidity: number;
}

/** One window of the conversations of `params.mailbox`. */
export async function conversationWindow(
  client: ImapFlow,
  params: ConversationWindowParams,
): Promise<ConversationWindowResult> {
  const { mailbox: path, offset, limit } = params;
  const local = await withMailbox(client, path, { readOnly: params.readOnly }, async (box) => {
    const order = await conversationOrder(client, path, box);
    const slice = order.slice(offset, offset + limit);
    const uids = slice.flatMap((c) => [...c.subarray(0, MAX_MEMBERS_READ)]);
    const rows = uids.length > 0 ? await rowsForUids(client, box.path, uids) : [];
    const refs = await referencesByUid(client, uids);
    return { box, total: order.length, slice, rows, refs };
  });
  const byUid = new Map(local.rows.map((r) => [r.uid, r]));
  const uidValidity = uidValidityOf(local.box);
  const groups: Member[][] = local.slice.map((c) =>
    [...c.subarray(0, MAX_MEMBERS_READ)]
      .map((uid) => byUid.get(uid))
      .filter((r): r is TMessageRow => r !== undefined)
      .map((row) => ({ row, refs: local.refs.get(row.uid) ?? [], mailbox: null, uidValidity })),
  );
  await addElsewhere(client, path, groups);
  const conversations: TConversationRow[] = [];
  const rows: TMessageRow[] = [];
  for (const [i, members] of groups.entries()) {
    const here = members.filter((m) => m.mailbox === null);
    const newest = here[0]?.row;
    if (!newest) continue;
    rows.push(newest);
    const unread = (local.slice[i]?.length ?? here.length) - here.length;
    conversations.push(aggregate(newest, members, params.me, unread));
  }
  return {
    mailbox: local.box.path,
    uidValidity,
    total: local.total,
    offset,
    rows,
    conversations,
  };
}

/** Finds the window's conversations' messages in Sent and adds them to their groups. */
async function addElsewhere(client: ImapFlow, path: string, groups: Member[][]): Promise<void> {
  const members = groups.flat();
  if (members.length === 0) return;
  const folders = await client.list();
  const sent = folders.find((f) => specialUseOf(f) === "sent")?.path;
  if (!sent || sent === path) return;
  const ownIds = new Set(members.map((m) => m.row.messageId).flatMap((id) => messageIds(id)));
  const referenced = new Set(members.flatMap((m) => m.refs));
  for (const id of ownIds) referenced.delete(id);
  const terms = [
    ...[...referenced].map((id) => ({ header: { "message-id": `<${id}>` } })),
    ...[...ownIds].flatMap((id) => [
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
    const refs = await referencesByUid(client, uids);
    const validity = uidValidityOf(box);
    for (const row of rows) {
      const own = messageIds(row.messageId)[0];
      const itsRefs = refs.get(row.uid) ?? [];
      const group = groups.find((g) =>
        g.some(
          (m) =>
            (own !== undefined && m.refs.includes(own)) ||
            itsRefs.some((r) => messageIds(m.row.messageId)[0] === r),
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

/** A conversation's row; `unreadHere` members in this folder were past MAX_MEMBERS_READ. */
function aggregate(
  newest: TMessageRow,
  members: Member[],
  me: readonly string[],
  unreadHere: number,
): TConversationRow {
  const mine = new Set(me.map((a) => a.toLowerCase()));
  const byDate = [...members].sort(
    (a, b) => Date.parse(a.row.date ?? "") - Date.parse(b.row.date ?? "") || a.row.uid - b.row.uid,
  );
  const last = byDate[byDate.length - 1]?.row ?? newest;
  const participants: TConversationRow["participants"] = [];
  const seen = new Set<string>();
  for (const { row } of byDate) {
    for (const a of [...row.from, ...row.to]) {
      const key = a.address.toLowerCase();
      if (key === "" || seen.has(key)) continue;
      seen.add(key);
      participants.push({ name: a.name, address: a.address, me: mine.has(key) });
    }
  }
  const flags = (m: Member) => m.row.flags;
  return {
    newest,
    uids: members.filter((m) => m.mailbox === null).map((m) => m.row.uid),
    elsewhere: members
      .filter((m) => m.mailbox !== null)
      .map((m) => ({ mailbox: m.mailbox as string, uidValidity: m.uidValidity, uid: m.row.uid })),
    count: members.length + unreadHere,
    participants,
    subject: last.subject,
    date: last.date,
    unread: members.some((m) => !flags(m).includes("\\Seen")),
    starred: members.some((m) => flags(m).includes("\\Flagged")),
    hasAttachments: members.some((m) => m.row.hasAttachments),
    hasDraft: members.some((m) => flags(m).includes("\\Draft")),
  };
}
