/**
 * The folder tree: LIST with special-use roles, subscriptions and message/unseen counts (one
 * LIST-STATUS command where the server has it), in the order the UI shows it.
 *
 * Order: depth first, and at every level the standard folders come first — inbox, drafts,
 * sent, archive, junk, trash, then the virtual all/flagged ones — followed by the others,
 * alphabetically (case-insensitive, by display name). Children follow their parent.
 *
 * Cap: at most MAX_MAILBOXES folders are kept, the first ones in that order (so the standard
 * folders and the top of the tree stay); a server with more (an archive of years by day, or a
 * hostile one) shows the rest as missing rather than making every client hold them all.
 *
 * Special-use folders (specialFolder): which folder is Sent, Trash, Junk, Archive or Drafts is
 * kept per connection (a session's command connection), as its last LIST gave it: the folder
 * list's own LIST (listMailboxes, which every folder change through Ferry ends with) refreshes
 * it, forgetSpecialFolders drops it (the folder set changed elsewhere), and only a connection
 * with none kept LISTs to find one.
 */
import type { TMailbox, TSpecialUse } from "@ferry/protocol";
import type { ImapFlow, ListResponse } from "imapflow";
import { commandError } from "./errors";

/** Folders kept in one listing (see the module comment). */
export const MAX_MAILBOXES = 2_000;

const ROLE_ORDER: readonly TSpecialUse[] = [
  "inbox",
  "drafts",
  "sent",
  "archive",
  "junk",
  "trash",
  "all",
  "flagged",
];

const SPECIAL_USE: Record<string, TSpecialUse> = {
  "\\inbox": "inbox",
  "\\drafts": "drafts",
  "\\sent": "sent",
  "\\archive": "archive",
  "\\junk": "junk",
  "\\trash": "trash",
  "\\all": "all",
  "\\flagged": "flagged",
};

/**
 * Normalises imapflow's special use (an RFC 6154 attribute, a name match, or "\Inbox") to a
 * role, falling back to the attributes themselves; INBOX is always inbox.
 */
export function specialUseOf(
  entry: Pick<ListResponse, "path" | "specialUse" | "flags">,
): TSpecialUse | null {
  if (entry.path.toUpperCase() === "INBOX") return "inbox";
  const use = entry.specialUse?.toLowerCase();
  if (use && SPECIAL_USE[use]) return SPECIAL_USE[use] ?? null;
  for (const flag of entry.flags ?? []) {
    const role = SPECIAL_USE[flag.toLowerCase()];
    if (role && role !== "inbox") return role;
  }
  return null;
}

function hasFlag(flags: Set<string>, flag: string): boolean {
  for (const f of flags) if (f.toLowerCase() === flag) return true;
  return false;
}

function count(value: number | undefined): number | null {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : null;
}

/** Maps one LIST entry to the wire shape. */
export function toMailbox(entry: ListResponse): TMailbox {
  const delimiter =
    typeof entry.delimiter === "string" && entry.delimiter !== "" ? entry.delimiter : null;
  const parent = entry.parentPath && entry.parentPath !== "" ? entry.parentPath : null;
  const flags = entry.flags ?? new Set<string>();
  return {
    path: entry.path,
    name: entry.path.toUpperCase() === "INBOX" ? "INBOX" : entry.name || entry.path,
    delimiter,
    parent,
    specialUse: specialUseOf(entry),
    // imapflow sets `subscribed` only to true (LIST RETURN (SUBSCRIBED) or LSUB, or every
    // folder when the server cannot say); an unsubscribed folder has it undefined.
    subscribed: entry.subscribed === true,
    selectable: !hasFlag(flags, "\\noselect") && !hasFlag(flags, "\\nonexistent"),
    messages: count(entry.status?.messages),
    unseen: count(entry.status?.unseen),
  };
}

function rank(mailbox: TMailbox): number {
  const i = mailbox.specialUse ? ROLE_ORDER.indexOf(mailbox.specialUse) : -1;
  return i === -1 ? ROLE_ORDER.length : i;
}

/** Sorts mailboxes into the UI's order (see the module comment). Exported for tests. */
export function sortMailboxes(mailboxes: TMailbox[]): TMailbox[] {
  const byPath = new Map(mailboxes.map((m) => [m.path, m]));
  const children = new Map<string | null, TMailbox[]>();
  for (const m of mailboxes) {
    // A parent the server did not list (e.g. a hidden or non-existent one) makes its
    // children top-level rather than lost.
    const parent = m.parent !== null && byPath.has(m.parent) ? m.parent : null;
    const list = children.get(parent) ?? [];
    list.push(m);
    children.set(parent, list);
  }
  const compare = (a: TMailbox, b: TMailbox) =>
    rank(a) - rank(b) ||
    a.name.localeCompare(b.name, "en", { sensitivity: "base", numeric: true }) ||
    a.path.localeCompare(b.path);
  const out: TMailbox[] = [];
  const seen = new Set<string>();
  const visit = (parent: string | null) => {
    for (const m of (children.get(parent) ?? []).sort(compare)) {
      if (seen.has(m.path)) continue;
      seen.add(m.path);
      out.push(m);
      visit(m.path);
    }
  };
  visit(null);
  return out;
}

/** The special-use folders of each connection, by role, as its last LIST gave them. */
const specialFolders = new WeakMap<ImapFlow, ReadonlyMap<TSpecialUse, string>>();

function noteSpecialFolders(
  client: ImapFlow,
  entries: readonly ListResponse[],
): ReadonlyMap<TSpecialUse, string> {
  const roles = new Map<TSpecialUse, string>();
  for (const entry of entries) {
    const role = specialUseOf(entry);
    if (role === null || roles.has(role)) continue;
    if (hasFlag(entry.flags ?? new Set(), "\\noselect")) continue;
    roles.set(role, entry.path);
  }
  specialFolders.set(client, roles);
  return roles;
}

/**
 * The path of the folder with special use `role` (null: the account has none), from what
 * `client` last listed, or from one LIST when it kept nothing.
 */
export async function specialFolder(client: ImapFlow, role: TSpecialUse): Promise<string | null> {
  let roles = specialFolders.get(client);
  if (!roles) {
    try {
      roles = noteSpecialFolders(client, await client.list());
    } catch (err) {
      throw commandError(err, "The mail server could not list the folders.");
    }
  }
  return roles.get(role) ?? null;
}

/** Forgets the special-use folders `client` listed: the next specialFolder LISTs again. */
export function forgetSpecialFolders(client: ImapFlow): void {
  specialFolders.delete(client);
}

/**
 * The user's folder tree with roles, subscription state and counts. Counts come from
 * LIST-STATUS when the server has it (imapflow falls back to STATUS per folder otherwise);
 * a folder whose counts the server did not give has null counts.
 */
export async function listMailboxes(client: ImapFlow): Promise<TMailbox[]> {
  let entries: ListResponse[];
  try {
    entries = await client.list({ statusQuery: { messages: true, unseen: true } });
  } catch (err) {
    throw commandError(err, "The mail server could not list the folders.");
  }
  noteSpecialFolders(client, entries);
  return sortMailboxes(entries.map(toMailbox)).slice(0, MAX_MAILBOXES);
}
