/**
 * The floors of the sort and search-everywhere figures: a bare imapflow client doing the same
 * IMAP work. imapflow has no SORT API, so `UID SORT` goes through its `exec()`, as the bridge's
 * imap/sort.ts does; searches use its own `search()`.
 */
import type { ImapFlow } from "imapflow";
import { hasExec } from "./exec";

/** `UID SORT RETURN (ALL) (DISPLAYFROM) UTF-8 ALL` on the selected mailbox: UIDs in order. */
export async function bareSortBySender(client: ImapFlow): Promise<number[]> {
  if (!hasExec(client)) throw new Error("imapflow has no exec()");
  const atom = (value: string) => ({ type: "ATOM", value });
  let set = "";
  const response = await client.exec(
    "UID SORT",
    [atom("RETURN"), [atom("ALL")], [atom("DISPLAYFROM")], atom("UTF-8"), atom("ALL")],
    {
      untagged: {
        ESEARCH: async (u) => {
          const attrs = u.attributes ?? [];
          for (let i = 0; i + 1 < attrs.length; i++) {
            const a = attrs[i] as { value?: unknown };
            const b = attrs[i + 1] as { value?: unknown };
            if (String(a?.value).toUpperCase() === "ALL" && typeof b?.value === "string") {
              set = b.value;
            }
          }
        },
      },
    },
  );
  response.next();
  const out: number[] = [];
  for (const part of set.split(",")) {
    const [a, b] = part.split(":").map(Number);
    if (a === undefined || !Number.isInteger(a)) continue;
    const to = b ?? a;
    for (let n = a; ; n += to >= a ? 1 : -1) {
      out.push(n);
      if (n === to) break;
    }
  }
  return out;
}

/** FETCH the list rows' data (UID, FLAGS, ENVELOPE) of `uids`. Returns how many came back. */
export async function bareRows(client: ImapFlow, uids: number[]): Promise<number> {
  const rows = await client.fetchAll(
    uids.join(","),
    { uid: true, flags: true, envelope: true },
    { uid: true },
  );
  return rows.length;
}

/**
 * Search every folder in `folders` for `query` (SELECT + UID SEARCH RETURN (ALL) + FETCH
 * INTERNALDATE of the matches, to merge by arrival), then FETCH the 50 newest rows: what a
 * client without MULTISEARCH does for a search of all folders. Returns the matches.
 */
export async function bareSearchFolders(
  client: ImapFlow,
  folders: readonly string[],
  query: { from: string },
): Promise<number> {
  const hits: { folder: string; uid: number; at: number }[] = [];
  for (const folder of folders) {
    const box = await client.mailboxOpen(folder, { readOnly: true });
    if (box.exists === 0) continue;
    const uids = await client.search(query, { uid: true });
    if (!uids || uids.length === 0) continue;
    const dates = await client.fetchAll(
      uids.join(","),
      { uid: true, internalDate: true },
      { uid: true },
    );
    for (const m of dates) {
      const d = m.internalDate;
      hits.push({ folder, uid: m.uid, at: d instanceof Date ? d.getTime() : 0 });
    }
  }
  hits.sort((a, b) => b.at - a.at);
  const top = hits.slice(0, 50);
  for (const folder of new Set(top.map((h) => h.folder))) {
    await client.mailboxOpen(folder, { readOnly: true });
    await bareRows(
      client,
      top.filter((h) => h.folder === folder).map((h) => h.uid),
    );
  }
  return hits.length;
}
