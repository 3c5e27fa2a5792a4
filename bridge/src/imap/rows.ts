/**
 * The one builder of list rows (moved out of window.ts): one FETCH of UID, FLAGS, ENVELOPE,
 * BODYSTRUCTURE, INTERNALDATE, RFC822.SIZE and, where the server advertises PREVIEW (RFC 8970;
 * Dovecot 2.3.19 does), PREVIEW. Without PREVIEW (and for rows whose PREVIEW came back empty,
 * which Dovecot 2.3 does for some HTML), a second FETCH takes the first PREVIEW_BYTES of each
 * row's first displayed text part (BODY.PEEK, never setting \Seen), grouped by part number, and
 * previewFromPartial() turns them into text. `hasAttachments` follows analyzeStructure() (see
 * structure.ts). toMessageRow() builds every row: windows' (window.ts) and, through
 * rowsForUids(), the rows of `messages.new`, so a row pushed live is the row a window gives. A
 * flag change the server announces while a FETCH runs comes back inside that FETCH's answer
 * (imapflow emits no event for it): it is applied to the rows, and rowsForUids() hands it to the
 * caller.
 *
 * Threading headers. rowsForUids() (the rows of `messages.new`, of conversations and their
 * members) also asks, in the same FETCH, for each message's References and In-Reply-To
 * (BODY.PEEK[HEADER.FIELDS]); they stay in the bridge (threadHeadersOf), never on the wire:
 * conversation rows read them instead of FETCHing them again, and the live push places a new
 * message in a conversation it already served without asking the server first.
 */

import type { TMessageRow } from "@ferry/protocol";
import type { FetchMessageObject, ImapFlow } from "imapflow";
import { BridgeError } from "../errors";
import { commandError } from "./errors";
import { wireFlags } from "./flags";
import { packUids, rawFetch, rawText, type UidSelection, uidQuery } from "./mailbox-access";
import { analyzeStructure, findPart, isoDate, toAddresses, toBodyPart } from "./structure";
import { previewFromPartial, previewOf } from "./text";

/** Bytes of a text part fetched for a preview when the server has no PREVIEW. */
export const PREVIEW_BYTES = 2048;

/**
 * Rows of `uids` in `mailbox`, newest first, for messages that just arrived (the rows of
 * `messages.new`): the same rows, previews included, as a window gives for them. `mailbox` must
 * already be selected on `client` and the caller owns the connection: no lock is taken, no
 * mailbox is selected. UIDs that no longer exist are left out.
 *
 * `onFlags` receives the flags of other messages that the server announced while answering (it
 * may, at the end of any command): on a watching connection these are changes to report, which
 * imapflow hands to the FETCH that was running instead of emitting them.
 */
export async function rowsForUids(
  client: ImapFlow,
  mailbox: string,
  uids: UidSelection,
  onFlags?: (changes: Map<number, string[]>) => void,
): Promise<TMessageRow[]> {
  const query = uidQuery(uids);
  if (!query) return [];
  const current = client.mailbox;
  const selected =
    current &&
    (current.path === mailbox ||
      (current.path.toUpperCase() === "INBOX" && mailbox.toUpperCase() === "INBOX"));
  if (!selected) throw new BridgeError("internal", "The folder is not open on this connection.");
  const announced = new Map<number, string[]>();
  const fetched = await fetchRows(client, query.set, { uid: true, announced, threading: true });
  const rows = fetched
    .filter((r) => query.wanted(r.row.uid))
    .sort((a, b) => b.row.uid - a.row.uid)
    .map((r) => r.row);
  for (const row of rows) announced.delete(row.uid);
  if (onFlags && announced.size > 0) onFlags(announced);
  return rows;
}

/** The rows of `uids` (a window of an ordered list) in the order given; gone ones left out. */
export async function rowsInOrder(client: ImapFlow, uids: Uint32Array): Promise<TMessageRow[]> {
  const fetched = await fetchRows(client, packUids(uids), { uid: true });
  const byUid = new Map(fetched.map((r) => [r.row.uid, r.row]));
  const rows: TMessageRow[] = [];
  for (const uid of uids) {
    const row = byUid.get(uid);
    if (row) rows.push(row);
  }
  return rows;
}

interface FetchedRow {
  seq: number;
  row: TMessageRow;
}

/** The References and In-Reply-To header fields fetched with rows, as the server sent them. */
const THREAD_HEADERS = ["references", "in-reply-to"];
const threadHeaders = new WeakMap<TMessageRow, Buffer>();

/**
 * The References and In-Reply-To header lines of a row built by rowsForUids (raw; an empty
 * buffer when the message has neither), or undefined for a row built without them.
 */
export function threadHeadersOf(row: TMessageRow): Buffer | undefined {
  return threadHeaders.get(row);
}

/**
 * The list row of one message from its FETCH answer (UID, FLAGS, ENVELOPE, BODYSTRUCTURE,
 * INTERNALDATE, RFC822.SIZE) and its preview: the one row builder of windows and live pushes.
 * Never throws: odd values become empty ones.
 */
export function toMessageRow(message: FetchMessageObject, preview: string): TMessageRow {
  const structure = toBodyPart(message.bodyStructure);
  const envelope = message.envelope;
  return {
    uid: message.uid,
    flags: wireFlags(message.flags),
    date: isoDate(message.internalDate) ?? isoDate(envelope?.date),
    subject: (typeof envelope?.subject === "string" ? envelope.subject : "")
      .replace(/[\r\n\t]+/g, " ")
      .trim(),
    from: toAddresses(envelope?.from),
    to: toAddresses(envelope?.to),
    size: typeof message.size === "number" && message.size >= 0 ? Math.floor(message.size) : 0,
    hasAttachments: analyzeStructure(structure).hasAttachments,
    preview,
    messageId: (typeof envelope?.messageId === "string" ? envelope.messageId.trim() : "") || null,
  };
}

/**
 * Records the FLAGS of FETCH answers that are not the rows asked for (by default: those without
 * an ENVELOPE): changes the server announced during the command, by UID (by sequence number through `uidOf` when it sent
 * no UID), later ones winning.
 */
function recordAnnounced(
  messages: readonly FetchMessageObject[],
  uidOf: ReadonlyMap<number, number>,
  into: Map<number, string[]>,
  isAnswer: (m: FetchMessageObject) => boolean = (m) => m.envelope !== undefined,
): void {
  for (const m of messages) {
    if (isAnswer(m) || !m.flags) continue;
    const uid = m.uid > 0 ? m.uid : uidOf.get(m.seq);
    if (uid !== undefined) into.set(uid, wireFlags(m.flags));
  }
}

const ROW_ITEMS = [
  "UID",
  "FLAGS",
  "ENVELOPE",
  "BODYSTRUCTURE",
  "INTERNALDATE",
  "RFC822.SIZE",
] as const;

/**
 * FETCHes list rows for a sequence or UID range. Exported for tests; `usePreview: false`
 * forces the partial-body fallback even on a server with PREVIEW. Flag changes the server
 * announced while answering are applied to the rows, and recorded in `announced` when given.
 * `threading`: the References and In-Reply-To fields come in the same FETCH (threadHeadersOf).
 */
export async function fetchRows(
  client: ImapFlow,
  range: string,
  opts: {
    uid: boolean;
    usePreview?: boolean;
    announced?: Map<number, string[]>;
    threading?: boolean;
  },
): Promise<FetchedRow[]> {
  const usePreview = opts.usePreview ?? client.capabilities.has("PREVIEW");
  const announced = opts.announced ?? new Map<number, string[]>();
  try {
    let all: FetchMessageObject[];
    const previews = new Map<number, string>();
    if (usePreview) {
      // MODSEQ as imapflow's own fetch() asks for it: its HIGHESTMODSEQ then covers these rows
      // (the live watcher's revisions rely on that).
      const modseq = client.enabled.has("CONDSTORE") && client.mailbox && !client.mailbox.noModseq;
      const items = [
        ...ROW_ITEMS,
        "PREVIEW",
        ...(modseq ? ["MODSEQ"] : []),
        ...(opts.threading
          ? [`BODY.PEEK[HEADER.FIELDS (${THREAD_HEADERS.join(" ").toUpperCase()})]`]
          : []),
      ];
      const raw = await rawFetch(client, range, items, { uid: opts.uid });
      all = raw.map((r) => r.message);
      for (const r of raw) {
        if (r.message.envelope === undefined || !(r.message.uid > 0)) continue;
        previews.set(r.message.uid, previewOf(rawText(r.extra.get("PREVIEW")) ?? ""));
      }
    } else {
      all = await client.fetchAll(
        range,
        {
          uid: true,
          flags: true,
          envelope: true,
          bodyStructure: true,
          internalDate: true,
          size: true,
          ...(opts.threading ? { headers: THREAD_HEADERS } : {}),
        },
        { uid: opts.uid },
      );
    }
    const messages = all.filter((m) => m.envelope !== undefined && m.uid > 0);
    const uidOf = new Map(messages.map((m) => [m.seq, m.uid]));
    recordAnnounced(all, uidOf, announced);
    // No PREVIEW, or an empty one (Dovecot 2.3 gives none for some HTML with
    // multipart/related): a preview from the first bytes of the text itself.
    const missing = messages.filter((m) => !previews.get(m.uid));
    if (missing.length > 0) {
      for (const [uid, preview] of await fetchPartialPreviews(client, missing, announced))
        previews.set(uid, preview);
    }
    return messages.map((m) => {
      const row = toMessageRow(m, previews.get(m.uid) ?? "");
      const flags = announced.get(m.uid);
      const built = flags ? { ...row, flags } : row;
      if (opts.threading) threadHeaders.set(built, m.headers ?? Buffer.alloc(0));
      return { seq: m.seq, row: built };
    });
  } catch (err) {
    throw commandError(err, "The mail server could not list these messages.");
  }
}

/** Previews from the first bytes of each message's first displayed text part, by UID. */
async function fetchPartialPreviews(
  client: ImapFlow,
  messages: FetchMessageObject[],
  announced: Map<number, string[]>,
): Promise<Map<number, string>> {
  const uidOf = new Map(messages.map((m) => [m.seq, m.uid]));
  const byPart = new Map<string, FetchMessageObject[]>();
  for (const m of messages) {
    const first = analyzeStructure(toBodyPart(m.bodyStructure)).bodyParts[0];
    if (!first) continue;
    const list = byPart.get(first.part) ?? [];
    list.push(m);
    byPart.set(first.part, list);
  }
  const previews = new Map<number, string>();
  for (const [part, group] of byPart) {
    const uids = packUids(group.map((m) => m.uid));
    const fetched = await client.fetchAll(
      uids,
      { uid: true, bodyParts: [{ key: part, start: 0, maxLength: PREVIEW_BYTES }] },
      { uid: true },
    );
    // This FETCH asks for no FLAGS: any that come are changes announced meanwhile.
    recordAnnounced(fetched, uidOf, announced, () => false);
    const byUid = new Map(group.map((m) => [m.uid, m]));
    for (const f of fetched) {
      const m = byUid.get(f.uid);
      const bytes = f.bodyParts?.get(part.toLowerCase()) ?? f.bodyParts?.get(part);
      if (!m || !bytes) continue;
      const node = findPart(toBodyPart(m.bodyStructure), part);
      previews.set(
        f.uid,
        previewFromPartial(bytes, {
          type: node?.type ?? "text/plain",
          charset: node?.charset ?? null,
          encoding: node?.encoding ?? null,
          complete: bytes.length < PREVIEW_BYTES,
        }),
      );
    }
  }
  return previews;
}
