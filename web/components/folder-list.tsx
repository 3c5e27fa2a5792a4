"use client";
/**
 * The folders: a navigation landmark, standard folders first with their icons, then the rest
 * as a tree. Each folder is a link named by the folder and its unread count. Messages can be
 * dropped on a folder to move them there; a right-click (or the context-menu key) offers
 * "Open read-only" and "Mark all as read".
 */
import type { TMailbox, TSpecialUse } from "@ferry/protocol";
import { type ComponentType, type DragEvent, type SVGProps, useState } from "react";
import { type FolderEntry, folderLabel } from "@/hooks/use-mailboxes";
import { formatCount, t } from "@/lib/i18n";
import { hrefForFolder } from "@/lib/route";
import {
  ArchiveIcon,
  DraftIcon,
  FolderIcon,
  InboxIcon,
  JunkIcon,
  LockIcon,
  SendIcon,
  StackIcon,
  StarIcon,
  TrashIcon,
} from "./icons";
import { MenuPopup } from "./menu";
import { DRAG_TYPE } from "./message-list";

const ROLE_ICONS: Record<TSpecialUse, ComponentType<SVGProps<SVGSVGElement>>> = {
  inbox: InboxIcon,
  flagged: StarIcon,
  drafts: DraftIcon,
  sent: SendIcon,
  archive: ArchiveIcon,
  all: StackIcon,
  junk: JunkIcon,
  trash: TrashIcon,
};

export interface FolderListProps {
  folders: FolderEntry[];
  current: string;
  currentReadOnly: boolean;
  onOpen(path: string, readOnly: boolean): void;
  onDropMessages(to: TMailbox, payload: { mailbox: string; uids: number[] }): void;
  onMarkAllRead(path: string): void;
}

export function folderAccessibleName(m: TMailbox): string {
  const unread = m.unseen ?? 0;
  const name = folderLabel(m);
  return unread > 0 ? `${name}, ${t("folders.unread", { count: unread })}` : name;
}

export function FolderList(p: FolderListProps) {
  const [menu, setMenu] = useState<{
    mailbox: TMailbox;
    x: number;
    y: number;
    anchor: HTMLElement;
  } | null>(null);
  const [dropTarget, setDropTarget] = useState<string | null>(null);

  const onDragOver = (e: DragEvent, m: TMailbox) => {
    if (!m.selectable || !e.dataTransfer.types.includes(DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    setDropTarget(m.path);
  };
  const onDrop = (e: DragEvent, m: TMailbox) => {
    setDropTarget(null);
    const raw = e.dataTransfer.getData(DRAG_TYPE);
    if (!raw) return;
    e.preventDefault();
    try {
      const payload: unknown = JSON.parse(raw);
      if (
        typeof payload === "object" &&
        payload !== null &&
        "mailbox" in payload &&
        "uids" in payload &&
        typeof payload.mailbox === "string" &&
        Array.isArray(payload.uids) &&
        payload.mailbox !== m.path
      ) {
        const uids = payload.uids.filter((u): u is number => typeof u === "number");
        if (uids.length > 0) p.onDropMessages(m, { mailbox: payload.mailbox, uids });
      }
    } catch {
      // not ours
    }
  };

  return (
    <nav aria-label={t("folders.nav")} className="min-h-0 flex-1 overflow-y-auto py-2">
      {p.folders.length === 0 ? (
        <p className="px-4 py-2 text-sm text-zinc-500">{t("folders.empty")}</p>
      ) : null}
      <ul className="space-y-0.5 px-2">
        {p.folders.map((f, i) => {
          const m = f.mailbox;
          const Icon = f.role ? ROLE_ICONS[f.role] : FolderIcon;
          const active = m.path === p.current;
          const unread = m.unseen ?? 0;
          const firstCustom = i > 0 && f.role === null && p.folders[i - 1]?.role !== null;
          return (
            <li
              key={m.path}
              className={
                firstCustom ? "mt-3 border-t border-zinc-200 pt-3 dark:border-zinc-800" : ""
              }
            >
              {m.selectable ? (
                <a
                  href={hrefForFolder(m.path)}
                  aria-label={folderAccessibleName(m)}
                  aria-current={active ? "page" : undefined}
                  aria-haspopup="menu"
                  onClick={(e) => {
                    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                    e.preventDefault();
                    p.onOpen(m.path, false);
                  }}
                  onContextMenu={(e) => {
                    e.preventDefault();
                    setMenu({ mailbox: m, x: e.clientX, y: e.clientY, anchor: e.currentTarget });
                  }}
                  onKeyDown={(e) => {
                    if (e.key === "ContextMenu" || (e.key === "F10" && e.shiftKey)) {
                      e.preventDefault();
                      const r = e.currentTarget.getBoundingClientRect();
                      setMenu({ mailbox: m, x: r.left + 16, y: r.bottom, anchor: e.currentTarget });
                    }
                  }}
                  onDragOver={(e) => onDragOver(e, m)}
                  onDragLeave={() => setDropTarget((d) => (d === m.path ? null : d))}
                  onDrop={(e) => onDrop(e, m)}
                  style={{ paddingLeft: `${0.75 + f.depth * 1}rem` }}
                  className={`touch-target flex items-center gap-3 rounded-lg py-1.5 pr-3 text-sm md:min-h-9 ${
                    active
                      ? "bg-accent-100 font-semibold text-accent-900 dark:bg-accent-900/60 dark:text-white"
                      : "text-zinc-700 hover:bg-zinc-200/60 dark:text-zinc-300 dark:hover:bg-zinc-800"
                  } ${dropTarget === m.path ? "ring-2 ring-accent-500" : ""}`}
                >
                  <Icon className="size-[18px] shrink-0" />
                  <span className={`min-w-0 flex-1 truncate ${unread > 0 ? "font-semibold" : ""}`}>
                    {folderLabel(m)}
                  </span>
                  {active && p.currentReadOnly ? (
                    <LockIcon
                      className="size-3.5 shrink-0 text-zinc-500"
                      aria-label={t("folders.readOnly")}
                    />
                  ) : null}
                  {unread > 0 ? (
                    <span aria-hidden="true" className="text-xs font-semibold tabular-nums">
                      {formatCount(unread)}
                    </span>
                  ) : null}
                </a>
              ) : (
                <span
                  style={{ paddingLeft: `${0.75 + f.depth * 1}rem` }}
                  className="flex items-center gap-3 py-1.5 pr-3 text-sm text-zinc-500"
                >
                  <FolderIcon className="size-[18px] shrink-0" />
                  <span className="truncate">{folderLabel(m)}</span>
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {menu ? (
        <MenuPopup
          label={t("folders.actions", { name: folderLabel(menu.mailbox) })}
          at={{ x: menu.x, y: menu.y }}
          anchor={menu.anchor}
          onClose={() => setMenu(null)}
          items={[
            menu.mailbox.path === p.current && p.currentReadOnly
              ? {
                  label: t("folders.openWritable"),
                  onSelect: () => p.onOpen(menu.mailbox.path, false),
                }
              : {
                  label: t("folders.openReadOnly"),
                  onSelect: () => p.onOpen(menu.mailbox.path, true),
                },
            {
              label: t("folders.markAllRead"),
              disabled: (menu.mailbox.unseen ?? 0) === 0,
              onSelect: () => p.onMarkAllRead(menu.mailbox.path),
            },
          ]}
        />
      ) : null}
    </nav>
  );
}
