/**
 * The order of message lists as the web app keeps it: its short form in the URL (`sort=from.asc`;
 * the default, newest arrival first, is left out), the choices offered (all of them where the
 * server can SORT, date received only where it cannot), and the user's last choice, kept in this
 * browser per account so that the next folder and the next visit open in it. No schema here: the
 * sign-in page reads the kept choice (first-window.ts) before zod has loaded.
 */
import { DEFAULT_SORT, SORT_KEYS, type TListSort, type TSortKey } from "@ferry/protocol";

/** The orders offered, in menu order. */
export const SORT_CHOICES: readonly TListSort[] = [
  { key: "arrival", reverse: true },
  { key: "arrival", reverse: false },
  { key: "date", reverse: true },
  { key: "date", reverse: false },
  { key: "from", reverse: false },
  { key: "from", reverse: true },
  { key: "subject", reverse: false },
  { key: "subject", reverse: true },
  { key: "size", reverse: true },
  { key: "size", reverse: false },
];

export function isDefaultSort(sort: TListSort | null | undefined): boolean {
  return !sort || (sort.key === DEFAULT_SORT.key && sort.reverse === DEFAULT_SORT.reverse);
}

/** `from.asc`, `arrival.desc`; "" for the default order (or none). */
export function sortId(sort: TListSort | null | undefined): string {
  if (!sort || isDefaultSort(sort)) return "";
  return `${sort.key}.${sort.reverse ? "desc" : "asc"}`;
}

/** The order a `sortId` names, or null when it names none. */
export function parseSortId(id: string | null | undefined): TListSort | null {
  const m = /^([a-z]+)\.(asc|desc)$/.exec(id ?? "");
  const key = SORT_KEYS.find((k) => k === m?.[1]);
  if (!m || key === undefined) return null;
  return { key, reverse: m[2] === "desc" };
}

/** Orders that need no SORT: what a server without it can offer. */
export function needsSort(key: TSortKey): boolean {
  return key !== "arrival";
}

const storageKey = (account: string) => `ferry.sort:${account.toLowerCase()}`;

/** The order this account last chose in this browser, or null. */
export function loadSortChoice(account: string): TListSort | null {
  try {
    return parseSortId(window.localStorage.getItem(storageKey(account)));
  } catch {
    return null;
  }
}

/** Remembers the order this account chose (the default clears it). */
export function saveSortChoice(account: string, sort: TListSort): void {
  try {
    const id = sortId(sort);
    if (id) window.localStorage.setItem(storageKey(account), id);
    else window.localStorage.removeItem(storageKey(account));
  } catch {
    // Storage may be unavailable (private mode, quota): the URL still carries the order.
  }
}

/**
 * The order a list is shown in: the URL's, else the account's last choice, else the default;
 * only arrival orders where the server cannot SORT.
 */
export function effectiveSort(
  fromUrl: TListSort | null,
  saved: TListSort | null,
  canSort: boolean,
): TListSort {
  const wanted = fromUrl ?? saved ?? DEFAULT_SORT;
  return canSort || !needsSort(wanted.key) ? wanted : DEFAULT_SORT;
}

/** Whether a search reaches beyond the folder shown (`in:anywhere`, `in:NAME`). */
export function searchesOtherFolders(q: string | null): boolean {
  return q !== null && /(^|\s)in:\S/i.test(q);
}

const ANYWHERE = /(^|\s)in:anywhere(?=\s|$)/i;

/** Whether a search is `in:anywhere`. */
export function searchesAllFolders(q: string | null): boolean {
  return q !== null && ANYWHERE.test(q);
}

/** The search with `in:anywhere` added or taken out. */
export function withAllFolders(q: string, on: boolean): string {
  const rest = q.replace(new RegExp(ANYWHERE.source, "gi"), " ").replace(/\s+/g, " ").trim();
  return on ? `in:anywhere ${rest}`.trim() : rest;
}
