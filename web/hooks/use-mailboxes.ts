/**
 * The folder tree: fetched once, then kept fresh by pushed events (counts, changes).
 * Standard folders come first in a fixed order, then the rest as a tree, by name.
 */
import type { TMailbox, TSpecialUse } from "@ferry/protocol";
import { useQuery } from "@tanstack/react-query";
import { t } from "@/lib/i18n";
import { fetchMailboxes, keys } from "@/lib/mail-client";

const ROLE_ORDER: TSpecialUse[] = [
  "inbox",
  "flagged",
  "drafts",
  "sent",
  "archive",
  "all",
  "junk",
  "trash",
];

export interface FolderEntry {
  mailbox: TMailbox;
  role: TSpecialUse | null;
  /** Nesting depth below the top level (standard folders are always shown at 0). */
  depth: number;
}

export function roleOf(m: TMailbox): TSpecialUse | null {
  if (m.specialUse) return m.specialUse;
  return m.path.toUpperCase() === "INBOX" ? "inbox" : null;
}

/** The name a folder is shown by: Inbox is translated, the rest are as the server names them. */
export function folderLabel(m: TMailbox): string {
  return roleOf(m) === "inbox" ? t("folder.inbox") : m.name || m.path;
}

export function sortFolders(list: TMailbox[]): FolderEntry[] {
  const standard: FolderEntry[] = [];
  const usedRoles = new Set<TSpecialUse>();
  const rest: TMailbox[] = [];
  for (const m of list) {
    const role = roleOf(m);
    if (role && !usedRoles.has(role) && m.selectable) {
      usedRoles.add(role);
      standard.push({ mailbox: m, role, depth: 0 });
    } else {
      rest.push(m);
    }
  }
  standard.sort(
    (a, b) => ROLE_ORDER.indexOf(a.role ?? "all") - ROLE_ORDER.indexOf(b.role ?? "all"),
  );
  const children = new Map<string | null, TMailbox[]>();
  const paths = new Set(rest.map((m) => m.path));
  for (const m of rest) {
    const parent = m.parent && paths.has(m.parent) ? m.parent : null;
    const arr = children.get(parent) ?? [];
    arr.push(m);
    children.set(parent, arr);
  }
  const out: FolderEntry[] = [...standard];
  const walk = (parent: string | null, depth: number) => {
    const kids = (children.get(parent) ?? []).sort((a, b) =>
      a.name.localeCompare(b.name, undefined, { sensitivity: "base" }),
    );
    for (const m of kids) {
      out.push({ mailbox: m, role: roleOf(m), depth });
      walk(m.path, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

export function useMailboxes() {
  return useQuery({ queryKey: keys.mailboxes, queryFn: fetchMailboxes });
}

/** The folder with a standard role, if the server has one. */
export function findByRole(list: TMailbox[] | undefined, role: TSpecialUse): TMailbox | undefined {
  return list?.find((m) => roleOf(m) === role);
}
