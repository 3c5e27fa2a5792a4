"use client";
/**
 * The actions on the current target (the selected messages, or else the open one): Archive,
 * Delete, Snooze until…, Report spam (in Junk: Not spam), Move to…, Copy to…, Mark as
 * read/unread, Star/Unstar. In a read-only folder they are disabled, except Copy to… (the
 * messages stay where they are).
 */
import type { TMailbox } from "@ferry/protocol";
import { type FolderEntry, folderLabel } from "@/hooks/use-mailboxes";
import { t } from "@/lib/i18n";
import {
  ArchiveIcon,
  CopyIcon,
  MailIcon,
  MailOpenIcon,
  MoveIcon,
  StarIcon,
  TrashIcon,
} from "./icons";
import { MenuButton } from "./menu";
import { SpamButton } from "./rules/spam-button";
import { SnoozeButton } from "./snooze-menu";

export type ActionKind = "archive" | "delete" | "read" | "unread" | "star" | "unstar";

export interface ActionBarProps {
  /** How many messages the actions apply to. */
  count: number;
  anyUnread: boolean;
  allStarred: boolean;
  readOnly: boolean;
  canArchive: boolean;
  folders: FolderEntry[];
  currentFolder: string;
  onAction(kind: ActionKind): void;
  onMove(to: TMailbox): void;
  onCopy(to: TMailbox): void;
  /** Snooze the target until a time (absent: no Snooze button, e.g. in the Snoozed folder). */
  onSnooze?: ((at: Date) => void) | undefined;
  /** Report spam, or in Junk "Not spam" (absent: no button). */
  onSpam?: ((verdict: "spam" | "not-spam") => void) | undefined;
  /** The current folder is Junk: the spam button says "Not spam". */
  inJunk?: boolean;
  className?: string;
}

const buttonClass =
  "touch-target inline-flex items-center justify-center gap-1.5 rounded-lg px-2.5 text-sm font-medium text-zinc-700 hover:bg-zinc-200/70 disabled:cursor-not-allowed disabled:opacity-40 md:min-h-9 md:min-w-9 dark:text-zinc-200 dark:hover:bg-zinc-800";

export function ActionBar(p: ActionBarProps) {
  const disabled = p.readOnly || p.count === 0;
  const moveTargets = p.folders.filter(
    (f) => f.mailbox.selectable && f.mailbox.path !== p.currentFolder,
  );
  return (
    <div
      role="toolbar"
      aria-label={t("action.toolbar")}
      className={`flex items-center gap-0.5 ${p.className ?? ""}`}
    >
      <button
        type="button"
        className={buttonClass}
        disabled={disabled || !p.canArchive}
        onClick={() => p.onAction("archive")}
        title={`${t("action.archive")} (e)`}
      >
        <ArchiveIcon className="size-5" />
        <span className="sr-only lg:not-sr-only">{t("action.archive")}</span>
      </button>
      <button
        type="button"
        className={buttonClass}
        disabled={disabled}
        onClick={() => p.onAction("delete")}
        title={`${t("action.delete")} (#)`}
      >
        <TrashIcon className="size-5" />
        <span className="sr-only lg:not-sr-only">{t("action.delete")}</span>
      </button>
      {p.onSnooze ? (
        <SnoozeButton disabled={disabled} className={buttonClass} onSnooze={p.onSnooze} />
      ) : null}
      {p.onSpam ? (
        <SpamButton
          inJunk={p.inJunk ?? false}
          disabled={disabled}
          className={buttonClass}
          onSpam={p.onSpam}
        />
      ) : null}
      <MenuButton
        label={t("action.moveTo")}
        disabled={disabled || moveTargets.length === 0}
        className={buttonClass}
        items={() =>
          moveTargets.map((f) => ({
            label: folderLabel(f.mailbox),
            ariaLabel: t("action.moveToFolder", { name: folderLabel(f.mailbox) }),
            onSelect: () => p.onMove(f.mailbox),
          }))
        }
      >
        <MoveIcon className="size-5" />
      </MenuButton>
      <MenuButton
        label={t("folders.copyTo")}
        disabled={p.count === 0 || moveTargets.length === 0}
        className={buttonClass}
        items={() =>
          moveTargets.map((f) => ({
            label: folderLabel(f.mailbox),
            ariaLabel: t("folders.copyToFolder", { name: folderLabel(f.mailbox) }),
            onSelect: () => p.onCopy(f.mailbox),
          }))
        }
      >
        <CopyIcon className="size-5" />
      </MenuButton>
      {p.anyUnread ? (
        <button
          type="button"
          className={buttonClass}
          disabled={disabled}
          onClick={() => p.onAction("read")}
          title={`${t("action.markRead")} (Shift+I)`}
        >
          <MailOpenIcon className="size-5" />
          <span className="sr-only">{t("action.markRead")}</span>
        </button>
      ) : (
        <button
          type="button"
          className={buttonClass}
          disabled={disabled}
          onClick={() => p.onAction("unread")}
          title={`${t("action.markUnread")} (Shift+U)`}
        >
          <MailIcon className="size-5" />
          <span className="sr-only">{t("action.markUnread")}</span>
        </button>
      )}
      {p.allStarred ? (
        <button
          type="button"
          className={buttonClass}
          disabled={disabled}
          onClick={() => p.onAction("unstar")}
          title={`${t("action.unstar")} (s)`}
        >
          <StarIcon filled className="size-5 text-amber-500" />
          <span className="sr-only">{t("action.unstar")}</span>
        </button>
      ) : (
        <button
          type="button"
          className={buttonClass}
          disabled={disabled}
          onClick={() => p.onAction("star")}
          title={`${t("action.star")} (s)`}
        >
          <StarIcon className="size-5" />
          <span className="sr-only">{t("action.star")}</span>
        </button>
      )}
    </div>
  );
}
