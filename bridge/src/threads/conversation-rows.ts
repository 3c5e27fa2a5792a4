/**
 * The rows of some conversations of a folder (moved out of conversations.ts): their members in
 * the folder FETCHed with the one row builder (rowsForUids, their References in the same FETCH),
 * the flags of their older members (one SEARCH of those UIDs), the sender, subject, date and
 * structure of a long conversation's oldest messages (SENDERS_READ, one FETCH), their members in
 * Sent added (sent-members.ts), and each conversation's aggregate (participants with the user as
 * `me`, newest subject and date, unread/starred of any, attachment and draft markers). What was
 * served is noted (known.ts), with the one base subject of a conversation whose messages in the
 * folder were all read and agree on it. What never changes of the rows and senders read is kept
 * (kept-rows.ts): read again, they are taken from there with their flags asked afresh (the kept
 * rows' flags in one FETCH after the SEARCHes of the other members' flags).
 */
import type { TConversationRow, TMessageRow } from "@ferry/protocol";
import type { ImapFlow, MailboxObject } from "imapflow";
import { wireFlags } from "../imap/flags";
import { packUids, uidValidityOf } from "../imap/mailbox-access";
import type { SentSide } from "../imap/sent-side";
import { analyzeStructure, isoDate, toAddresses, toBodyPart } from "../imap/structure";
import { rowsForUids } from "../imap/window";
import { baseSubject } from "./base-subject";
import { accountOfConnection } from "./kept-orders";
import { type FolderRows, type KeptRow, type KeptSender, keptRows } from "./kept-rows";
import type { KnownConversations } from "./known";
import type { Conversation } from "./order";
import { messageIds } from "./references";
import { addElsewhere } from "./sent-members";
import { threadIdsFromHeaders, threadIdsOf } from "./thread-ids";

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

/**
 * The ids each of `rows` references, by UID: from the headers that came with the rows, else (a
 * row built without them) from one FETCH of those headers in the selected folder.
 */
export async function referencesOfRows(
  client: ImapFlow,
  rows: readonly TMessageRow[],
): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  const missing: number[] = [];
  for (const row of rows) {
    const ids = threadIdsOf(row);
    if (ids === undefined) missing.push(row.uid);
    else out.set(row.uid, ids);
  }
  if (missing.length === 0) return out;
  for await (const m of client.fetch(
    packUids(missing),
    { uid: true, headers: ["references", "in-reply-to"] },
    { uid: true },
  )) {
    out.set(m.uid, threadIdsFromHeaders(m.headers));
  }
  return out;
}

/**
 * What is read of an older message of a conversation: who wrote it, when, attachments, and its
 * flags when they came with it (not for one kept: its flags come from notableFlags).
 */
interface Sender extends KeptSender {
  flags?: string[];
}

/**
 * Sender, date, attachment marker and flags of `uids` in the selected folder: one FETCH of those
 * not `kept` (then kept), the others as kept.
 */
async function sendersOf(
  client: ImapFlow,
  uids: number[],
  kept: FolderRows | null,
): Promise<Map<number, Sender>> {
  const out = new Map<number, Sender>();
  const unknown: number[] = [];
  for (const uid of uids) {
    const found = kept?.sender(uid);
    if (found) out.set(uid, found);
    else unknown.push(uid);
  }
  if (unknown.length === 0) return out;
  for await (const m of client.fetch(
    packUids(unknown),
    { uid: true, flags: true, envelope: true, bodyStructure: true },
    { uid: true },
  )) {
    // an answer without one is a flag change the server announced meanwhile, not a sender
    if (!m.envelope) continue;
    const sender: KeptSender = {
      uid: m.uid,
      subject: typeof m.envelope?.subject === "string" ? m.envelope.subject : "",
      from: toAddresses(m.envelope?.from),
      date: isoDate(m.envelope?.date),
      hasAttachments: analyzeStructure(toBodyPart(m.bodyStructure)).hasAttachments,
    };
    kept?.putSender(sender);
    out.set(m.uid, { ...sender, flags: wireFlags(m.flags) });
  }
  return out;
}

/** The flags of `uids` in the selected folder (one FETCH); gone ones left out. */
async function flagsOf(client: ImapFlow, uids: readonly number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (uids.length === 0) return out;
  const wanted = new Set(uids);
  for await (const m of client.fetch(packUids(uids), { uid: true, flags: true }, { uid: true })) {
    if (wanted.has(m.uid) && m.flags) out.set(m.uid, wireFlags(m.flags));
  }
  return out;
}

/**
 * The rows of `uids` (newest first) and the ids each references: those not `kept` from one
 * FETCH (then kept), the kept ones with their flags as `flags` gives them (a kept row whose UID
 * has none there is gone and left out).
 */
async function newestRows(
  client: ImapFlow,
  box: MailboxObject,
  uids: number[],
  kept: FolderRows | null,
): Promise<{ rows: TMessageRow[]; refs: Map<number, string[]>; known: KeptRow[] }> {
  const known: KeptRow[] = [];
  const unknown: number[] = [];
  for (const uid of uids) {
    const found = kept?.row(uid);
    if (found) known.push(found);
    else unknown.push(uid);
  }
  const rows = unknown.length > 0 ? await rowsForUids(client, box.path, unknown) : [];
  const refs = await referencesOfRows(client, rows);
  for (const row of rows) kept?.putRow({ row, refs: refs.get(row.uid) ?? [] });
  return { rows, refs, known };
}

/** The folder's kept messages (kept-rows.ts) for `client`'s account, or null. */
function keptFolder(client: ImapFlow, box: MailboxObject): FolderRows | null {
  const account = accountOfConnection(client);
  return account === null ? null : keptRows.folder(account, box.path, uidValidityOf(box));
}

/**
 * The flags that matter to a row (unread, starred, draft) of `uids` in the selected folder, as
 * the UIDs that have each: one UID SEARCH of those UIDs per flag, answers of UIDs alone. (One
 * SEARCH for any of the three, then a FETCH of the flags of each message it found, answered
 * thousands of FETCH lines for a 100,000-message INBOX's first window, whose parsing took most
 * of its repeat sign-in.) The flags of `rows` (kept rows: all their flags) come after them, in
 * one FETCH.
 */
async function notableFlags(
  client: ImapFlow,
  uids: number[],
  rows: readonly number[],
): Promise<{ unseen: number[]; flagged: number[]; draft: number[]; rows: Map<number, string[]> }> {
  const set = uids.length === 0 ? null : packUids(uids);
  const having = async (criteria: { seen: false } | { flagged: true } | { draft: true }) =>
    set === null ? [] : (await client.search({ uid: set, ...criteria }, { uid: true })) || [];
  const unseen = await having({ seen: false });
  const flagged = await having({ flagged: true });
  const draft = await having({ draft: true });
  return { unseen, flagged, draft, rows: await flagsOf(client, rows) };
}

export interface Member {
  row: TMessageRow;
  refs: string[];
  mailbox: string | null;
  uidValidity: number;
}

/** What was read of some conversations in their folder (selected, under its lock). */
export interface ReadConversations {
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

export async function readConversations(
  client: ImapFlow,
  box: MailboxObject,
  slice: Conversation[],
): Promise<ReadConversations> {
  const kept = keptFolder(client, box);
  const newest = slice.flatMap((c) => c.uids.slice(0, ROWS_READ));
  const { rows, refs, known } = await newestRows(client, box, newest, kept);
  // The older members' flags: those whose senders are FETCHed come with them; the rest's (kept
  // senders' too) from one SEARCH of those UIDs (a small answer) instead of their rows.
  const older = slice.flatMap((c) => c.uids.slice(ROWS_READ, MAX_MEMBERS_READ));
  const senders = await sendersOf(
    client,
    slice.flatMap((c) => c.uids.slice(ROWS_READ, MAX_MEMBERS_READ).slice(-SENDERS_READ)),
    kept,
  );
  const flagged = new Set<number>();
  const unseen = new Set<number>();
  const draft = new Set<number>();
  const note = (uid: number, flags: readonly string[]) => {
    if (!flags.includes("\\Seen")) unseen.add(uid);
    if (flags.includes("\\Flagged")) flagged.add(uid);
    if (flags.includes("\\Draft")) draft.add(uid);
  };
  for (const s of senders.values()) if (s.flags) note(s.uid, s.flags);
  const rest = older.filter((uid) => !senders.get(uid)?.flags);
  const flags = await notableFlags(
    client,
    rest,
    known.map((k) => k.row.uid),
  );
  for (const uid of flags.unseen) unseen.add(uid);
  for (const uid of flags.flagged) flagged.add(uid);
  for (const uid of flags.draft) draft.add(uid);
  for (const k of known) {
    const f = flags.rows.get(k.row.uid);
    if (!f) continue;
    rows.push({ ...k.row, flags: f });
    refs.set(k.row.uid, k.refs);
  }
  rows.sort((a, b) => b.uid - a.uid);
  for (const row of rows) note(row.uid, row.flags);
  return { box, slice, rows, refs, senders, unseen, flagged, draft };
}

/**
 * The rows of the conversations read (one per conversation, in order; null for one with no
 * message left), their members in Sent added (on `sent`, else on `client` outside the folder's
 * lock, selecting Sent).
 */
export async function buildRows(
  client: ImapFlow,
  path: string,
  read: ReadConversations,
  me: readonly string[],
  sent: SentSide | undefined,
  known?: KnownConversations,
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
  await addElsewhere(client, path, groups, sent);
  return groups.map((members, i) => {
    const here = members.filter((m) => m.mailbox === null);
    const newest = here[0]?.row;
    const conversation = read.slice[i];
    if (!newest || !conversation) return null;
    const uids = conversation.uids.slice(0, MAX_MEMBERS_READ);
    const row = aggregate(newest, members, me, {
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
    known?.note(
      path,
      uidValidity,
      row,
      members.flatMap((m) => [...messageIds(m.row.messageId), ...m.refs]),
      oneBaseSubject(conversation.uids, (uid) => byUid.get(uid) ?? read.senders.get(uid)),
    );
    return row;
  });
}

/**
 * The base subject (RFC 5256) all of `uids` have, when each one's subject was read (`read`) and
 * they agree; else null.
 */
function oneBaseSubject(
  uids: readonly number[],
  read: (uid: number) => { subject: string } | undefined,
): string | null {
  let one: string | null = null;
  for (const uid of uids) {
    const m = read(uid);
    if (!m) return null;
    const { base } = baseSubject(m.subject);
    if (base === "" || (one !== null && base !== one)) return null;
    one = base;
  }
  return one;
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
