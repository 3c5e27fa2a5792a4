/**
 * The actions on one folder, as menu items: the same list in the folder pane's context menu
 * (desktop) and in the open folder's "Folder options" menu (the way on a phone). Inbox and the
 * special-use folders offer no Rename, Move to or Delete.
 */
import type { TMailbox } from "@ferry/protocol";
import { markAllRead } from "@/lib/actions";
import { t } from "@/lib/i18n";
import { emptyLabel, isProtectedFolder, openFolderDialog } from "./folder-dialogs";
import type { MenuItem } from "./menu";

export interface FolderMenuContext {
  /** The folder is the one on screen, and open read-only. */
  openReadOnly: boolean;
  onOpen(path: string, readOnly: boolean): void;
}

export function folderMenuItems(m: TMailbox, ctx: FolderMenuContext): MenuItem[] {
  const items: MenuItem[] = [];
  if (m.selectable) {
    items.push(
      ctx.openReadOnly
        ? { label: t("folders.openWritable"), onSelect: () => ctx.onOpen(m.path, false) }
        : { label: t("folders.openReadOnly"), onSelect: () => ctx.onOpen(m.path, true) },
      {
        label: t("folders.markAllRead"),
        disabled: ctx.openReadOnly || (m.unseen ?? 0) === 0,
        onSelect: () => void markAllRead(m.path),
      },
    );
  }
  const empty = emptyLabel(m);
  if (empty !== null) {
    items.push({
      label: empty,
      disabled: ctx.openReadOnly || m.messages === 0,
      onSelect: () => openFolderDialog({ kind: "empty", folder: m }),
    });
  }
  if (m.delimiter !== null) {
    items.push({
      label: t("folders.newInside"),
      onSelect: () => openFolderDialog({ kind: "create", parent: m }),
    });
  }
  if (!isProtectedFolder(m)) {
    items.push(
      {
        label: t("folders.rename"),
        onSelect: () => openFolderDialog({ kind: "rename", folder: m }),
      },
      { label: t("folders.moveTo"), onSelect: () => openFolderDialog({ kind: "move", folder: m }) },
      {
        label: t("folders.delete"),
        onSelect: () => openFolderDialog({ kind: "delete", folder: m }),
      },
    );
  }
  items.push({ label: t("folders.manage"), onSelect: () => openFolderDialog({ kind: "manage" }) });
  return items;
}
