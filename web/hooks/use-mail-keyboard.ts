/**
 * The mailbox screen's keyboard: j/k and the arrows move the cursor (or, with a message open,
 * open the next one), Enter opens, and the single-key actions, search, help and "go to" keys
 * (hooks/use-shortcuts.ts); plus the composer's keys. It owns the search box's ref and whether
 * the shortcuts dialog is open.
 */
import type { TListSort, TMailbox, TMessageRow } from "@ferry/protocol";
import { type RefObject, useRef, useState } from "react";
import type { ActionKind } from "@/components/action-bar";
import { preloadReader } from "@/components/reader-chunk";
import type { ListData } from "@/lib/list-cache";
import { ensureRange } from "@/lib/mail-client";
import { navigate, type Route } from "@/lib/route";
import { useComposeShortcuts } from "./use-compose-shortcuts";
import { findByRole } from "./use-mailboxes";
import { useShortcuts } from "./use-shortcuts";

export function useMailKeyboard(p: {
  route: Route;
  data: ListData | undefined;
  sort: TListSort;
  conversations: boolean;
  isPhone: boolean;
  mailboxes: TMailbox[] | undefined;
  cursor: number;
  setCursor: (index: number) => void;
  openRef: { mailbox: string; uidValidity: number; uid: number } | null;
  openIndex: number | null;
  scrollToIndex: RefObject<(i: number) => void>;
  openMessage: (row: TMessageRow, index: number, opts?: { replace?: boolean }) => void;
  closeMessage: () => void;
  openFolder: (path: string, ro: boolean) => void;
  act: (kind: ActionKind, uids?: number[]) => void;
  allStarred: boolean;
  toggleSelect: (row: TMessageRow, index: number, range: boolean) => void;
}) {
  const { route, data, sort, conversations, isPhone, cursor, setCursor, openIndex } = p;
  const { openMessage, closeMessage, openFolder, act, allStarred, toggleSelect } = p;
  const searchRef = useRef<HTMLInputElement>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const step = (delta: number) => {
    preloadReader();
    if (!data) return;
    const from = openIndex ?? cursor;
    const to = Math.max(0, Math.min(data.total - 1, from + delta));
    if (route.msg) {
      const row = data.rows[to];
      if (row) openMessage(row, to, { replace: true });
      else ensureRange(route.folder, route.q, to, to, sort, conversations);
    } else {
      setCursor(to);
    }
    p.scrollToIndex.current(to);
  };
  useShortcuts(
    {
      next: () => step(1),
      prev: () => step(-1),
      open: () => {
        const row = data?.rows[cursor];
        if (row) openMessage(row, cursor);
      },
      back: () => {
        if (route.msg) closeMessage();
      },
      archive: () => act("archive"),
      remove: () => act("delete"),
      star: () => act(allStarred ? "unstar" : "star"),
      select: () => {
        const row = data?.rows[cursor];
        if (row) toggleSelect(row, cursor, false);
      },
      markRead: () => act("read"),
      markUnread: () => act("unread"),
      search: () => {
        if (isPhone && (route.msg || route.view)) navigate({ msg: null, view: null });
        requestAnimationFrame(() => searchRef.current?.focus());
      },
      help: () => setHelpOpen(true),
      goto: (where) => {
        const role = where === "starred" ? "flagged" : where === "inbox" ? "inbox" : where;
        const target = findByRole(p.mailboxes, role);
        if (target) openFolder(target.path, false);
        else if (where === "starred") {
          navigate({ folder: "INBOX", msg: null, q: "is:starred", ro: false });
        } else if (where === "inbox") openFolder("INBOX", false);
        else if (!p.mailboxes) {
          // Folders not loaded yet: go by the names servers use by convention.
          openFolder(where === "sent" ? "Sent" : "Drafts", false);
        }
      },
    },
    true,
  );
  useComposeShortcuts(p.openRef);
  return { searchRef, helpOpen, setHelpOpen };
}
