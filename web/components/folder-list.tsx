"use client";
/**
 * The folders: a navigation landmark, standard folders first with their icons, then the rest
 * as a tree. Each folder is a link named by the folder and its unread count. Messages can be
 * dropped on a folder to move them there, and a folder of the user's own on another to move it
 * inside; a right-click (or the context-menu key) offers the folder's actions (folder-menu.ts).
 * Entries that are not folders (`afterStandard`: Scheduled) follow the standard folders. Below the
 * tree: "New folder" and "Manage folders". Until the folder list is answered (right after a
 * sign-in, before the socket's hello) the standard folders' places are quiet placeholders and the
 * navigation is busy: "No folders yet" there would tell the user something false.
 */
import type { TMailbox, TSpecialUse } from "@ferry/protocol";
import {
  type ComponentType,
  type DragEvent,
  Fragment,
  type ReactNode,
  type SVGProps,
  useState,
} from "react";
import { type FolderEntry, folderLabel } from "@/hooks/use-mailboxes";
import { reasonOf } from "@/lib/actions";
import { isWithin, renameFolder } from "@/lib/folders";
import { formatCount, t } from "@/lib/i18n";
import { hrefForFolder } from "@/lib/route";
import { showToast } from "@/lib/toasts";
import { isProtectedFolder, openFolderDialog } from "./folder-dialogs";
import { folderMenuItems } from "./folder-menu";
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
import { DRAG_TYPE } from "./message-row";
import { WaitingNote } from "./waiting-note";

/** What a dragged folder carries (its path). */
const FOLDER_DRAG_TYPE = "application/x-ferry-folder";

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
  /** Entries that are not folders (the Scheduled view), after the standard folders. */
  afterStandard?: ReactNode;
  /**
   * Whether the folder list has been answered: "loading" (not yet: `folders` is empty because
   * nothing is known), "failed" (asking failed; asked again at the next connection), "ready".
   */
  status: FolderListStatus;
}

export type FolderListStatus = "loading" | "failed" | "ready";

/** The pane's status from the folder list's query: a list once answered stays shown. */
export function folderListStatus(q: { data: unknown; isError: boolean }): FolderListStatus {
  if (q.data !== undefined) return "ready";
  return q.isError ? "failed" : "loading";
}

/** The placeholders' name widths (%): one per standard folder most servers have, uneven like names. */
const PLACEHOLDER_WIDTHS = [45, 35, 40, 30, 38, 32];

const footerButton =
  "touch-target flex items-center gap-3 rounded-lg px-3 py-1.5 text-left text-sm text-zinc-600 hover:bg-zinc-200/60 md:min-h-9 dark:text-zinc-400 dark:hover:bg-zinc-800";

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
  const [dragged, setDragged] = useState<TMailbox | null>(null);

  /** `m` can take the folder being dragged: not itself, inside it, or already its parent. */
  const takesFolder = (m: TMailbox): boolean =>
    dragged !== null &&
    m.delimiter !== null &&
    m.path !== dragged.parent &&
    !isWithin(m.path, dragged.path, dragged.delimiter);

  const onDragOver = (e: DragEvent, m: TMailbox) => {
    const folder = e.dataTransfer.types.includes(FOLDER_DRAG_TYPE);
    if (folder ? !takesFolder(m) : !m.selectable || !e.dataTransfer.types.includes(DRAG_TYPE)) {
      return;
    }
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    setDropTarget(m.path);
  };
  const onDrop = (e: DragEvent, m: TMailbox) => {
    setDropTarget(null);
    if (e.dataTransfer.types.includes(FOLDER_DRAG_TYPE)) {
      e.preventDefault();
      const folder = dragged;
      setDragged(null);
      if (folder && takesFolder(m)) {
        renameFolder(folder, m.path, folder.name).catch((err: unknown) =>
          showToast({ text: t("toast.failed", { reason: reasonOf(err) }), tone: "error" }),
        );
      }
      return;
    }
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
    <nav
      aria-label={t("folders.nav")}
      aria-busy={p.status === "loading" || undefined}
      className="min-h-0 flex-1 overflow-y-auto py-2"
    >
      {p.status === "failed" && p.folders.length === 0 ? (
        <p role="alert" className="px-4 py-2 text-sm text-zinc-500">
          {t("folders.failed")}
        </p>
      ) : null}
      {p.status === "ready" && p.folders.length === 0 ? (
        <p className="px-4 py-2 text-sm text-zinc-500">{t("folders.empty")}</p>
      ) : null}
      {/* None kept on this device: the placeholders alone would say nothing while Ferry connects. */}
      {p.status === "loading" && p.folders.length === 0 ? (
        <WaitingNote
          connecting={t("waiting.folders")}
          offline={t("waiting.foldersOffline")}
          className="px-4 py-2 text-sm text-zinc-500"
        />
      ) : null}
      <ul className="space-y-0.5 px-2">
        {p.status === "loading" && p.folders.length === 0 ? <FolderPlaceholders /> : null}
        {p.folders.map((f, i) => {
          const m = f.mailbox;
          const Icon = f.role ? ROLE_ICONS[f.role] : FolderIcon;
          const active = m.path === p.current;
          const unread = m.unseen ?? 0;
          const firstCustom = i > 0 && f.role === null && p.folders[i - 1]?.role !== null;
          return [
            firstCustom ? <Fragment key="after-standard">{p.afterStandard}</Fragment> : null,
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
                  draggable={!isProtectedFolder(m)}
                  onDragStart={(e) => {
                    if (isProtectedFolder(m)) return;
                    e.dataTransfer.setData(FOLDER_DRAG_TYPE, m.path);
                    e.dataTransfer.effectAllowed = "move";
                    setDragged(m);
                  }}
                  onDragEnd={() => setDragged(null)}
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
            </li>,
          ];
        })}
        {p.folders.every((f) => f.role !== null) ? p.afterStandard : null}
      </ul>
      {menu ? (
        <MenuPopup
          label={t("folders.actions", { name: folderLabel(menu.mailbox) })}
          at={{ x: menu.x, y: menu.y }}
          anchor={menu.anchor}
          onClose={() => setMenu(null)}
          items={folderMenuItems(menu.mailbox, {
            openReadOnly: menu.mailbox.path === p.current && p.currentReadOnly,
            onOpen: p.onOpen,
          })}
        />
      ) : null}
      <div className="mt-3 flex flex-col gap-0.5 border-t border-zinc-200 px-2 pt-3 dark:border-zinc-800">
        <button
          type="button"
          onClick={() => openFolderDialog({ kind: "create", parent: null })}
          className={footerButton}
        >
          <FolderIcon className="size-[18px] shrink-0" />
          {t("folders.new")}
        </button>
        <button
          type="button"
          onClick={() => openFolderDialog({ kind: "manage" })}
          className={footerButton}
        >
          <StackIcon className="size-[18px] shrink-0" />
          {t("folders.manage")}
        </button>
      </div>
    </nav>
  );
}

/** The standard folders' places while the list is not yet answered: shapes only, not announced. */
function FolderPlaceholders() {
  return PLACEHOLDER_WIDTHS.map((width) => (
    <li
      key={width}
      aria-hidden="true"
      data-placeholder=""
      className="flex items-center gap-3 px-3 py-1.5 md:min-h-9"
    >
      <span className="size-[18px] shrink-0 rounded bg-zinc-200 dark:bg-zinc-800" />
      <span className="h-3 rounded bg-zinc-200 dark:bg-zinc-800" style={{ width: `${width}%` }} />
    </li>
  ));
}
