/**
 * List windows: rows `offset … offset+limit` of a mailbox, or of a search in it, newest first.
 *
 * Order. Rows are in reverse arrival order: the newest message the mailbox received comes
 * first. Within a mailbox, sequence numbers, UIDs and arrival all ascend together, so this
 * order needs no SORT and no per-mailbox state:
 * - a plain window is one FETCH of the sequence range `exists-offset-limit+1 : exists-offset`,
 *   O(window) however large the mailbox is (the middle of 100,000 messages costs what the top
 *   does);
 * - a search is one UID SEARCH (ESEARCH `RETURN (ALL)`, a compact set, where the server has
 *   it), kept per connection, mailbox and query while the mailbox's UIDVALIDITY, EXISTS,
 *   UIDNEXT and HIGHESTMODSEQ stay the same (and for at most SEARCH_TTL_MS); each window then
 *   FETCHes only its own UIDs, in descending UID order — the same order as the plain list.
 * SORT (REVERSE DATE) would order by the Date header, which senders set (and get wrong); SORT
 * (REVERSE ARRIVAL) differs from UID order only for messages copied in with an old
 * INTERNALDATE. Neither is worth a full-mailbox SORT per window. Each row's `date` is
 * INTERNALDATE (when the message arrived), falling back to the Date header, so the dates shown
 * agree with the order.
 * Other orders (`sort`): arrival ascending is the same ranges read from the other end; every
 * other key is the server's SORT, done once and cached as a UID list (sort.ts), each window a
 * slice of it; a window of a kept order sends no NOOP first (keptWindow: its UID FETCH brings
 * back any change, and a changed mailbox is sorted again).
 *
 * Rows. One FETCH per window: UID, FLAGS, ENVELOPE, BODYSTRUCTURE, INTERNALDATE, RFC822.SIZE
 * and, where the server advertises PREVIEW (RFC 8970; Dovecot 2.3.19 does), PREVIEW. Without
 * PREVIEW (and for rows whose PREVIEW came back empty, which Dovecot 2.3 does for some HTML), a
 * second FETCH takes the first PREVIEW_BYTES of each row's first displayed text part
 * (BODY.PEEK, never setting \Seen), grouped by part number, and previewFromPartial() turns them
 * into text. `hasAttachments` follows analyzeStructure() (see structure.ts). toMessageRow() is
 * the one builder of list rows: rowsForUids() makes the rows of `messages.new` with it too, so a
 * row pushed live is the row a window gives. A flag change the server announces while a FETCH
 * runs comes back inside that FETCH's answer (imapflow emits no event for it): it is applied to
 * the rows, and rowsForUids() hands it to the caller.
 */

import { DEFAULT_SORT, type TListSort, type TMessageRow, type TWindow } from "@ferry/protocol";
import type { FetchMessageObject, ImapFlow, MailboxObject, SearchObject } from "imapflow";
import { BridgeError } from "../errors";
import { commandError } from "./errors";
import { wireFlags } from "./flags";
import {
  expandUidSet,
  packUids,
  rawFetch,
  rawText,
  type UidSelection,
  uidQuery,
  uidValidityOf,
  withMailbox,
} from "./mailbox-access";
import { canSort, keptOrder, sortedUids } from "./sort";
import { analyzeStructure, findPart, isoDate, toAddresses, toBodyPart } from "./structure";
import { previewFromPartial, previewOf } from "./text";

/** What a window reply carries besides `type`, `id` and the query text (the caller adds those). */
export type WindowResult = Omit<TWindow, "type" | "id" | "query">;

export interface ListWindowParams {
  mailbox: string;
  offset: number;
  limit: number;
  /** EXAMINE instead of SELECT; left out, the mode the mailbox is already selected in. */
  readOnly?: boolean | undefined;
  /** A compiled search (from the search parser); null/absent for the whole mailbox. */
  query?: SearchObject | null | undefined;
  /** The order; absent: DEFAULT_SORT (newest arrival first). Other keys than arrival SORT. */
  sort?: TListSort | undefined;
}

/** Bytes of a text part fetched for a preview when the server has no PREVIEW. */
export const PREVIEW_BYTES = 2048;
/** How long a search result may be reused for further windows of the same query. */
export const SEARCH_TTL_MS = 60_000;
/**
 * Search results kept per connection (most recent first). A result of 100,000 UIDs takes
 * 400 KB, so few are kept, and each is dropped SEARCH_TTL_MS after it was made, so an idle
 * session holds none.
 */
const SEARCH_CACHE_SIZE = 2;

interface SearchEntry {
  key: string;
  stamp: string;
  at: number;
  /** Matching UIDs, ascending. */
  uids: Uint32Array;
}

const searchCache = new WeakMap<ImapFlow, SearchEntry[]>();

function stateStamp(mailbox: MailboxObject): string {
  return [
    String(mailbox.uidValidity),
    mailbox.exists,
    mailbox.uidNext,
    mailbox.highestModseq === undefined ? "" : String(mailbox.highestModseq),
  ].join(":");
}

function searchKey(path: string, query: SearchObject): string {
  return `${path}\u0000${JSON.stringify(query, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))}`;
}

/** Drops this connection's cached search results (all, or one mailbox's). */
export function invalidateWindowCache(client: ImapFlow, mailbox?: string): void {
  if (mailbox === undefined) {
    searchCache.delete(client);
    return;
  }
  const entries = searchCache.get(client);
  if (!entries) return;
  searchCache.set(
    client,
    entries.filter((e) => !e.key.startsWith(`${mailbox}\u0000`)),
  );
}

async function searchUids(
  client: ImapFlow,
  path: string,
  mailbox: MailboxObject,
  query: SearchObject,
): Promise<Uint32Array> {
  const key = searchKey(path, query);
  const stamp = stateStamp(mailbox);
  const now = Date.now();
  const entries = searchCache.get(client) ?? [];
  const hit = entries.find((e) => e.key === key);
  if (hit && hit.stamp === stamp && now - hit.at < SEARCH_TTL_MS) return hit.uids;

  let uids: Uint32Array;
  const useEsearch = client.capabilities.has("ESEARCH");
  const result = useEsearch
    ? await client.search(query, { uid: true, returnOptions: ["ALL"] })
    : await client.search(query, { uid: true });
  if (result === false || result === undefined) {
    throw new BridgeError("server_refused", "The mail server could not run this search.");
  }
  if (Array.isArray(result)) {
    uids = Uint32Array.from(result).sort();
  } else {
    uids = expandUidSet(result.all ?? "");
  }
  const entry: SearchEntry = { key, stamp, at: now, uids };
  const next = [entry, ...entries.filter((e) => e.key !== key)];
  searchCache.set(client, next.slice(0, SEARCH_CACHE_SIZE));
  setTimeout(() => {
    const current = searchCache.get(client);
    if (current?.includes(entry))
      searchCache.set(
        client,
        current.filter((e) => e !== entry),
      );
  }, SEARCH_TTL_MS).unref();
  return uids;
}

/**
 * Rows `offset … offset+limit` of `mailbox` (or of `query` in it), newest first or in `sort`'s
 * order, with the total and the mailbox's UIDVALIDITY. Offsets past the end give no rows.
 */
export async function listWindow(
  client: ImapFlow,
  params: ListWindowParams,
): Promise<WindowResult> {
  const { offset, limit } = params;
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1) {
    throw new BridgeError("bad_request", "The window's offset or limit is not valid.");
  }
  const sort = params.sort ?? DEFAULT_SORT;
  if (sort.key !== "arrival") {
    const kept = await keptWindow(client, params, sort);
    if (kept) return kept;
  }
  return withMailbox(client, params.mailbox, { readOnly: params.readOnly }, async (mailbox) => {
    const uidValidity = uidValidityOf(mailbox);
    const about = { sort, canSort: canSort(client) };
    if (sort.key !== "arrival") {
      const ordered = await sortedUids(client, params.mailbox, mailbox, sort, params.query ?? null);
      const wanted = ordered.subarray(offset, offset + limit);
      const rows = wanted.length > 0 ? await rowsInOrder(client, wanted) : [];
      return {
        mailbox: params.mailbox,
        uidValidity,
        total: ordered.length,
        offset,
        rows,
        ...about,
      };
    }
    if (!sort.reverse) {
      const ascending = params.query
        ? await searchUids(client, params.mailbox, mailbox, params.query)
        : null;
      const total = ascending ? ascending.length : mailbox.exists;
      if (offset >= total)
        return { mailbox: params.mailbox, uidValidity, total, offset, rows: [], ...about };
      if (ascending) {
        const rows = await rowsInOrder(client, ascending.subarray(offset, offset + limit));
        return { mailbox: params.mailbox, uidValidity, total, offset, rows, ...about };
      }
      const lo = offset + 1;
      const hi = Math.min(total, offset + limit);
      const fetched = await fetchRows(client, `${lo}:${hi}`, { uid: false });
      const rows = fetched
        .filter((r) => r.seq >= lo && r.seq <= hi)
        .sort((a, b) => a.seq - b.seq)
        .map((r) => r.row);
      return { mailbox: params.mailbox, uidValidity, total, offset, rows, ...about };
    }
    if (!params.query) {
      const total = mailbox.exists;
      const hi = total - offset;
      if (hi < 1)
        return { mailbox: params.mailbox, uidValidity, total, offset, rows: [], ...about };
      const lo = Math.max(1, hi - limit + 1);
      const rows = await fetchRows(client, `${lo}:${hi}`, { uid: false });
      rows.sort((a, b) => b.seq - a.seq);
      return {
        mailbox: params.mailbox,
        uidValidity,
        total,
        offset,
        rows: rows.filter((r) => r.seq >= lo && r.seq <= hi).map((r) => r.row),
        ...about,
      };
    }
    const uids = await searchUids(client, params.mailbox, mailbox, params.query);
    const total = uids.length;
    const end = total - offset; // exclusive index into the ascending list
    if (end < 1) return { mailbox: params.mailbox, uidValidity, total, offset, rows: [], ...about };
    const start = Math.max(0, end - limit);
    const wanted = uids.subarray(start, end);
    const wantedSet = new Set(wanted);
    const rows = await fetchRows(client, packUids(wanted), { uid: true });
    rows.sort((a, b) => b.row.uid - a.row.uid);
    return {
      mailbox: params.mailbox,
      uidValidity,
      total,
      offset,
      rows: rows.filter((r) => wantedSet.has(r.row.uid)).map((r) => r.row),
      ...about,
    };
  });
}

/**
 * A window of a sorted list cut from the order kept on this connection, with no NOOP first (see
 * sort.ts): null when there is none, or when the mailbox turned out to have changed (the UID
 * FETCH of the rows brings the server's EXISTS and EXPUNGE), for the caller to sort again.
 */
async function keptWindow(
  client: ImapFlow,
  params: ListWindowParams,
  sort: TListSort,
): Promise<WindowResult | null> {
  const query = params.query ?? null;
  if (!keptOrder(client, params.mailbox, sort, query)) return null;
  const opts = { readOnly: params.readOnly, refresh: false };
  return withMailbox(client, params.mailbox, opts, async (mailbox) => {
    const kept = keptOrder(client, params.mailbox, sort, query);
    if (!kept?.current(mailbox)) return null;
    const { offset, limit } = params;
    const wanted = kept.uids.subarray(offset, offset + limit);
    const rows = wanted.length > 0 ? await rowsInOrder(client, wanted) : [];
    if (!kept.current(client.mailbox)) return null;
    return {
      mailbox: params.mailbox,
      uidValidity: uidValidityOf(mailbox),
      total: kept.uids.length,
      offset,
      rows,
      sort,
      canSort: canSort(client),
    };
  });
}

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
  const fetched = await fetchRows(client, query.set, { uid: true, announced });
  const rows = fetched
    .filter((r) => query.wanted(r.row.uid))
    .sort((a, b) => b.row.uid - a.row.uid)
    .map((r) => r.row);
  for (const row of rows) announced.delete(row.uid);
  if (onFlags && announced.size > 0) onFlags(announced);
  return rows;
}

/** The rows of `uids` (a window of an ordered list) in the order given; gone ones left out. */
async function rowsInOrder(client: ImapFlow, uids: Uint32Array): Promise<TMessageRow[]> {
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
 */
export async function fetchRows(
  client: ImapFlow,
  range: string,
  opts: { uid: boolean; usePreview?: boolean; announced?: Map<number, string[]> },
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
      const items = [...ROW_ITEMS, "PREVIEW", ...(modseq ? ["MODSEQ"] : [])];
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
      return { seq: m.seq, row: flags ? { ...row, flags } : row };
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
