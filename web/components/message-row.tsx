"use client";
/**
 * A message list row (or the placeholder standing in for one not fetched yet): sender, subject,
 * preview, date, star, checkbox and badges; click to open, shift/ctrl-click to select, drag to a
 * folder on a desktop, swipe on a phone (hooks/use-row-swipe.ts). Its handlers read the list's
 * latest props through `list` when an event happens.
 */
import type { TConversationRow, TMessageRow } from "@ferry/protocol";
import { type DragEvent, memo, type PointerEvent, type RefObject, useRef } from "react";
import { useRowSwipe } from "@/hooks/use-row-swipe";
import { formatListDate, t } from "@/lib/i18n";
import { prefetchMessage } from "@/lib/mail-client";
import { rowFacts, rowFolderLabel, rowLabel } from "@/lib/row-facts";
import { ArchiveIcon, PaperclipIcon, StarIcon, TrashIcon } from "./icons";
import type { MessageListProps } from "./message-list";

export const DRAG_TYPE = "application/x-ferry-messages";

/**
 * A row's height is fixed, so its layout and paint are its own (a change inside one lays out
 * nothing else). Not content-visibility: auto: the list renders only the rows near the viewport
 * anyway, and a row newly inserted with it is laid out again once the browser has found it
 * on screen (a second layout in the frame that first paints the rows).
 */
const ROW_CONTAINMENT = "[contain:strict]";

export function Placeholder(p: { index: number; setSize: number; top: number; height: number }) {
  const { index, setSize, top, height } = p;
  return (
    // biome-ignore lint/a11y/useFocusableInteractive: the listbox has the focus (see the row's)
    <div
      role="option"
      aria-selected={false}
      aria-busy="true"
      aria-posinset={index + 1}
      aria-setsize={setSize}
      aria-label={t("list.loadingRow", { position: index + 1 })}
      className={`absolute inset-x-0 flex flex-col justify-center gap-2 border-b border-zinc-100 px-4 dark:border-zinc-800/70 ${ROW_CONTAINMENT}`}
      style={{ height, transform: `translateY(${top}px)` }}
    >
      <div className="h-3 w-1/3 rounded bg-zinc-200 dark:bg-zinc-800" />
      <div className="h-3 w-2/3 rounded bg-zinc-100 dark:bg-zinc-800/60" />
    </div>
  );
}

interface RowProps {
  row: TMessageRow;
  /** In conversation view, the conversation this row stands for. */
  conversation: TConversationRow | undefined;
  index: number;
  top: number;
  height: number;
  open: boolean;
  cursor: boolean;
  checked: boolean;
  arrived: boolean;
  isPhone: boolean;
  readOnly: boolean;
  /** `aria-setsize`: the list's total, -1 while it is an estimate (lib/list-count.ts). */
  setSize: number;
  mailbox: string;
  uidValidity: number | null;
  /** The list's latest props, for the handlers (read when an event happens, not in render). */
  list: RefObject<MessageListProps>;
}

/**
 * Memoized: opening a message or moving the cursor re-renders only the rows whose `open` or
 * `cursor` changed (the others' props are the cached rows and the list's stable ref).
 */
export const MessageRow = memo(function MessageRow(p: RowProps) {
  const { row, index } = p;
  const facts = rowFacts(row, p.conversation);
  const { unread, starred, sender } = facts;
  const date = formatListDate(facts.date);
  const swipeEnabled = p.isPhone && !p.readOnly;
  const { dx, leaving, gesture, suppressClick, onPointerDown, onPointerMove, endGesture } =
    useRowSwipe(swipeEnabled, (kind) => p.list.current.onSwipe(kind, row));
  // The message is read ahead once the pointer moves on its row, not when the browser says the
  // pointer entered it: it says so too when the row comes under a pointer standing still (new
  // mail sliding the rows down, the list appearing after a sign-in), where nobody pointed at it
  // and the read would hold up the user's next open on the bridge's connection.
  const pointedAt = useRef<number | null>(null);
  const readAheadForPointer = (e: PointerEvent<HTMLDivElement>) => {
    const uidValidity = row.uidValidity ?? p.uidValidity;
    if (pointedAt.current === row.uid || p.isPhone || e.pointerType === "touch") return;
    if (uidValidity == null) return;
    pointedAt.current = row.uid;
    prefetchMessage({ mailbox: row.mailbox ?? p.mailbox, uidValidity, uid: row.uid });
  };

  const onDragStart = (e: DragEvent<HTMLDivElement>) => {
    const uids = p.list.current.dragUids(row);
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData(DRAG_TYPE, JSON.stringify({ mailbox: p.mailbox, uids }));
    e.dataTransfer.setData("text/plain", row.subject);
  };

  const bg = p.checked
    ? "bg-accent-100 dark:bg-accent-900/60"
    : p.open
      ? "bg-accent-50 dark:bg-zinc-800"
      : unread
        ? "bg-white dark:bg-zinc-900"
        : "bg-zinc-50/60 dark:bg-zinc-950";

  return (
    <div
      className={`absolute inset-x-0 overflow-hidden ${ROW_CONTAINMENT}`}
      style={{ height: p.height, transform: `translateY(${p.top}px)` }}
    >
      {dx > 0 ? (
        <div
          aria-hidden="true"
          className="absolute inset-0 flex items-center gap-2 bg-red-600 px-5 text-sm font-semibold text-white"
        >
          <TrashIcon className="size-5" />
          {t("list.swipeDelete")}
        </div>
      ) : dx < 0 ? (
        <div
          aria-hidden="true"
          className="absolute inset-0 flex items-center justify-end gap-2 bg-emerald-600 px-5 text-sm font-semibold text-white"
        >
          {t("list.swipeArchive")}
          <ArchiveIcon className="size-5" />
        </div>
      ) : null}
      {/* Not focusable: a click focuses the listbox, which points at its row
          (aria-activedescendant), so a row that leaves (archived, deleted, scrolled out of the
          window) does not take the focus, and the list's keys, with it. */}
      {/* biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/useFocusableInteractive: the listbox has the focus and handles the keys (arrows, Enter, Space, j/k) */}
      <div
        id={`msg-${row.uid}`}
        role="option"
        aria-selected={p.checked || p.open}
        aria-posinset={p.index + 1}
        aria-setsize={p.setSize || p.index + 1}
        aria-label={rowLabel(row, facts, date)}
        draggable={!p.isPhone && !p.readOnly}
        onDragStart={onDragStart}
        onPointerDown={onPointerDown}
        onPointerMove={(e) => {
          onPointerMove(e);
          readAheadForPointer(e);
        }}
        onPointerLeave={() => {
          pointedAt.current = null;
        }}
        onPointerUp={(e) => endGesture(e, false)}
        onPointerCancel={(e) => endGesture(e, true)}
        onClick={(e) => {
          if (suppressClick.current) {
            suppressClick.current = false;
            return;
          }
          if (e.shiftKey || e.metaKey || e.ctrlKey) {
            p.list.current.onToggleSelect(row, index, e.shiftKey);
            return;
          }
          p.list.current.onOpen(row, index);
        }}
        style={{
          transform: dx ? `translateX(${dx}px)` : undefined,
          transition: gesture.current ? "none" : "transform 160ms ease-out",
          touchAction: p.isPhone ? "pan-y" : undefined,
          opacity: leaving ? 0.6 : 1,
        }}
        className={`relative flex h-full cursor-default select-none items-stretch gap-1 border-b ${p.arrived ? "animate-slide-in" : ""} border-zinc-100 pr-3 dark:border-zinc-800/70 ${bg} ${
          p.cursor ? "shadow-[inset_3px_0_0_var(--color-accent-500)]" : ""
        } ${p.isPhone ? "" : "hover:bg-zinc-100 dark:hover:bg-zinc-800/70"}`}
      >
        <div className="flex w-11 shrink-0 flex-col items-center pt-1">
          <label className="touch-target flex items-center justify-center">
            <input
              type="checkbox"
              checked={p.checked}
              aria-label={t("list.selectRow", { sender })}
              onClick={(e) => {
                e.stopPropagation();
                p.list.current.onToggleSelect(row, index, e.shiftKey);
              }}
              onChange={() => undefined}
              className="size-4 accent-accent-600"
            />
          </label>
          <span
            aria-hidden="true"
            onClick={(e) => {
              e.stopPropagation();
              if (!p.readOnly) p.list.current.onToggleStar(row);
            }}
            className={`-mt-2 flex size-8 items-center justify-center rounded-full ${
              starred ? "text-amber-500" : "text-zinc-300 hover:text-zinc-500 dark:text-zinc-600"
            }`}
          >
            <StarIcon filled={starred} className="size-4" />
          </span>
        </div>
        <div className="flex min-w-0 flex-1 flex-col justify-center gap-0.5 py-2">
          <div className="flex items-baseline gap-2">
            {unread ? (
              <span
                aria-hidden="true"
                className="size-2 shrink-0 self-center rounded-full bg-accent-500"
              />
            ) : null}
            <span
              className={`min-w-0 flex-1 truncate text-sm ${unread ? "font-bold text-zinc-950 dark:text-white" : "text-zinc-700 dark:text-zinc-300"}`}
            >
              {sender}
            </span>
            {row.mailbox !== undefined ? (
              <span className="max-w-[40%] shrink-0 truncate rounded bg-zinc-200 px-1.5 py-0.5 text-[11px] font-medium text-zinc-700 dark:bg-zinc-700 dark:text-zinc-200">
                {rowFolderLabel(row.mailbox)}
              </span>
            ) : null}
            {facts.count > 1 ? (
              <span
                data-testid="conversation-count"
                aria-hidden="true"
                className="shrink-0 rounded bg-zinc-200 px-1.5 text-[11px] font-semibold text-zinc-700 dark:bg-zinc-700 dark:text-zinc-200"
              >
                {facts.count}
              </span>
            ) : null}
            {facts.hasDraft ? (
              <span className="shrink-0 text-[11px] font-semibold text-red-700 dark:text-red-300">
                {t("conv.draft")}
              </span>
            ) : null}
            {facts.hasAttachments ? (
              <PaperclipIcon aria-hidden="true" className="size-3.5 shrink-0 text-zinc-500" />
            ) : null}
            <time
              dateTime={facts.date ?? undefined}
              className={`shrink-0 text-xs ${unread ? "font-semibold text-accent-700 dark:text-accent-200" : "text-zinc-500"}`}
            >
              {date}
            </time>
          </div>
          <div
            data-testid="row-subject"
            className={`truncate text-sm ${unread ? "font-semibold text-zinc-900 dark:text-zinc-100" : "text-zinc-700 dark:text-zinc-300"}`}
          >
            {facts.subject || t("list.noSubject")}
          </div>
          <div className="truncate text-xs text-zinc-500 dark:text-zinc-400">{row.preview}</div>
        </div>
      </div>
    </div>
  );
});
