/**
 * Searches of other folders than the one shown: `in:anywhere` (every subscribed, selectable
 * folder but Trash, Junk and the virtual All/Flagged ones) and `in:NAME` (one named folder). The
 * results are one list, newest arrival first across folders, windowed like any list; each row
 * carries its folder and that folder's UIDVALIDITY.
 *
 * How. The server has no MULTISEARCH (RFC 7377; Dovecot 2.3 does not offer it), so each folder
 * is searched in turn on the command connection: one SELECT and one UID SEARCH (ESEARCH
 * `RETURN (ALL)` where offered), then one FETCH of INTERNALDATE for the matches, to merge them by
 * arrival. They run one after another rather than in parallel: a session's connections are
 * already at the per-user budget (see MAX_WATCHED_FOLDERS in live/mail-session.ts), and each
 * folder costs only a few round trips. At most MAX_PER_FOLDER matches per folder (the newest)
 * are kept, so a search matching most of a huge mailbox stays bounded.
 *
 * The merged list is kept per connection and query for SEARCH_TTL_MS for the windows that follow
 * the first; the first window (offset 0) always searches again, so a new search, or the refetch
 * of the top after a change, is never stale.
 */
import { DEFAULT_SORT, type TMessageRow } from "@ferry/protocol";
import type { ImapFlow, ListResponse, SearchObject } from "imapflow";
import { BridgeError, isBridgeError } from "../errors";
import type { SearchScope } from "../search";
import { commandError } from "./errors";
import { expandUidSet, packUids, uidValidityOf, withMailbox } from "./mailbox-access";
import { specialUseOf } from "./mailboxes";
import { canSort } from "./sort";
import { fetchRows, SEARCH_TTL_MS, type WindowResult } from "./window";

/** Most matches kept per folder (its newest). */
export const MAX_PER_FOLDER = 10_000;

/** Roles left out of `in:anywhere`. */
const NOT_ANYWHERE = new Set(["trash", "junk", "all", "flagged"]);

interface Hit {
  folder: number;
  uid: number;
  at: number;
}

interface Merged {
  key: string;
  at: number;
  folders: { path: string; uidValidity: number }[];
  hits: Hit[];
}

const mergedCache = new WeakMap<ImapFlow, Merged>();

export interface FoldersWindow {
  total: number;
  rows: TMessageRow[];
  /** The folders searched, in the server's spelling. */
  searched: string[];
}

async function listFolders(client: ImapFlow): Promise<ListResponse[]> {
  try {
    return await client.list();
  } catch (err) {
    throw commandError(err, "The mail server could not list the folders.");
  }
}

function selectable(entry: ListResponse): boolean {
  for (const f of entry.flags ?? []) {
    const flag = f.toLowerCase();
    if (flag === "\\noselect" || flag === "\\nonexistent") return false;
  }
  return true;
}

/**
 * The folders a scope searches: for `anywhere` every subscribed selectable one (INBOX always)
 * but Trash, Junk and virtual ones; for `named` the one folder matched by path, then by name,
 * then by role (`in:sent`), case-insensitively.
 *
 * @throws BridgeError `mailbox_not_found` when no folder has that name.
 */
export async function foldersOf(
  client: ImapFlow,
  scope: Exclude<SearchScope, { kind: "mailbox" }>,
): Promise<string[]> {
  const entries = (await listFolders(client)).filter(selectable);
  if (scope.kind === "anywhere") {
    return entries
      .filter((e) => e.path.toUpperCase() === "INBOX" || e.subscribed)
      .filter((e) => !NOT_ANYWHERE.has(specialUseOf(e) ?? ""))
      .map((e) => e.path);
  }
  const want = scope.name.toLowerCase();
  const found =
    entries.find((e) => e.path === scope.name) ??
    entries.find((e) => e.path.toLowerCase() === want) ??
    entries.find((e) => (e.name ?? "").toLowerCase() === want) ??
    entries.find((e) => specialUseOf(e) === want);
  if (!found) {
    throw new BridgeError("mailbox_not_found", `There is no folder named "${scope.name}".`);
  }
  return [found.path];
}

/** Matching UIDs of the selected folder, ascending. */
async function searchSelected(client: ImapFlow, query: SearchObject): Promise<Uint32Array> {
  const result = client.capabilities.has("ESEARCH")
    ? await client.search(query, { uid: true, returnOptions: ["ALL"] })
    : await client.search(query, { uid: true });
  if (result === false || result === undefined) {
    throw new BridgeError("server_refused", "The mail server could not run this search.");
  }
  return Array.isArray(result) ? Uint32Array.from(result).sort() : expandUidSet(result.all ?? "");
}

async function merge(client: ImapFlow, folders: string[], query: SearchObject): Promise<Merged> {
  const found: Merged["folders"] = [];
  const hits: Hit[] = [];
  for (const path of folders) {
    // A folder deleted since the LIST is left out rather than failing the whole search.
    await withMailbox(client, path, {}, async (mailbox) => {
      const folder = found.length;
      found.push({ path, uidValidity: uidValidityOf(mailbox) });
      if (mailbox.exists === 0) return;
      const all = await searchSelected(client, query);
      const uids = all.subarray(Math.max(0, all.length - MAX_PER_FOLDER));
      if (uids.length === 0) return;
      const dates = await client.fetchAll(
        packUids(uids),
        { uid: true, internalDate: true },
        { uid: true },
      );
      for (const m of dates) {
        const date = m.internalDate;
        const at = date instanceof Date ? date.getTime() : Date.parse(String(date ?? ""));
        hits.push({ folder, uid: m.uid, at: Number.isFinite(at) ? at : 0 });
      }
    }).catch((err: unknown) => {
      if (!(isBridgeError(err) && err.code === "mailbox_not_found")) throw err;
    });
  }
  hits.sort((a, b) => b.at - a.at || a.folder - b.folder || b.uid - a.uid);
  return { key: "", at: Date.now(), folders: found, hits };
}

/**
 * Rows `offset … offset+limit` of `query` searched in `folders`, newest arrival first across
 * them; each row names its folder. Runs on the command connection (it selects each folder).
 */
export async function searchFolders(
  client: ImapFlow,
  folders: string[],
  query: SearchObject,
  offset: number,
  limit: number,
): Promise<FoldersWindow> {
  const key = `${folders.join("\u0000")}\u0001${JSON.stringify(query, (_k, v: unknown) =>
    typeof v === "bigint" ? `${v}n` : v,
  )}`;
  let merged = mergedCache.get(client);
  if (offset === 0 || !merged || merged.key !== key || Date.now() - merged.at > SEARCH_TTL_MS) {
    merged = { ...(await merge(client, folders, query)), key };
    mergedCache.set(client, merged);
  }
  const { folders: found, hits } = merged;
  const slice = hits.slice(offset, offset + limit);
  const byFolder = new Map<number, number[]>();
  for (const hit of slice) {
    const list = byFolder.get(hit.folder) ?? [];
    list.push(hit.uid);
    byFolder.set(hit.folder, list);
  }
  const rowOf = new Map<string, TMessageRow>();
  for (const [index, uids] of byFolder) {
    const folder = found[index];
    if (!folder) continue;
    await withMailbox(client, folder.path, {}, async (mailbox) => {
      const uidValidity = uidValidityOf(mailbox);
      for (const { row } of await fetchRows(client, packUids(uids), { uid: true })) {
        rowOf.set(`${index}:${row.uid}`, { ...row, mailbox: folder.path, uidValidity });
      }
    });
  }
  const rows: TMessageRow[] = [];
  for (const hit of slice) {
    const row = rowOf.get(`${hit.folder}:${hit.uid}`);
    if (row) rows.push(row);
  }
  return { total: hits.length, rows, searched: found.map((f) => f.path) };
}

/**
 * The window of a search whose scope is other folders (`in:anywhere`, `in:NAME`), as a window of
 * `mailbox` (the list it is shown in: its UIDVALIDITY, read last so the connection ends with the
 * user's folder selected again). Always newest arrival first.
 */
export async function scopedWindow(
  client: ImapFlow,
  params: {
    mailbox: string;
    scope: Exclude<SearchScope, { kind: "mailbox" }>;
    query: SearchObject;
    offset: number;
    limit: number;
    readOnly?: boolean | undefined;
  },
): Promise<WindowResult> {
  const folders = await foldersOf(client, params.scope);
  const found = await searchFolders(client, folders, params.query, params.offset, params.limit);
  const uidValidity = await withMailbox(
    client,
    params.mailbox,
    { readOnly: params.readOnly },
    async (m) => uidValidityOf(m),
  );
  return {
    mailbox: params.mailbox,
    uidValidity,
    total: found.total,
    offset: params.offset,
    rows: found.rows,
    sort: DEFAULT_SORT,
    canSort: canSort(client),
    searched: found.searched,
  };
}
