/**
 * Conversation windows: rows `offset … offset+limit` of a folder's conversations, each placed
 * where its newest message in the folder sits (newest first), as `list.window` with
 * `conversations` answers them; and the rows of the conversations that moved since the last
 * push (conversationChanges), for `conversations.changed`.
 *
 * Order. A folder's conversations come from its session's ConversationCache (order.ts): one
 * THREAD over the whole folder, then kept up to date arrival by arrival, so every window of a
 * folder is a slice of the cached order (O(window) after the first) and one arrival costs
 * O(new messages), not another THREAD. In a large folder the first windows come from its newest
 * messages' THREAD while the whole folder is threaded in the background (order.ts); the lists
 * are then told to ask again (`conversations.changed` with `refetch`). The cache is the command connection's
 * (conversationCacheOf), which every window and push of the session runs on.
 *
 * Rows. The window's members in this folder are FETCHed with the one row builder (rowsForUids)
 * and their References, so that its conversations' messages elsewhere can be found: in Sent
 * (when the list is not Sent itself), the messages whose Message-ID one of the window's members
 * references, or that reference one of their Message-IDs: one UID SEARCH bounded by the rows on
 * screen. That lookup runs on a connection of its own that keeps Sent selected (SentSide: one per
 * account, live/sent-connection.ts), so the connection the windows run on keeps their folder
 * selected: a SELECT of a 100,000-message INBOX after each window's look into Sent costs far more
 * than the window. Each lookup asks the server afresh (withMailbox's NOOP on the selected Sent
 * brings in what another client filed or deleted there), so nothing of Sent is kept here.
 * Trash and Junk are not looked in. Each conversation's aggregate (participants with the
 * user as `me`, newest subject and date, unread/starred of any, attachment and draft markers)
 * is built from those rows, plus the sender, date and structure of a long conversation's oldest
 * messages here (SENDERS_READ, one FETCH), so that its participants and attachment marker cover
 * its start as well as its newest messages.
 */
import type { TAddress, TConversationRow, TMessageRow } from "@ferry/protocol";
import type { ImapFlow, MailboxObject, SearchObject } from "imapflow";
import { packUids, uidValidityOf, withMailbox } from "../imap/mailbox-access";
import { specialUseOf } from "../imap/mailboxes";
import type { SentSide } from "../imap/sent-side";
import { analyzeStructure, isoDate, toAddresses, toBodyPart } from "../imap/structure";
import { rowsForUids, type WindowResult } from "../imap/window";
import { type Conversation, ConversationCache, type ConversationCacheOptions } from "./order";
import { messageIds } from "./references";
import { referencesOf } from "./server-thread";

/** Messages of one conversation in the folder that its row lists and counts flags of. */
export const MAX_MEMBERS_READ = 200;
/** Messages of one conversation whose rows are read (the newest): names and markers come from them. */
export const ROWS_READ = 5;
/**
 * Older messages of one conversation (its oldest, beyond the ROWS_READ newest) whose sender,
 * date and attachment marker are read too, with one FETCH of their envelopes and structures:
 * so that whoever started a long conversation, and those who joined early, are among its
 * participants (the list names the first and the last). At 10 per row, a window of 50 long
 * conversations reads at most 500 of them besides its 250 rows.
 */
export const SENDERS_READ = 10;
/** Ids of a member's References used to find the conversation in Sent (its root and the last ones). */
const REFS_SEARCHED = 10;

export type { SentSide };

const perConnection = new WeakMap<ImapFlow, ConversationCache>();

/**
 * The conversation orders kept for `client` (a session's command connection): its windows, the
 * sign-in's and the live pushes (live/conversation-push.ts) all read and advance them. `opts`
 * apply when they are made (tests: a small folder counts as large).
 */
export function conversationCacheOf(
  client: ImapFlow,
  opts?: ConversationCacheOptions,
): ConversationCache {
  let cache = perConnection.get(client);
  if (!cache) {
    cache = new ConversationCache(opts);
    perConnection.set(client, cache);
  }
  return cache;
}

export interface ConversationWindowParams {
  mailbox: string;
  offset: number;
  limit: number;
  readOnly?: boolean | undefined;
  /** The user's addresses, shown as "me". */
  me: readonly string[];
  /** The orders to read and advance (default: the connection's, conversationCacheOf). */
  cache?: ConversationCache | undefined;
  /** Where Sent is looked in (default: `client` itself, which then selects Sent and back). */
  sent?: SentSide | undefined;
}

export type ConversationWindowResult = WindowResult & {
  conversations: TConversationRow[];
  /** `total` is the head's estimate (order.ts): the whole folder is not threaded yet. */
  estimated?: true;
};

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

/** What is read of an older message of a conversation: who wrote it, when, and attachments. */
interface Sender {
  uid: number;
  from: TAddress[];
  date: string | null;
  hasAttachments: boolean;
}

/** Sender, date and attachment marker of `uids` in the selected folder (one FETCH). */
async function sendersOf(client: ImapFlow, uids: number[]): Promise<Map<number, Sender>> {
  const out = new Map<number, Sender>();
  if (uids.length === 0) return out;
  for await (const m of client.fetch(
    packUids(uids),
    { uid: true, envelope: true, bodyStructure: true },
    { uid: true },
  )) {
    out.set(m.uid, {
      uid: m.uid,
      from: toAddresses(m.envelope?.from),
      date: isoDate(m.envelope?.date),
      hasAttachments: analyzeStructure(toBodyPart(m.bodyStructure)).hasAttachments,
    });
  }
  return out;
}

interface Member {
  row: TMessageRow;
  refs: string[];
  mailbox: string | null;
  uidValidity: number;
}

/** What was read of some conversations in their folder (selected, under its lock). */
interface ReadConversations {
  box: MailboxObject;
  slice: Conversation[];
  /** Rows of each conversation's ROWS_READ newest messages. */
  rows: TMessageRow[];
  refs: Map<number, string[]>;
  /** Senders of each conversation's SENDERS_READ oldest messages beyond those rows. */
  senders: Map<number, Sender>;
  /** Of their first MAX_MEMBERS_READ messages: the unread, starred and draft ones. */
  unseen: Set<number>;
  flagged: Set<number>;
  draft: Set<number>;
}

async function readConversations(
  client: ImapFlow,
  box: MailboxObject,
  slice: Conversation[],
): Promise<ReadConversations> {
  const newest = slice.flatMap((c) => c.uids.slice(0, ROWS_READ));
  const rows = newest.length > 0 ? await rowsForUids(client, box.path, newest) : [];
  const refs = await referencesByUid(client, newest);
  // The rest's flags: three SEARCHes of those UIDs (small answers) instead of their rows.
  const older = slice.flatMap((c) => c.uids.slice(ROWS_READ, MAX_MEMBERS_READ));
  const senders = await sendersOf(
    client,
    slice.flatMap((c) => c.uids.slice(ROWS_READ, MAX_MEMBERS_READ).slice(-SENDERS_READ)),
  );
  const among = async (query: SearchObject): Promise<Set<number>> => {
    if (older.length === 0) return new Set();
    const found = await client.search({ uid: packUids(older), ...query }, { uid: true });
    return new Set(found || []);
  };
  const unseen = await among({ seen: false });
  const flagged = await among({ flagged: true });
  const draft = await among({ draft: true });
  for (const row of rows) {
    if (!row.flags.includes("\\Seen")) unseen.add(row.uid);
    if (row.flags.includes("\\Flagged")) flagged.add(row.uid);
    if (row.flags.includes("\\Draft")) draft.add(row.uid);
  }
  return { box, slice, rows, refs, senders, unseen, flagged, draft };
}

/**
 * The rows of the conversations read (one per conversation, in order; null for one with no
 * message left), their members in Sent added (on `sent`, else on `client` outside the folder's
 * lock, selecting Sent).
 */
async function buildRows(
  client: ImapFlow,
  path: string,
  read: ReadConversations,
  me: readonly string[],
  sent: SentSide | undefined,
): Promise<Array<TConversationRow | null>> {
  const byUid = new Map(read.rows.map((r) => [r.uid, r]));
  const uidValidity = uidValidityOf(read.box);
  const groups: Member[][] = read.slice.map((c) =>
    c.uids
      .slice(0, ROWS_READ)
      .map((uid) => byUid.get(uid))
      .filter((r): r is TMessageRow => r !== undefined)
      .map((row) => ({ row, refs: read.refs.get(row.uid) ?? [], mailbox: null, uidValidity })),
  );
  if (groups.some((g) => g.length > 0)) {
    await (sent
      ? sent.run((side) => addElsewhere(side, path, groups))
      : addElsewhere(client, path, groups));
  }
  return groups.map((members, i) => {
    const here = members.filter((m) => m.mailbox === null);
    const newest = here[0]?.row;
    const conversation = read.slice[i];
    if (!newest || !conversation) return null;
    const uids = conversation.uids.slice(0, MAX_MEMBERS_READ);
    return aggregate(newest, members, me, {
      uids,
      senders: uids.flatMap((uid) => {
        const sender = read.senders.get(uid);
        return sender ? [sender] : [];
      }),
      inFolder: conversation.uids.length,
      unread: uids.some((uid) => read.unseen.has(uid)),
      starred: uids.some((uid) => read.flagged.has(uid)),
      draft: uids.some((uid) => read.draft.has(uid)),
    });
  });
}

/** One window of the conversations of `params.mailbox`. */
export async function conversationWindow(
  client: ImapFlow,
  params: ConversationWindowParams,
): Promise<ConversationWindowResult> {
  const { mailbox: path, offset, limit } = params;
  const cache = params.cache ?? conversationCacheOf(client);
  let total = 0;
  let estimated = false;
  const read = await withMailbox(client, path, { readOnly: params.readOnly }, async (box) => {
    const order = await cache.order(client, path, box, offset + limit);
    total = cache.total(path);
    estimated = cache.partial(path);
    return readConversations(client, box, order.slice(offset, offset + limit));
  });
  const built = await buildRows(client, path, read, params.me, params.sent);
  const conversations = built.filter((c): c is TConversationRow => c !== null);
  return {
    mailbox: read.box.path,
    uidValidity: uidValidityOf(read.box),
    total,
    ...(estimated ? { estimated: true as const } : {}),
    offset,
    rows: conversations.map((c) => c.newest),
    conversations,
  };
}

/** One conversation that changed: its row, moved from position `from` (null: new) to `to`. */
export interface ConversationChange {
  conversation: TConversationRow;
  from: number | null;
  to: number;
}

export interface ConversationChanges {
  mailbox: string;
  uidValidity: number;
  /** Conversations in the folder. */
  total: number;
  /** The order was built again: positions may have changed anywhere (the lists ask again). */
  rebuilt: boolean;
  /** In the order they happened (empty when rebuilt). */
  changes: ConversationChange[];
}

/**
 * Brings `path`'s kept order up to date and returns what moved since the last call (arrivals),
 * plus the conversations holding `touched` (flag changes) where they stand, with their rows.
 * Null when `path`'s order is not kept (no conversation list of it was read).
 */
export async function conversationChanges(
  client: ImapFlow,
  cache: ConversationCache,
  path: string,
  touched: readonly number[],
  me: readonly string[],
  sent?: SentSide,
): Promise<ConversationChanges | null> {
  if (!cache.has(path)) return null;
  let total = 0;
  let uidValidity = 0;
  let mailbox = path;
  let rebuilt = false;
  let moves: Array<{ conversation: Conversation; from: number | null; to: number }> = [];
  const read = await withMailbox(client, path, {}, async (box) => {
    await cache.order(client, path, box);
    total = cache.total(path);
    uidValidity = uidValidityOf(box);
    mailbox = box.path;
    const drained = cache.drain(path);
    rebuilt = drained?.rebuilt ?? false;
    moves = drained?.moves ?? [];
    if (rebuilt) return null;
    for (const uid of touched) {
      const found = cache.find(path, uid);
      if (found && !moves.some((m) => m.conversation === found.conversation))
        moves.push({ conversation: found.conversation, from: found.position, to: found.position });
    }
    const distinct = [...new Set(moves.map((m) => m.conversation))];
    return readConversations(client, box, distinct);
  });
  const base = { mailbox, uidValidity, total, rebuilt };
  if (!read) return { ...base, changes: [] };
  const built = await buildRows(client, path, read, me, sent);
  const rowOf = new Map(read.slice.map((c, i) => [c, built[i] ?? null]));
  const changes: ConversationChange[] = [];
  for (const m of moves) {
    const conversation = rowOf.get(m.conversation);
    if (conversation) changes.push({ conversation, from: m.from, to: m.to });
  }
  return { ...base, changes };
}

/** Finds the window's conversations' messages in Sent and adds them to their groups. */
async function addElsewhere(client: ImapFlow, path: string, groups: Member[][]): Promise<void> {
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
    const refs = await referencesByUid(client, uids);
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

/** What is known of a conversation's messages in the folder beyond the rows read. */
interface InFolder {
  /** Its first MAX_MEMBERS_READ UIDs, newest first. */
  uids: number[];
  /** Older messages whose senders were read (beyond the rows read). */
  senders: Sender[];
  /** How many it has in the folder. */
  inFolder: number;
  unread: boolean;
  starred: boolean;
  draft: boolean;
}

/**
 * A conversation's row: subject and date from the rows read (its newest messages here and its
 * messages elsewhere), names and attachments from those and the older senders read, flags and
 * counts of all of it.
 */
function aggregate(
  newest: TMessageRow,
  members: Member[],
  me: readonly string[],
  here: InFolder,
): TConversationRow {
  const mine = new Set(me.map((a) => a.toLowerCase()));
  const byDate = [...members].sort(
    (a, b) => Date.parse(a.row.date ?? "") - Date.parse(b.row.date ?? "") || a.row.uid - b.row.uid,
  );
  const last = byDate[byDate.length - 1]?.row ?? newest;
  const writers = [
    ...members.map((m) => ({
      from: m.row.from,
      date: m.row.date,
      uid: m.row.uid,
      here: !m.mailbox,
    })),
    ...here.senders.map((s) => ({ from: s.from, date: s.date, uid: s.uid, here: true })),
  ].sort(
    (a, b) =>
      Date.parse(a.date ?? "") - Date.parse(b.date ?? "") ||
      (a.here === b.here ? a.uid - b.uid : 0),
  );
  const participants: TConversationRow["participants"] = [];
  const seen = new Set<string>();
  for (const row of writers) {
    for (const a of row.from) {
      const key = a.address.toLowerCase();
      if (key === "" || seen.has(key)) continue;
      seen.add(key);
      participants.push({ name: a.name, address: a.address, me: mine.has(key) });
    }
  }
  const elsewhere = members.filter((m) => m.mailbox !== null);
  const flags = (m: Member) => m.row.flags;
  return {
    newest,
    uids: here.uids,
    elsewhere: elsewhere.map((m) => ({
      mailbox: m.mailbox as string,
      uidValidity: m.uidValidity,
      uid: m.row.uid,
    })),
    count: here.inFolder + elsewhere.length,
    participants,
    subject: last.subject,
    date: last.date,
    unread: here.unread || elsewhere.some((m) => !flags(m).includes("\\Seen")),
    starred: here.starred || elsewhere.some((m) => flags(m).includes("\\Flagged")),
    hasAttachments:
      members.some((m) => m.row.hasAttachments) || here.senders.some((s) => s.hasAttachments),
    hasDraft: here.draft || elsewhere.some((m) => flags(m).includes("\\Draft")),
  };
}
