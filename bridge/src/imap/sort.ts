/**
 * Sorted lists: the server's SORT (RFC 5256) of a whole mailbox, or of a search in it, as a list
 * of UIDs in order, cached so that every window of a sorted list is a slice of one answer.
 *
 * Command. imapflow 2.10 has no SORT API, so `UID SORT` goes through its `exec()` (imap/exec.ts,
 * as the raw FETCH in mailbox-access.ts does), with the search criteria compiled by
 * imapflow's own search compiler. Where the server has ESORT (RFC 5267; Dovecot 2.3 does) the
 * command asks `RETURN (ALL)`: the answer is one compact sequence set in sorted order (one
 * token however long the mailbox, where a plain SORT answer is one token per message and would
 * run into the connection's token cap past about 250,000 messages). PARTIAL (RFC 9394), which
 * would let the server return one window of the order, is not offered by Dovecot 2.3; the full
 * order is needed anyway to jump anywhere, so it is fetched once and kept.
 *
 * Keys: `date` is SORT DATE (the Date header, falling back to arrival), `from` is DISPLAYFROM
 * where the server has SORT=DISPLAY (the name the list shows), else FROM (the address's mailbox
 * part), `subject` is SUBJECT (the base subject), `size` is SIZE. Ties are broken by the server
 * in sequence (arrival) order. `arrival` never needs SORT: window.ts reads it from sequence
 * numbers.
 *
 * Cache. Per connection, a few entries keyed by mailbox, order and query, stamped with the
 * mailbox's UIDVALIDITY, EXISTS and UIDNEXT as the connection sees them after withMailbox()'s
 * refresh: a message's sort keys (envelope, size, dates) never change, so the order of the same
 * set of messages is the same, and any arrival moves UIDNEXT and any expunge moves EXISTS (or
 * UIDNEXT with it). A query that depends on flags (is:unread) adds HIGHESTMODSEQ to the stamp.
 * The stamp is read from the server at each window rather than from the live watchers' events,
 * so no window can be cut from an order that misses a change the server already made; a list
 * whose mailbox changed is re-sorted once (Dovecot keeps sort keys in its index cache, so the
 * second SORT of a mailbox is much cheaper than the first). A window of an order already kept
 * (keptOrder) needs no NOOP first: the UID FETCH of its rows brings back any EXISTS or EXPUNGE
 * the server has, and when the stamp then differs the window is cut again from a new SORT.
 */
import type { TListSort, TSortKey } from "@ferry/protocol";
import type { ImapFlow, MailboxObject, SearchObject } from "imapflow";
import { searchCompiler } from "imapflow/lib/search-compiler.js";
import { BridgeError } from "../errors";
import { commandError, connectionLost } from "./errors";
import { execCommand, preCheck, type RawAttribute } from "./exec";

/** How long a sorted list may be reused while its mailbox stays the same. */
export const SORT_TTL_MS = 5 * 60_000;
/** Sorted lists kept per connection (a 100,000-message one takes 400 KB). */
const SORT_CACHE_SIZE = 3;
/** Most UIDs one SORT answer may expand to (a hostile server could claim billions). */
const MAX_SORTED = 4_000_000;

interface SortEntry {
  key: string;
  stamp: string;
  at: number;
  /** UIDs in the asked order. */
  uids: Uint32Array;
}

const sortCache = new WeakMap<ImapFlow, SortEntry[]>();

/** Whether the server can SORT, so orders other than arrival can be offered. */
export function canSort(client: ImapFlow): boolean {
  return client.capabilities.has("SORT");
}

/** The SORT criteria of an order (never `arrival`, see window.ts). */
function sortCriteria(client: ImapFlow, sort: TListSort): string[] {
  const key: Record<Exclude<TSortKey, "arrival">, string> = {
    date: "DATE",
    from: client.capabilities.has("SORT=DISPLAY") ? "DISPLAYFROM" : "FROM",
    subject: "SUBJECT",
    size: "SIZE",
  };
  if (sort.key === "arrival") return sort.reverse ? ["REVERSE", "ARRIVAL"] : ["ARRIVAL"];
  return sort.reverse ? ["REVERSE", key[sort.key]] : [key[sort.key]];
}

function cacheKey(path: string, sort: TListSort, query: SearchObject | null): string {
  const q =
    query === null
      ? ""
      : JSON.stringify(query, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
  return `${path}\u0000${sort.key}${sort.reverse ? "-" : "+"}\u0000${q}`;
}

function usesFlags(query: SearchObject | null): boolean {
  if (query === null) return false;
  const text = JSON.stringify(query, (_k, v: unknown) => (typeof v === "bigint" ? 0 : v));
  return /"(seen|flagged|answered|deleted|draft|keyword|unKeyword|modseq)"/.test(text);
}

function stampOf(mailbox: MailboxObject, query: SearchObject | null): string {
  const parts = [String(mailbox.uidValidity), mailbox.exists, String(mailbox.uidNext)];
  if (usesFlags(query)) parts.push(String(mailbox.highestModseq ?? ""));
  return parts.join(":");
}

/** Drops this connection's sorted lists (all, or one mailbox's). */
export function invalidateSortCache(client: ImapFlow, mailbox?: string): void {
  if (mailbox === undefined) {
    sortCache.delete(client);
    return;
  }
  const entries = sortCache.get(client);
  if (entries)
    sortCache.set(
      client,
      entries.filter((e) => !e.key.startsWith(`${mailbox}\u0000`)),
    );
}

/** An order kept on a connection, and whether a mailbox's state is still the one it was cut from. */
export interface KeptOrder {
  uids: Uint32Array;
  current(mailbox: MailboxObject | false | null | undefined): boolean;
}

/**
 * The order of `path` (or of `query` in it) in `sort` kept on `client` within SORT_TTL_MS, not
 * checked against the server: the caller checks `current()` against the mailbox as its next
 * command leaves it.
 */
export function keptOrder(
  client: ImapFlow,
  path: string,
  sort: TListSort,
  query: SearchObject | null,
): KeptOrder | null {
  const key = cacheKey(path, sort, query);
  const hit = sortCache.get(client)?.find((e) => e.key === key);
  if (!hit || Date.now() - hit.at >= SORT_TTL_MS) return null;
  return {
    uids: hit.uids,
    current: (mailbox) => !!mailbox && stampOf(mailbox, query) === hit.stamp,
  };
}

/**
 * The UIDs of `path` (already selected as `mailbox` on `client`, under its lock), or of
 * `query` in it, in the order `sort`; from the cache while the mailbox is unchanged.
 *
 * @throws BridgeError `bad_request` when the server has no SORT, `server_refused` when it
 *   refuses this one.
 */
export async function sortedUids(
  client: ImapFlow,
  path: string,
  mailbox: MailboxObject,
  sort: TListSort,
  query: SearchObject | null,
): Promise<Uint32Array> {
  if (!canSort(client)) {
    throw new BridgeError(
      "bad_request",
      "This mail server cannot sort; lists are by date received.",
    );
  }
  const key = cacheKey(path, sort, query);
  const stamp = stampOf(mailbox, query);
  const now = Date.now();
  const entries = sortCache.get(client) ?? [];
  const hit = entries.find((e) => e.key === key);
  if (hit && hit.stamp === stamp && now - hit.at < SORT_TTL_MS) return hit.uids;
  const uids = mailbox.exists === 0 ? new Uint32Array(0) : await runSort(client, sort, query);
  const entry: SortEntry = { key, stamp, at: now, uids };
  sortCache.set(client, [entry, ...entries.filter((e) => e.key !== key)].slice(0, SORT_CACHE_SIZE));
  return uids;
}

/** One `UID SORT`, the answer in order. Must run under the mailbox lock. */
async function runSort(
  client: ImapFlow,
  sort: TListSort,
  query: SearchObject | null,
): Promise<Uint32Array> {
  if (!client.mailbox) throw connectionLost();
  await preCheck(client);
  const criteria = criteriaAttributes(client, query);
  const esort = client.capabilities.has("ESORT");
  const program = sortCriteria(client, sort).map((value) => ({ type: "ATOM", value }));
  const attributes: unknown[] = [
    ...(esort ? [{ type: "ATOM", value: "RETURN" }, [{ type: "ATOM", value: "ALL" }]] : []),
    program,
    { type: "ATOM", value: "UTF-8" },
    ...criteria,
  ];
  let order: Uint32Array | null = null;
  const plain: number[] = [];
  try {
    await execCommand(client, "UID SORT", attributes, {
      SORT: async (untagged) => {
        for (const a of untagged.attributes ?? []) {
          const n = Number((a as RawAttribute)?.value);
          if (Number.isInteger(n) && n > 0 && n <= 0xffff_ffff && plain.length < MAX_SORTED)
            plain.push(n);
        }
      },
      ESEARCH: async (untagged) => {
        const attrs = untagged.attributes ?? [];
        for (let i = 0; i + 1 < attrs.length; i++) {
          const name = (attrs[i] as RawAttribute)?.value;
          if (typeof name === "string" && name.toUpperCase() === "ALL") {
            const set = (attrs[i + 1] as RawAttribute)?.value;
            if (typeof set === "string") order = expandOrderedSet(set);
          }
        }
      },
    });
  } catch (err) {
    throw commandError(err, "The mail server could not sort this folder.");
  }
  return order ?? Uint32Array.from(plain);
}

/** The search criteria of a SORT: imapflow's compiled SEARCH key, without its CHARSET prefix. */
function criteriaAttributes(client: ImapFlow, query: SearchObject | null): unknown[] {
  const empty =
    query === null ||
    Object.keys(query).length === 0 ||
    (Object.keys(query).length === 1 && query.all === true);
  if (empty) return [{ type: "ATOM", value: "ALL" }];
  const compiled = searchCompiler(client, query) as RawAttribute[];
  const first = compiled[0];
  if (first?.type === "ATOM" && String(first.value).toUpperCase() === "CHARSET") {
    return compiled.slice(2);
  }
  return compiled;
}

/**
 * An ESORT `ALL` sequence set, in its own order: `5,3,17:19` is 5, 3, 17, 18, 19 and `9:7` is
 * 9, 8, 7 (RFC 5267 keeps the sort order in the set). Bad parts are skipped.
 */
export function expandOrderedSet(set: string): Uint32Array {
  const out: number[] = [];
  for (const part of set.split(",")) {
    const [a, b] = part.split(":");
    const from = Number(a);
    const to = b === undefined ? from : Number(b);
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to < 1) continue;
    if (out.length + Math.abs(to - from) + 1 > MAX_SORTED) break;
    const step = to >= from ? 1 : -1;
    for (let n = from; ; n += step) {
      out.push(n);
      if (n === to) break;
    }
  }
  return Uint32Array.from(out);
}
