"use client";
/**
 * The message list: a `listbox` windowed over the folder's TOTAL count with
 * @tanstack/react-virtual, so 100,000 messages scroll like 50 and dragging the scrollbar
 * anywhere works. Rows are fetched a window at a time as they come into view; placeholders
 * show meanwhile; the messages the keyboard cursor (or a tap) opens next are fetched ahead while
 * the page is idle (hooks/use-open-prefetch.ts). New mail slides in at the top without moving
 * what is on screen (the first visible row stays put); in another order (`sort`) the rows on
 * screen are fetched again and it appears at its place. Results from other folders name their folder. On a phone, rows swipe
 * left to archive and right to delete. In conversation view each row is a conversation (its
 * participants, newest subject and date, a count when more than one; see lib/conversations.ts).
 */
import type { TConversationRow, TListSort, TMessageRow } from "@ferry/protocol";
import { useVirtualizer } from "@tanstack/react-virtual";
import {
  type DragEvent,
  type KeyboardEvent,
  type PointerEvent,
  type RefObject,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from "react";
import { useOpenPrefetch } from "@/hooks/use-open-prefetch";
import { FLAGGED, SEEN } from "@/lib/actions";
import { participantsLabel } from "@/lib/conversations";
import { formatListDate, t } from "@/lib/i18n";
import { findRow, type ListData } from "@/lib/list-cache";
import { listSetSize } from "@/lib/list-count";
import { sortId } from "@/lib/list-sort";
import { ensureRange, prefetchMessage } from "@/lib/mail-client";
import { ArchiveIcon, PaperclipIcon, StarIcon, TrashIcon } from "./icons";

export const DRAG_TYPE = "application/x-ferry-messages";

export interface MessageListProps {
  mailbox: string;
  query: string | null;
  /** The list's order (absent: newest arrival first). */
  sort?: TListSort | undefined;
  /** One row per conversation. */
  conversations?: boolean | undefined;
  data: ListData | undefined;
  openUid: number | null;
  cursor: number;
  selected: ReadonlySet<number>;
  isPhone: boolean;
  readOnly: boolean;
  onOpen(row: TMessageRow, index: number): void;
  onCursor(index: number): void;
  onToggleSelect(row: TMessageRow, index: number, range: boolean): void;
  onToggleStar(row: TMessageRow): void;
  onSwipe(kind: "archive" | "delete", row: TMessageRow): void;
  /** UIDs to drag when this row is dragged (the selection when it includes the row). */
  dragUids(row: TMessageRow): number[];
  /** Where the scroller is, for the keyboard handler to keep the cursor visible. */
  scrollRef?: (scrollToIndex: (index: number) => void) => void;
}

export function senderName(row: Pick<TMessageRow, "from">): string {
  const from = row.from[0];
  if (!from) return t("list.unknownSender");
  return from.name || from.address || t("list.unknownSender");
}

/** What a row shows: its message's, or (conversation view) its conversation's. */
interface RowFacts {
  sender: string;
  subject: string;
  date: string | null;
  unread: boolean;
  starred: boolean;
  hasAttachments: boolean;
  hasDraft: boolean;
  count: number;
}

function rowFacts(row: TMessageRow, conv: TConversationRow | undefined): RowFacts {
  if (conv) {
    return {
      sender: participantsLabel(conv),
      subject: conv.subject,
      date: conv.date,
      unread: conv.unread,
      starred: conv.starred,
      hasAttachments: conv.hasAttachments,
      hasDraft: conv.hasDraft,
      count: conv.count,
    };
  }
  return {
    sender: senderName(row),
    subject: row.subject,
    date: row.date,
    unread: !row.flags.includes(SEEN),
    starred: row.flags.includes(FLAGGED),
    hasAttachments: row.hasAttachments,
    hasDraft: false,
    count: 1,
  };
}

function rowLabel(row: TMessageRow, f: RowFacts, date: string): string {
  const parts: string[] = [];
  if (f.unread) parts.push(t("list.unread"));
  parts.push(f.sender);
  if (f.count > 1) parts.push(t("conv.count", { count: f.count }));
  parts.push(f.subject || t("list.noSubject"));
  if (date) parts.push(date);
  if (f.starred) parts.push(t("list.starred"));
  if (f.hasAttachments) parts.push(t("list.hasAttachment"));
  if (f.hasDraft) parts.push(t("conv.hasDraft"));
  if (row.mailbox !== undefined) parts.push(t("search.inFolder", { folder: row.mailbox }));
  return parts.join(", ");
}

/** How big the scroller will be, at most: the window (nothing where there is no window). */
function initialScrollRect(): { width: number; height: number } {
  if (typeof window === "undefined") return { width: 0, height: 0 };
  return { width: window.innerWidth, height: window.innerHeight };
}

export function MessageList(props: MessageListProps) {
  const { mailbox, query, sort, data, isPhone } = props;
  const order = sortId(sort);
  const scrollerRef = useRef<HTMLDivElement>(null);
  const rowHeight = isPhone ? 84 : 76;
  const total = data?.total ?? 0;
  const setSize = listSetSize(data);

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollerRef.current,
    estimateSize: () => rowHeight,
    overscan: 6,
    // Until the scroller is measured (after the first commit), the window's size stands in for
    // it: the first render already has the rows on screen, instead of a few and a second pass.
    initialRect: initialScrollRect(),
  });

  // The rows' handlers read the list's latest props through this when an event happens.
  const latest = useRef(props);
  useLayoutEffect(() => {
    latest.current = props;
  });

  useEffect(() => {
    virtualizer.measure();
  }, [rowHeight, virtualizer]);

  const { scrollRef } = props;
  useEffect(() => {
    scrollRef?.((index) => virtualizer.scrollToIndex(index, { align: "auto" }));
  }, [scrollRef, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  // Fetch the windows that are (nearly) on screen, a moment after scrolling settles.
  useEffect(() => {
    const timer = setTimeout(
      () => ensureRange(mailbox, query, first - 20, last + 20, sort, props.conversations === true),
      40,
    );
    return () => clearTimeout(timer);
    // `order` names `sort` by value: a new object of the same order is the same list.
  }, [mailbox, query, order, first, last, data?.fetched, props.conversations]);

  // The messages the keyboard (or a tap) opens next are fetched ahead while the page is idle.
  const openIndex = props.openUid === null ? null : (findRow(data, props.openUid)?.index ?? null);
  useOpenPrefetch(mailbox, data, props.cursor, openIndex);

  // Keep the first visible row in place when rows arrive or leave above it. The anchor holds
  // the scroll position it was taken at: once the list has moved on (a scrollbar drag whose
  // scroll event has not fired yet when a window lands), it is stale and must not pull the
  // list back.
  const anchor = useRef<{ uid: number; offset: number; at: number } | null>(null);
  const recordAnchor = useCallback(() => {
    const el = scrollerRef.current;
    if (!el || !data) return;
    const index = Math.floor(el.scrollTop / rowHeight);
    const row = data.rows[index];
    anchor.current = row
      ? { uid: row.uid, offset: el.scrollTop - index * rowHeight, at: el.scrollTop }
      : null;
  }, [data, rowHeight]);

  useLayoutEffect(() => {
    const el = scrollerRef.current;
    const a = anchor.current;
    if (!el || !a || el.scrollTop < 4 || Math.abs(el.scrollTop - a.at) >= 1) return;
    const found = findRow(data, a.uid);
    if (!found) return;
    const want = found.index * rowHeight + a.offset;
    if (Math.abs(el.scrollTop - want) < 1) return;
    el.scrollTop = want;
    a.at = el.scrollTop;
  }, [data, rowHeight]);

  // A new folder, search or order starts at the top.
  useLayoutEffect(() => {
    anchor.current = null;
    if (scrollerRef.current) scrollerRef.current.scrollTop = 0;
  }, [mailbox, query, order]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const next = Math.max(
        0,
        Math.min(total - 1, props.cursor + (e.key === "ArrowDown" ? 1 : -1)),
      );
      props.onCursor(next);
      virtualizer.scrollToIndex(next, { align: "auto" });
    } else if (e.key === "Home" || e.key === "End") {
      e.preventDefault();
      const next = e.key === "Home" ? 0 : Math.max(0, total - 1);
      props.onCursor(next);
      virtualizer.scrollToIndex(next, { align: "auto" });
    } else if (e.key === " " && data?.rows[props.cursor]) {
      e.preventDefault();
      const row = data.rows[props.cursor];
      if (row) props.onToggleSelect(row, props.cursor, e.shiftKey);
    }
  };

  const cursorRow = data?.rows[props.cursor];
  const empty = data !== undefined && total === 0;

  return (
    <div
      ref={scrollerRef}
      role="listbox"
      aria-label={t("list.label")}
      aria-multiselectable="true"
      aria-busy={data === undefined}
      aria-activedescendant={cursorRow ? `msg-${cursorRow.uid}` : undefined}
      tabIndex={0}
      onScroll={recordAnchor}
      onKeyDown={onKeyDown}
      className="relative min-h-0 flex-1 overflow-y-auto overscroll-contain focus-visible:outline-offset-[-2px]"
    >
      {empty ? (
        <p className="px-6 py-16 text-center text-sm text-zinc-500">
          {query ? t("list.emptySearch") : t("list.empty")}
        </p>
      ) : null}
      <div style={{ height: virtualizer.getTotalSize(), position: "relative", width: "100%" }}>
        {items.map((item) => {
          const row = data?.rows[item.index];
          return row ? (
            <MessageRow
              key={row.uid}
              row={row}
              conversation={data?.conversations?.[row.uid]}
              index={item.index}
              top={item.start}
              height={rowHeight}
              open={row.uid === props.openUid}
              cursor={item.index === props.cursor}
              checked={props.selected.has(row.uid)}
              arrived={data?.arrived.includes(row.uid) ?? false}
              isPhone={isPhone}
              readOnly={props.readOnly}
              setSize={setSize}
              mailbox={mailbox}
              uidValidity={data?.uidValidity ?? null}
              list={latest}
            />
          ) : (
            <Placeholder
              key={`p${item.index}`}
              index={item.index}
              setSize={setSize}
              top={item.start}
              height={rowHeight}
            />
          );
        })}
      </div>
    </div>
  );
}

/**
 * A row's height is fixed, so its layout and paint are its own (a change inside one lays out
 * nothing else), and rows in the overscan, off screen, are not laid out or painted until they
 * scroll near (they stay in the accessibility tree).
 */
const ROW_CONTAINMENT = "[contain:strict] [content-visibility:auto]";

function Placeholder(p: { index: number; setSize: number; top: number; height: number }) {
  const { index, setSize, top, height } = p;
  return (
    <div
      role="option"
      tabIndex={-1}
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

const SWIPE_THRESHOLD = 0.35;

function MessageRow(p: RowProps) {
  const { row, index } = p;
  const facts = rowFacts(row, p.conversation);
  const { unread, starred, sender } = facts;
  const date = formatListDate(facts.date);
  const [dx, setDx] = useState(0);
  const [leaving, setLeaving] = useState<"left" | "right" | null>(null);
  const gesture = useRef<{
    id: number;
    x: number;
    y: number;
    mode: "pending" | "swipe" | "scroll";
    width: number;
  } | null>(null);
  const suppressClick = useRef(false);
  const swipeEnabled = p.isPhone && !p.readOnly;

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (!swipeEnabled || e.button !== 0) return;
    gesture.current = {
      id: e.pointerId,
      x: e.clientX,
      y: e.clientY,
      mode: "pending",
      width: e.currentTarget.offsetWidth || 1,
    };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const g = gesture.current;
    if (!g || g.id !== e.pointerId) return;
    const mx = e.clientX - g.x;
    const my = e.clientY - g.y;
    if (g.mode === "pending") {
      if (Math.abs(mx) > 10 && Math.abs(mx) > Math.abs(my) * 1.5) {
        g.mode = "swipe";
        e.currentTarget.setPointerCapture(e.pointerId);
      } else if (Math.abs(my) > 10) {
        g.mode = "scroll";
      }
    }
    if (g.mode === "swipe") setDx(mx);
  };
  const endGesture = (e: PointerEvent<HTMLDivElement>, cancelled: boolean) => {
    const g = gesture.current;
    if (!g || g.id !== e.pointerId) return;
    gesture.current = null;
    if (g.mode !== "swipe") return;
    suppressClick.current = true;
    const mx = e.clientX - g.x;
    if (!cancelled && Math.abs(mx) > g.width * SWIPE_THRESHOLD) {
      const kind = mx < 0 ? "archive" : "delete";
      setLeaving(mx < 0 ? "left" : "right");
      setDx(mx < 0 ? -g.width : g.width);
      setTimeout(() => p.list.current.onSwipe(kind, row), 160);
    } else {
      setDx(0);
    }
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
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the listbox handles the keys (arrows, Enter, Space, j/k) */}
      <div
        id={`msg-${row.uid}`}
        role="option"
        tabIndex={-1}
        aria-selected={p.checked || p.open}
        aria-posinset={p.index + 1}
        aria-setsize={p.setSize || p.index + 1}
        aria-label={rowLabel(row, facts, date)}
        draggable={!p.isPhone && !p.readOnly}
        onDragStart={onDragStart}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={(e) => endGesture(e, false)}
        onPointerCancel={(e) => endGesture(e, true)}
        onMouseEnter={() => {
          const uidValidity = row.uidValidity ?? p.uidValidity;
          if (!p.isPhone && uidValidity != null) {
            prefetchMessage({ mailbox: row.mailbox ?? p.mailbox, uidValidity, uid: row.uid });
          }
        }}
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
                {row.mailbox}
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
}
