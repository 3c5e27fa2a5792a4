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
 * Rows. One FETCH per window, by the one row builder (rows.ts: fetchRows, toMessageRow,
 * rowsForUids), which makes the rows of `messages.new` too, so a row pushed live is the row a
 * window gives.
 */

import { DEFAULT_SORT, type TListSort, type TWindow } from "@ferry/protocol";
import type { ImapFlow, MailboxObject, SearchObject } from "imapflow";
import { BridgeError } from "../errors";
import { expandUidSet, packUids, uidValidityOf, withMailbox } from "./mailbox-access";
import { fetchRows, rowsInOrder } from "./rows";
import { canSort, keptOrder, sortedUids } from "./sort";

export { fetchRows, PREVIEW_BYTES, rowsForUids, toMessageRow } from "./rows";

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
