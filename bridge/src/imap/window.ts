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
 *
 * Rows. One FETCH per window: UID, FLAGS, ENVELOPE, BODYSTRUCTURE, INTERNALDATE, RFC822.SIZE
 * and, where the server advertises PREVIEW (RFC 8970; Dovecot 2.3.19 does), PREVIEW. Without
 * PREVIEW (and for rows whose PREVIEW came back empty, which Dovecot 2.3 does for some HTML), a
 * second FETCH takes the first PREVIEW_BYTES of each row's first displayed text part
 * (BODY.PEEK, never setting \Seen), grouped by part number, and previewFromPartial() turns them
 * into text. `hasAttachments` follows analyzeStructure() (see structure.ts).
 */

import type { TMessageRow, TWindow } from "@ferry/protocol";
import type { FetchMessageObject, ImapFlow, MailboxObject, SearchObject } from "imapflow";
import { BridgeError } from "../errors";
import { wireFlags } from "./flags";
import {
  expandUidSet,
  packUids,
  rawFetch,
  rawText,
  toBridgeError,
  type UidSelection,
  uidQuery,
  uidValidityOf,
  withMailbox,
} from "./mailbox-access";
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
 * Rows `offset … offset+limit` of `mailbox` (or of `query` in it), newest first, with the
 * total and the mailbox's UIDVALIDITY. Offsets past the end give no rows.
 */
export async function listWindow(
  client: ImapFlow,
  params: ListWindowParams,
): Promise<WindowResult> {
  const { offset, limit } = params;
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1) {
    throw new BridgeError("bad_request", "The window's offset or limit is not valid.");
  }
  return withMailbox(client, params.mailbox, { readOnly: params.readOnly }, async (mailbox) => {
    const uidValidity = uidValidityOf(mailbox);
    if (!params.query) {
      const total = mailbox.exists;
      const hi = total - offset;
      if (hi < 1) return { mailbox: params.mailbox, uidValidity, total, offset, rows: [] };
      const lo = Math.max(1, hi - limit + 1);
      const rows = await fetchRows(client, `${lo}:${hi}`, { uid: false });
      rows.sort((a, b) => b.seq - a.seq);
      return {
        mailbox: params.mailbox,
        uidValidity,
        total,
        offset,
        rows: rows.filter((r) => r.seq >= lo && r.seq <= hi).map((r) => r.row),
      };
    }
    const uids = await searchUids(client, params.mailbox, mailbox, params.query);
    const total = uids.length;
    const end = total - offset; // exclusive index into the ascending list
    if (end < 1) return { mailbox: params.mailbox, uidValidity, total, offset, rows: [] };
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
    };
  });
}

/**
 * Rows of `uids` in `mailbox`, newest first, for messages that just arrived (a MailSession
 * `rowsFetcher`): the same rows, previews included, as a window. `mailbox` must already be
 * selected on `client` and the caller owns the connection: no lock is taken, no mailbox is
 * selected. UIDs that no longer exist are left out.
 */
export async function rowsForUids(
  client: ImapFlow,
  mailbox: string,
  uids: UidSelection,
): Promise<TMessageRow[]> {
  const query = uidQuery(uids);
  if (!query) return [];
  const current = client.mailbox;
  const selected =
    current &&
    (current.path === mailbox ||
      (current.path.toUpperCase() === "INBOX" && mailbox.toUpperCase() === "INBOX"));
  if (!selected) throw new BridgeError("internal", "The folder is not open on this connection.");
  const rows = await fetchRows(client, query.set, { uid: true });
  return rows
    .filter((r) => query.wanted(r.row.uid))
    .sort((a, b) => b.row.uid - a.row.uid)
    .map((r) => r.row);
}

interface FetchedRow {
  seq: number;
  row: TMessageRow;
}

function toRow(message: FetchMessageObject, preview: string): TMessageRow {
  const structure = toBodyPart(message.bodyStructure);
  const envelope = message.envelope;
  return {
    uid: message.uid,
    flags: wireFlags(message.flags),
    date: isoDate(message.internalDate) ?? isoDate(envelope?.date),
    subject: (envelope?.subject ?? "").replace(/[\r\n\t]+/g, " ").trim(),
    from: toAddresses(envelope?.from),
    to: toAddresses(envelope?.to),
    size: typeof message.size === "number" && message.size >= 0 ? message.size : 0,
    hasAttachments: analyzeStructure(structure).hasAttachments,
    preview,
    messageId: envelope?.messageId?.trim() || null,
  };
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
 * forces the partial-body fallback even on a server with PREVIEW.
 */
export async function fetchRows(
  client: ImapFlow,
  range: string,
  opts: { uid: boolean; usePreview?: boolean },
): Promise<FetchedRow[]> {
  const usePreview = opts.usePreview ?? client.capabilities.has("PREVIEW");
  try {
    if (usePreview) {
      const raw = (
        await rawFetch(client, range, [...ROW_ITEMS, "PREVIEW"], { uid: opts.uid })
      ).filter((r) => r.message.envelope !== undefined && r.message.uid > 0);
      const previews = new Map(
        raw.map((r) => [r.message.uid, previewOf(rawText(r.extra.get("PREVIEW")) ?? "")]),
      );
      // The server's preview is empty for some HTML (Dovecot 2.3 with multipart/related):
      // those rows get one from the text itself.
      const missing = raw.filter((r) => previews.get(r.message.uid) === "").map((r) => r.message);
      if (missing.length > 0) {
        for (const [uid, preview] of await fetchPartialPreviews(client, missing))
          previews.set(uid, preview);
      }
      return raw.map((r) => ({
        seq: r.message.seq,
        row: toRow(r.message, previews.get(r.message.uid) ?? ""),
      }));
    }
    const messages = (
      await client.fetchAll(
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
      )
    ).filter((m) => m.envelope !== undefined && m.uid > 0);
    const previews = await fetchPartialPreviews(client, messages);
    return messages.map((m) => ({ seq: m.seq, row: toRow(m, previews.get(m.uid) ?? "") }));
  } catch (err) {
    throw toBridgeError(err, "The mail server could not list these messages.");
  }
}

/** Previews from the first bytes of each message's first displayed text part, by UID. */
async function fetchPartialPreviews(
  client: ImapFlow,
  messages: FetchMessageObject[],
): Promise<Map<number, string>> {
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
