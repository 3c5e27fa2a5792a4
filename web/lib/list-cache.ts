/**
 * The cached state of one message list (a mailbox, or a search in it) and the pure functions
 * that change it: merging a fetched window (or the one the sign-in answer carried), and applying
 * pushed events (new mail, expunges, flag changes) and optimistic updates. Rows are kept sparse
 * by position so a list of 100,000 messages costs only the rows that were looked at.
 */
import {
  LIST_WINDOW_SIZE,
  type TConversationRow,
  type TMessageRow,
  type TRevision,
  type TServerFrame,
  type TSignInWindow,
  type TWindow,
} from "@ferry/protocol";
import { isDefaultSort } from "./list-sort";

/** Rows per `list.window` request. */
export const WINDOW_SIZE = LIST_WINDOW_SIZE;

export interface ListData {
  mailbox: string;
  query: string | null;
  uidValidity: number | null;
  /** Messages in the mailbox (or matching the query). */
  total: number;
  /** `total` is an estimate, as the last window said (a large folder's conversations). */
  estimated?: true | undefined;
  /** Row at each position (0 = newest), only where known. */
  rows: Record<number, TMessageRow>;
  /** For each window index, the connection epoch in which it was last fetched. */
  fetched: Record<number, string>;
  /** UIDs that just arrived, for the slide-in animation. */
  arrived: number[];
  /**
   * The mailbox's list revision the rows hold (list-order.ts), once a reply or event told it;
   * kept across a UIDVALIDITY-preserving merge.
   */
  rev?: TRevision | undefined;
  /** In another order than newest arrival first (a SORT): new mail has no known place in it. */
  sorted?: boolean | undefined;
  /** The server can SORT, as the last window said (absent: not said yet). */
  canSort?: boolean | undefined;
  /**
   * A list of conversations (asked with `conversations`): each row is a conversation's newest
   * message, and this holds the conversation by that row's UID.
   */
  conversations?: Record<number, TConversationRow> | undefined;
}

/** A pushed event that changes what a list holds. */
export type ListEvent = Extract<
  TServerFrame,
  { type: "messages.new" | "messages.expunged" | "messages.flags" }
>;

export function emptyList(mailbox: string, query: string | null): ListData {
  return { mailbox, query, uidValidity: null, total: 0, rows: {}, fetched: {}, arrived: [] };
}

function positions(rows: Record<number, TMessageRow>): number[] {
  return Object.keys(rows)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Does window `w` need (re)fetching in connection epoch `epoch`? */
export function windowNeedsFetch(data: ListData | undefined, w: number, epoch: string): boolean {
  if (!data) return true;
  if (data.fetched[w] !== epoch) return true;
  const end = Math.min(data.total, (w + 1) * WINDOW_SIZE);
  for (let i = w * WINDOW_SIZE; i < end; i++) if (!data.rows[i]) return true;
  return false;
}

/** Merge a window reply. A new UIDVALIDITY drops everything cached for the old one. */
export function mergeWindow(
  prev: ListData | undefined,
  reply: Pick<
    TWindow,
    "mailbox" | "query" | "uidValidity" | "total" | "offset" | "rows" | "sort" | "canSort"
  > & { conversations?: TConversationRow[] | undefined; estimated?: true | undefined },
  epoch: string,
): ListData {
  const base =
    prev && prev.uidValidity === reply.uidValidity
      ? prev
      : { ...emptyList(reply.mailbox, reply.query), uidValidity: reply.uidValidity };
  const incoming = new Set(reply.rows.map((r) => r.uid));
  const rows: Record<number, TMessageRow> = {};
  for (const [k, row] of Object.entries(base.rows)) {
    const i = Number(k);
    if (i >= reply.total) continue;
    if (i >= reply.offset && i < reply.offset + reply.rows.length) continue;
    if (incoming.has(row.uid)) continue; // it moved: the reply's position wins
    rows[i] = row;
  }
  reply.rows.forEach((row, j) => {
    rows[reply.offset + j] = row;
  });
  const fetched = { ...base.fetched };
  const first = Math.floor(reply.offset / WINDOW_SIZE);
  const last = Math.floor((reply.offset + Math.max(reply.rows.length, 1) - 1) / WINDOW_SIZE);
  for (let w = first; w <= last; w++) fetched[w] = epoch;
  if (reply.total !== base.total) {
    // Positions we did not just fetch may have shifted: refetch them when they are looked at.
    for (const k of Object.keys(fetched)) {
      const w = Number(k);
      if (w < first || w > last) delete fetched[w];
    }
  }
  const sorted = reply.sort ? !isDefaultSort(reply.sort) : base.sorted;
  const canSort = reply.canSort ?? base.canSort;
  let conversations: Record<number, TConversationRow> | undefined;
  if (reply.conversations) {
    conversations = {};
    for (const row of Object.values(rows)) {
      const known = base.conversations?.[row.uid];
      if (known) conversations[row.uid] = known;
    }
    for (const c of reply.conversations) conversations[c.newest.uid] = c;
  }
  return {
    ...base,
    total: reply.total,
    estimated: reply.estimated,
    rows,
    fetched,
    ...(sorted ? { sorted } : {}),
    ...(canSort === undefined ? {} : { canSort }),
    ...(conversations ? { conversations } : {}),
  };
}

/**
 * The list INBOX's first window makes, as the sign-in answer carried it (ZSignInWindow): the
 * same merge as a `list.window` reply, without a revision, so that pushed events and the
 * socket's later windows apply on top of it in order (list-order.ts).
 */
export function listFromSignIn(window: TSignInWindow, epoch: string): ListData {
  return mergeWindow(undefined, window, epoch);
}

/**
 * New messages arrived. Lists are in arrival order (descending UID), so rows with UIDs above
 * every known one slide in at the top and everything below shifts down. Anything else (a
 * search, where we can't know if they match, or a sorted list, where only the server knows
 * their place) makes the list stale so the visible windows are refetched.
 */
export function applyNew(
  data: ListData,
  event: { uidValidity: number; total: number; rows: TMessageRow[] },
): ListData {
  if (data.uidValidity !== null && data.uidValidity !== event.uidValidity) {
    return { ...emptyList(data.mailbox, data.query), uidValidity: event.uidValidity };
  }
  const known = new Set(Object.values(data.rows).map((r) => r.uid));
  const fresh = event.rows.filter((r) => !known.has(r.uid));
  if (fresh.length === 0) return { ...data, total: event.total };
  const maxKnown = Math.max(0, ...known);
  const sorted = [...fresh].sort((a, b) => b.uid - a.uid);
  const allNewest = data.query === null && !data.sorted && sorted.every((r) => r.uid > maxKnown);
  const n = sorted.length;
  const rows: Record<number, TMessageRow> = {};
  if (allNewest) {
    sorted.forEach((r, i) => {
      rows[i] = r;
    });
    for (const [k, row] of Object.entries(data.rows)) rows[Number(k) + n] = row;
    const total = Math.max(event.total, Object.keys(rows).length);
    return {
      ...data,
      uidValidity: event.uidValidity,
      total,
      rows,
      fetched: keepAllFetched(data.fetched, rows, total),
      arrived: sorted.map((r) => r.uid),
    };
  }
  // Not (known to be) at the top: keep what we have but refetch what is looked at.
  return { ...data, uidValidity: event.uidValidity, total: event.total, fetched: {} };
}

/** After a shift, a window is still fetched if every one of its rows is present. */
function keepAllFetched(
  before: Record<number, string>,
  rows: Record<number, TMessageRow>,
  total: number,
): Record<number, string> {
  const epochs = new Set(Object.values(before));
  if (epochs.size !== 1) return {};
  const [epoch] = epochs;
  if (epoch === undefined) return {};
  const out: Record<number, string> = {};
  const windows = Math.ceil(total / WINDOW_SIZE);
  for (let w = 0; w < windows; w++) {
    let full = true;
    const end = Math.min(total, (w + 1) * WINDOW_SIZE);
    for (let i = w * WINDOW_SIZE; i < end && full; i++) if (!rows[i]) full = false;
    if (full) out[w] = epoch;
  }
  return out;
}

/**
 * Messages left the list (expunged, moved, deleted). Known rows are removed and the rest close
 * up. If more left than we had rows for, positions past the first unknown gap may be off: those
 * windows are marked for refetching.
 */
export function applyRemoved(data: ListData, uids: number[], total?: number): ListData {
  const gone = new Set(uids);
  const rows: Record<number, TMessageRow> = {};
  let removed = 0;
  for (const i of positions(data.rows)) {
    const row = data.rows[i];
    if (!row) continue;
    if (gone.has(row.uid)) {
      removed++;
      continue;
    }
    rows[i - removed] = row;
  }
  const newTotal = total ?? Math.max(0, data.total - removed);
  if (removed === 0 && newTotal === data.total) return data;
  for (const k of Object.keys(rows)) if (Number(k) >= newTotal) delete rows[Number(k)];
  // Rows are exact when every message that left was one we knew; otherwise positions past an
  // unknown gap may be off. Either way the rows stay (no flash of placeholders), but only
  // windows known to be exact count as fetched.
  const exact = data.total - newTotal === removed;
  return {
    ...data,
    total: newTotal,
    rows,
    fetched: exact ? keepAllFetched(data.fetched, rows, newTotal) : {},
  };
}

/** Replace the flags of the given UIDs (a pushed `messages.flags`). */
export function applyFlags(
  data: ListData,
  changes: Array<{ uid: number; flags: string[] }>,
): ListData {
  const byUid = new Map(changes.map((c) => [c.uid, c.flags]));
  let changed = false;
  const rows: Record<number, TMessageRow> = {};
  for (const [k, row] of Object.entries(data.rows)) {
    const flags = byUid.get(row.uid);
    if (flags && !sameFlags(flags, row.flags)) {
      rows[Number(k)] = { ...row, flags };
      changed = true;
    } else {
      rows[Number(k)] = row;
    }
  }
  return changed ? { ...data, rows } : data;
}

/** Add and remove flags on the given UIDs (an optimistic `flags.update`). */
export function updateFlags(
  data: ListData,
  uids: number[],
  add: string[],
  remove: string[],
): ListData {
  const set = new Set(uids);
  const changes: Array<{ uid: number; flags: string[] }> = [];
  for (const row of Object.values(data.rows)) {
    if (set.has(row.uid)) changes.push({ uid: row.uid, flags: editFlags(row.flags, add, remove) });
  }
  return applyFlags(data, changes);
}

export function editFlags(flags: string[], add: string[], remove: string[]): string[] {
  const out = flags.filter((f) => !remove.includes(f));
  for (const f of add) if (!out.includes(f)) out.push(f);
  return out;
}

function sameFlags(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((f) => b.includes(f));
}

/** The loaded row with this UID and its position, if any. */
export function findRow(
  data: ListData | undefined,
  uid: number,
): { index: number; row: TMessageRow } | null {
  if (!data) return null;
  for (const [k, row] of Object.entries(data.rows)) {
    if (row.uid === uid) return { index: Number(k), row };
  }
  return null;
}

/** A copy that keeps only the first `keep` positions (what is worth persisting). */
export function trimForStorage(data: ListData, keep: number): ListData {
  const rows: Record<number, TMessageRow> = {};
  for (const [k, row] of Object.entries(data.rows)) if (Number(k) < keep) rows[Number(k)] = row;
  return { ...data, rows, fetched: {}, arrived: [] };
}
