"use client";
/**
 * The actions on the current target (the selected messages, or else the open one). Always in
 * the bar: Archive, Delete, Mark as read/unread, Star/Unstar. Then, as far as the bar's own
 * width allows (a container query, so the list pane, the reader and a phone each get what fits):
 * Snooze until…, Move to…, Report spam (in Junk: Not spam), Copy to…; the ones that do not fit
 * are in the "More actions" menu, under the same names. In a read-only folder the actions are
 * disabled, except Copy to… (the messages stay where they are).
 */
import type { TMailbox } from "@ferry/protocol";
import { useRef, useState } from "react";
import { type FolderEntry, folderLabel } from "@/hooks/use-mailboxes";
import { t } from "@/lib/i18n";
import { tomorrowMorning } from "@/lib/snooze";
import {
  ArchiveIcon,
  CopyIcon,
  MailIcon,
  MailOpenIcon,
  MoreIcon,
  MoveIcon,
  StarIcon,
  TrashIcon,
} from "./icons";
import { MenuButton, type MenuItem, MenuPopup } from "./menu";
import { NotSpamIcon, SpamButton, SpamIcon } from "./rules/spam-button";
import { ClockIcon, snoozeChoices } from "./snooze-menu";
import { WhenPicker } from "./when-picker";

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
  /** Snooze the target until a time (absent: no Snooze, e.g. in the Snoozed folder). */
  onSnooze?: ((at: Date) => void) | undefined;
  /** Report spam, or in Junk "Not spam" (absent: no button). */
  onSpam?: ((verdict: "spam" | "not-spam") => void) | undefined;
  /** The current folder is Junk: the spam action says "Not spam". */
  inJunk?: boolean;
  className?: string;
}

const buttonLook =
  "touch-target items-center justify-center gap-1.5 rounded-lg px-2.5 text-sm font-medium text-zinc-700 hover:bg-zinc-200/70 disabled:cursor-not-allowed disabled:opacity-40 md:min-h-9 md:min-w-9 dark:text-zinc-200 dark:hover:bg-zinc-800";
const buttonClass = `inline-flex ${buttonLook}`;
/** A label beside the icon only when the bar has room to spare. */
const labelClass = "sr-only @min-[560px]:not-sr-only";

/**
 * The secondary actions in the order they give way, each with the bar width (px) from which it
 * is shown in the bar. A slot is a 44 px touch target and its gap; the bar always keeps four
 * actions and the More button, and at 8 slots everything fits and More goes.
 */
type Secondary = "snooze" | "move" | "spam" | "copy";
const shownFrom: Record<Secondary, number> = { snooze: 276, move: 322, spam: 368, copy: 368 };
const secondaryClass: Record<Secondary, string> = {
  snooze: `hidden @min-[276px]:inline-flex ${buttonLook}`,
  move: `hidden @min-[322px]:inline-flex ${buttonLook}`,
  spam: `hidden @min-[368px]:inline-flex ${buttonLook}`,
  copy: `hidden @min-[368px]:inline-flex ${buttonLook}`,
};
const moreClass = `inline-flex @min-[368px]:hidden ${buttonLook}`;

type Open = "more" | "snooze" | "move" | "copy" | null;

export function ActionBar(p: ActionBarProps) {
  const disabled = p.readOnly || p.count === 0;
  const moveTargets = p.folders.filter(
    (f) => f.mailbox.selectable && f.mailbox.path !== p.currentFolder,
  );
  const bar = useRef<HTMLDivElement>(null);
  const more = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState<Open>(null);
  const [picking, setPicking] = useState(false);
  const onSnooze = p.onSnooze;

  const snoozeItems = () =>
    onSnooze ? snoozeChoices(new Date(), onSnooze, () => setPicking(true)) : [];
  const moveItems = (): MenuItem[] =>
    moveTargets.map((f) => ({
      label: folderLabel(f.mailbox),
      ariaLabel: t("action.moveToFolder", { name: folderLabel(f.mailbox) }),
      onSelect: () => p.onMove(f.mailbox),
    }));
  const copyItems = (): MenuItem[] =>
    moveTargets.map((f) => ({
      label: folderLabel(f.mailbox),
      ariaLabel: t("folders.copyToFolder", { name: folderLabel(f.mailbox) }),
      onSelect: () => p.onCopy(f.mailbox),
    }));
  const moveDisabled = disabled || moveTargets.length === 0;
  const copyDisabled = p.count === 0 || moveTargets.length === 0;
  const spamLabel = p.inJunk ? t("spam.notSpam") : t("spam.report");

  /** The secondary actions the bar has no room for, as items of the More menu. */
  const overflow = (): MenuItem[] => {
    const width = bar.current?.clientWidth ?? 0;
    const hidden = (s: Secondary) => width < shownFrom[s];
    const items: MenuItem[] = [];
    if (onSnooze && hidden("snooze")) {
      items.push({
        label: t("snooze.menu"),
        icon: <ClockIcon className="size-5" />,
        disabled,
        onSelect: () => setOpen("snooze"),
      });
    }
    if (hidden("move")) {
      items.push({
        label: t("action.moveTo"),
        icon: <MoveIcon className="size-5" />,
        disabled: moveDisabled,
        onSelect: () => setOpen("move"),
      });
    }
    const onSpam = p.onSpam;
    if (onSpam && hidden("spam")) {
      items.push({
        label: spamLabel,
        icon: p.inJunk ? <NotSpamIcon className="size-5" /> : <SpamIcon className="size-5" />,
        disabled,
        onSelect: () => onSpam(p.inJunk ? "not-spam" : "spam"),
      });
    }
    if (hidden("copy")) {
      items.push({
        label: t("folders.copyTo"),
        icon: <CopyIcon className="size-5" />,
        disabled: copyDisabled,
        onSelect: () => setOpen("copy"),
      });
    }
    return items;
  };

  const popup = (() => {
    switch (open) {
      case "more":
        return { label: t("action.more"), items: overflow() };
      case "snooze":
        return { label: t("snooze.menu"), items: snoozeItems() };
      case "move":
        return { label: t("action.moveTo"), items: moveItems() };
      case "copy":
        return { label: t("folders.copyTo"), items: copyItems() };
      case null:
        return null;
    }
  })();

  return (
    <div
      ref={bar}
      role="toolbar"
      aria-label={t("action.toolbar")}
      className={`@container flex min-w-0 flex-1 items-center gap-0.5 ${p.className ?? ""}`}
    >
      <button
        type="button"
        className={buttonClass}
        disabled={disabled || !p.canArchive}
        onClick={() => p.onAction("archive")}
        title={`${t("action.archive")} (e)`}
      >
        <ArchiveIcon className="size-5" />
        <span className={labelClass}>{t("action.archive")}</span>
      </button>
      <button
        type="button"
        className={buttonClass}
        disabled={disabled}
        onClick={() => p.onAction("delete")}
        title={`${t("action.delete")} (#)`}
      >
        <TrashIcon className="size-5" />
        <span className={labelClass}>{t("action.delete")}</span>
      </button>
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
      {onSnooze ? (
        <MenuButton
          label={t("snooze.menu")}
          disabled={disabled}
          className={secondaryClass.snooze}
          items={snoozeItems}
        >
          <ClockIcon className="size-5" />
        </MenuButton>
      ) : null}
      <MenuButton
        label={t("action.moveTo")}
        disabled={moveDisabled}
        className={secondaryClass.move}
        items={moveItems}
      >
        <MoveIcon className="size-5" />
      </MenuButton>
      {p.onSpam ? (
        <SpamButton
          inJunk={p.inJunk ?? false}
          disabled={disabled}
          className={secondaryClass.spam}
          onSpam={p.onSpam}
        />
      ) : null}
      <MenuButton
        label={t("folders.copyTo")}
        disabled={copyDisabled}
        className={secondaryClass.copy}
        items={copyItems}
      >
        <CopyIcon className="size-5" />
      </MenuButton>
      <button
        ref={more}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open === "more"}
        aria-label={t("action.more")}
        title={t("action.more")}
        disabled={p.count === 0}
        onClick={() => setOpen((o) => (o === "more" ? null : "more"))}
        className={moreClass}
      >
        <MoreIcon className="size-5" />
      </button>
      {popup ? (
        <MenuPopup
          key={open}
          items={popup.items}
          label={popup.label}
          anchor={more.current}
          onClose={() => setOpen((o) => (o === open ? null : o))}
        />
      ) : null}
      {picking && onSnooze ? (
        <WhenPicker
          title={t("snooze.menu")}
          submitLabel={t("snooze.submit")}
          initial={tomorrowMorning(new Date())}
          onClose={() => setPicking(false)}
          onPick={(at) => {
            setPicking(false);
            onSnooze(at);
          }}
        />
      ) : null}
    </div>
  );
}
