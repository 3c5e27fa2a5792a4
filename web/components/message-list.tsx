"use client";
/**
 * The message list: a `listbox` windowed over the folder's TOTAL count with
 * @tanstack/react-virtual, so 100,000 messages scroll like 50 and dragging the scrollbar
 * anywhere works. Rows are fetched a window at a time as they come into view; placeholders
 * show meanwhile; the messages the keyboard cursor (or a tap) opens next are fetched ahead while
 * the page is idle (hooks/use-open-prefetch.ts). New mail slides in at the top without moving
 * what is on screen (the first visible row stays put, hooks/use-scroll-anchor.ts); in another
 * order (`sort`) the rows on screen are fetched again and it appears at its place. It owns the
 * arrow, Home/End and Space keys; the rows are message-row.tsx (results from other folders name
 * their folder; on a phone, rows swipe left to archive and right to delete; in conversation view
 * each row is a conversation, lib/row-facts.ts). Its first render reads no layout (the
 * scroller's size comes from its ResizeObserver, a new scroller is not scrolled to its top) and
 * makes only the rows on screen; the few above and below follow once it has been painted. A list
 * with nothing kept says so while Ferry connects or is offline (waiting-note.tsx).
 */
import type { TListSort, TMessageRow } from "@ferry/protocol";
import { useVirtualizer, type Virtualizer } from "@tanstack/react-virtual";
import { type KeyboardEvent, useEffect, useLayoutEffect, useRef } from "react";
import { useAfterFirstPaint } from "@/hooks/use-after-first-paint";
import { useOpenPrefetch } from "@/hooks/use-open-prefetch";
import { useScrollAnchor } from "@/hooks/use-scroll-anchor";
import { t } from "@/lib/i18n";
import { findRow, type ListData } from "@/lib/list-cache";
import { listSetSize } from "@/lib/list-count";
import { listRowHeight } from "@/lib/list-geometry";
import { sortId } from "@/lib/list-sort";
import { ensureRange } from "@/lib/mail-client";
import { MessageRow, Placeholder } from "./message-row";
import { WaitingNote } from "./waiting-note";

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

/** How big the scroller will be, at most: the window (nothing where there is no window). */
function initialScrollRect(): { width: number; height: number } {
  if (typeof window === "undefined") return { width: 0, height: 0 };
  return { width: window.innerWidth, height: window.innerHeight };
}

/** Scrollers that have scrolled (a scroll event seen): the others are at their top. */
const scrolled = new WeakSet<Element>();

/**
 * The scroller's size as its ResizeObserver reports it, whose first report comes once the page
 * is laid out: unlike the virtualizer's own observer, nothing reads the size while the list
 * commits (a forced layout of the whole mailbox in the middle of its first render). Until then
 * initialScrollRect stands in.
 */
function observeScrollerRect(
  instance: Virtualizer<HTMLDivElement, Element>,
  cb: (rect: { width: number; height: number }) => void,
): (() => void) | undefined {
  const element = instance.scrollElement;
  if (!element) return undefined;
  const onScroll = () => scrolled.add(element);
  element.addEventListener("scroll", onScroll, { passive: true, once: true });
  if (typeof ResizeObserver === "undefined") {
    cb({ width: element.clientWidth, height: element.clientHeight });
    return () => element.removeEventListener("scroll", onScroll);
  }
  const observer = new ResizeObserver(() => {
    cb({ width: element.clientWidth, height: element.clientHeight });
  });
  observer.observe(element);
  return () => {
    observer.disconnect();
    element.removeEventListener("scroll", onScroll);
  };
}

/**
 * Scrolls the scroller as the virtualizer asks, except to the top of one that never scrolled
 * (the virtualizer asks for it as it mounts: a forced layout for nothing).
 */
function scrollScroller(
  offset: number,
  options: { adjustments?: number | undefined; behavior?: ScrollBehavior | undefined },
  instance: Virtualizer<HTMLDivElement, Element>,
): void {
  const element = instance.scrollElement;
  if (!element) return;
  const top = offset + (options.adjustments ?? 0);
  if (top === 0 && !scrolled.has(element)) return;
  element.scrollTo({ top, ...(options.behavior ? { behavior: options.behavior } : {}) });
}

export function MessageList(props: MessageListProps) {
  const { mailbox, query, sort, data, isPhone } = props;
  const order = sortId(sort);
  const scrollerRef = useRef<HTMLDivElement>(null);
  const rowHeight = listRowHeight(isPhone);
  const total = data?.total ?? 0;
  const setSize = listSetSize(data);
  const painted = useAfterFirstPaint();

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollerRef.current,
    estimateSize: () => rowHeight,
    overscan: painted ? 6 : 0,
    // Until the scroller is measured (after the first commit), the window's size stands in for
    // it: the first render already has the rows on screen, instead of a few and a second pass.
    initialRect: initialScrollRect(),
    observeElementRect: observeScrollerRect,
    scrollToFn: scrollScroller,
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

  // Keep the first visible row in place when rows arrive or leave above it; a new folder,
  // search or order starts at the top.
  const recordAnchor = useScrollAnchor(scrollerRef, data, rowHeight, mailbox, query, order);

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
      {/* A folder or search with nothing kept here: said, not a blank pane, until Ferry connects. */}
      {data === undefined ? (
        <WaitingNote
          connecting={query ? t("waiting.search") : t("waiting.folder")}
          offline={query ? t("waiting.searchOffline") : t("waiting.folderOffline")}
        />
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
