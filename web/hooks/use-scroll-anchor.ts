/**
 * Keeps a windowed list's first visible row in place when rows arrive or leave above it, and
 * starts a new list (folder, search or order) at the top. `recordAnchor` goes on the scroller's
 * scroll event.
 */
import { type RefObject, useCallback, useLayoutEffect, useRef } from "react";
import { findRow, type ListData } from "@/lib/list-cache";

export function useScrollAnchor(
  scrollerRef: RefObject<HTMLDivElement | null>,
  data: ListData | undefined,
  rowHeight: number,
  mailbox: string,
  query: string | null,
  order: string,
): () => void {
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

  // A new folder, search or order starts at the top. A new scroller is there already: writing
  // its scrollTop would only force a layout of the page in the middle of its first render.
  const shown = useRef<HTMLDivElement | null>(null);
  useLayoutEffect(() => {
    anchor.current = null;
    const el = scrollerRef.current;
    if (el && el === shown.current) el.scrollTop = 0;
    shown.current = el;
  }, [mailbox, query, order]);
  return recordAnchor;
}
