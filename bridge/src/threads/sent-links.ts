/**
 * The user's own mail in Sent, as it joins conversations shown in other folders: which folder is
 * Sent (sentFolder), where Sent stands (sentMark: UIDVALIDITY, next UID, count), the messages
 * filed there since a mark (sentSince: each one's Message-ID and References), and the messages of
 * another folder that belong with them (linkedUids: one UID SEARCH by Message-ID), whose
 * conversation rows then count them. A reply written in another client, or in Ferry, lands only
 * in Sent: no event of the folder on screen would otherwise bring it to its row. Likewise the
 * flags of the Sent messages that rows count, changed since a HIGHESTMODSEQ (sentFlagsSince:
 * one UID FETCH … CHANGEDSINCE of those messages only).
 */
import type { ImapFlow, SearchObject } from "imapflow";
import { BridgeError } from "../errors";
import { wireFlags } from "../imap/flags";
import { packUids, uidValidityOf, withMailbox } from "../imap/mailbox-access";
import { specialFolder } from "../imap/mailboxes";
import { messageIds } from "./references";
import { referencesOf } from "./server-thread";

/** Messages filed in Sent at once that are looked up one by one (more: the lists ask again). */
export const MAX_SENT_ARRIVALS = 20;
/** Ids of one Sent message's References looked for (its root and the last ones). */
const REFS_LINKED = 10;
/** Messages of a folder one Sent arrival may bring to rows (the newest). */
const MAX_LINKED = 200;

/** Where Sent stands: messages from `uidNext` on are new to the rows. */
export interface SentMark {
  path: string;
  uidValidity: number;
  uidNext: number;
  messages: number;
  /** Its HIGHESTMODSEQ (null: the server keeps none). */
  highestModseq: bigint | null;
}

/** A message filed in Sent: its own Message-ID and the ids it references. */
export interface SentMessage {
  messageId: string | null;
  refs: string[];
}

/**
 * The path of the Sent folder (special use), or null when the account has none: as `client`
 * last listed it (imap/mailboxes.ts, specialFolder).
 */
export function sentFolder(client: ImapFlow): Promise<string | null> {
  return specialFolder(client, "sent");
}

/** Where `path` (Sent) stands now, from STATUS (it need not be selected). */
export async function sentMark(client: ImapFlow, path: string): Promise<SentMark> {
  const condstore = client.enabled.has("CONDSTORE");
  const status = await client.status(path, {
    uidNext: true,
    uidValidity: true,
    messages: true,
    ...(condstore ? { highestModseq: true } : {}),
  });
  if (!status) throw new BridgeError("server_refused", "The mail server could not read Sent.");
  return {
    path,
    uidValidity: Number(status.uidValidity ?? 0),
    uidNext: Number(status.uidNext ?? 1),
    messages: status.messages ?? 0,
    highestModseq: typeof status.highestModseq === "bigint" ? status.highestModseq : null,
  };
}

/**
 * The messages filed in `mark.path` since `mark`, and where it stands after them. `messages` is
 * null when there are more than MAX_SENT_ARRIVALS, or the folder was reset (UIDVALIDITY): the
 * caller cannot tell which conversations they touch.
 */
export async function sentSince(
  client: ImapFlow,
  mark: SentMark,
): Promise<{ mark: SentMark; messages: SentMessage[] | null }> {
  return withMailbox(client, mark.path, { readOnly: true }, async (box) => {
    const uidValidity = uidValidityOf(box);
    const next: SentMark = { ...mark, uidValidity, messages: box.exists };
    if (uidValidity !== mark.uidValidity) {
      return { mark: { ...next, uidNext: Number(box.uidNext) }, messages: null };
    }
    if (box.exists === 0) return { mark: next, messages: [] };
    const found: Array<SentMessage & { uid: number }> = [];
    for await (const m of client.fetch(
      `${mark.uidNext}:*`,
      { uid: true, envelope: true, headers: ["references"] },
      { uid: true },
    )) {
      if (m.uid < mark.uidNext) continue;
      const refs = messageIds(referencesOf(m.headers));
      found.push({
        uid: m.uid,
        messageId: messageIds(m.envelope?.messageId)[0] ?? null,
        refs: refs.length > 0 ? refs : messageIds(m.envelope?.inReplyTo).slice(0, 1),
      });
    }
    const uidNext = Math.max(mark.uidNext, ...found.map((m) => m.uid + 1));
    const messages = found.length > MAX_SENT_ARRIVALS ? null : found;
    return { mark: { ...next, uidNext }, messages };
  });
}

/**
 * UIDs of the messages of `path` (another folder) that belong with `sent`: those a Sent message
 * references, those that reference one, and those that share its root. Newest MAX_LINKED.
 */
export async function linkedUids(
  client: ImapFlow,
  path: string,
  sent: readonly SentMessage[],
): Promise<number[]> {
  const referenced = new Set(
    sent.flatMap((m) => [...m.refs.slice(0, 1), ...m.refs.slice(-REFS_LINKED)]),
  );
  const mentioned = new Set(
    sent.flatMap((m) => [...(m.messageId === null ? [] : [m.messageId]), ...m.refs.slice(0, 1)]),
  );
  const terms: SearchObject[] = [
    ...[...referenced].map((id) => ({ header: { "message-id": `<${id}>` } })),
    ...[...mentioned].flatMap((id) => [
      { header: { references: `<${id}>` } },
      { header: { "in-reply-to": `<${id}>` } },
    ]),
  ];
  if (terms.length === 0) return [];
  return withMailbox(client, path, {}, async (box) => {
    if (box.exists === 0) return [];
    const found = await client.search(terms.length === 1 ? (terms[0] ?? {}) : { or: terms }, {
      uid: true,
    });
    return (found || []).slice(-MAX_LINKED);
  });
}

/** Flags of Sent messages that changed: the `messages.flags` a page applies, and the new mark. */
export interface SentFlags {
  uidValidity: number;
  changes: Array<{ uid: number; flags: string[] }>;
  /** The highest MODSEQ seen: the next look asks for changes after it (null: none known). */
  since: bigint | null;
}

/**
 * The flags of `uids` in Sent (`path`) that changed after MODSEQ `since`: one UID FETCH of those
 * messages with CHANGEDSINCE; all of them when `since` is null or the server has no CONDSTORE.
 */
export async function sentFlagsSince(
  client: ImapFlow,
  path: string,
  uids: readonly number[],
  since: bigint | null,
): Promise<SentFlags> {
  return withMailbox(client, path, { readOnly: true }, async (box) => {
    const uidValidity = uidValidityOf(box);
    const changes: SentFlags["changes"] = [];
    let highest = since;
    if (uids.length === 0 || box.exists === 0) return { uidValidity, changes, since };
    const modseqs = since !== null && client.enabled.has("CONDSTORE") && !box.noModseq;
    for await (const m of client.fetch(
      packUids([...uids]),
      { uid: true, flags: true },
      { uid: true, ...(modseqs ? { changedSince: since } : {}) },
    )) {
      if (!(m.uid > 0) || !m.flags) continue;
      changes.push({ uid: m.uid, flags: wireFlags(m.flags) });
      if (typeof m.modseq === "bigint" && (highest === null || m.modseq > highest))
        highest = m.modseq;
    }
    return { uidValidity, changes, since: highest };
  });
}

/** Which of `uids` are still in `path` (one UID SEARCH of them). */
export async function presentIn(
  client: ImapFlow,
  path: string,
  uids: readonly number[],
): Promise<Set<number>> {
  return withMailbox(client, path, { readOnly: true }, async (box) => {
    if (box.exists === 0 || uids.length === 0) return new Set<number>();
    const found = await client.search({ uid: packUids([...uids]) }, { uid: true });
    return new Set(found || []);
  });
}
