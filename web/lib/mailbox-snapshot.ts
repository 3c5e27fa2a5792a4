/**
 * The mailbox as it was last shown, for a reload to paint before any of the app's code runs:
 * its DOM serialized (the page's own markup, whose text React escaped) with what must not come
 * back left out (frames, dialogs and menus, live announcements, form values) and the list cut to
 * the rows a screen can show, stored with each save of the query cache and cleared with it
 * (lib/persist.ts). A reload's first script (lib/mailbox-snapshot-script.ts, inline in the page)
 * paints it only for the same account, view and layout, inert and with its list marked busy,
 * until the mailbox's first render (the same cached rows) replaces it
 * (components/mailbox-snapshot.tsx). Taking it reads no layout (it runs as the page goes, when
 * a forced style and layout would delay the next page).
 */
import { PHONE_QUERY } from "../hooks/use-media-query";
import { CACHE_MAX_AGE, type StoredSnapshot } from "./persist";

const LEFT_OUT = 'iframe, dialog, script, [role="dialog"], [role="menu"], [aria-modal="true"]';

/** Rows kept below the screen's height, beside those on it. */
const ROWS_BELOW = 1;

/** A row's offset in its list, from the inline `translateY(…px)` that places it; null if none. */
function rowTop(el: HTMLElement): number | null {
  const match = /translateY\((-?[\d.]+)px\)/.exec(el.style.transform);
  return match ? Number(match[1]) : null;
}

/**
 * Removes the rows of `list` that lie below the screen (plus ROWS_BELOW), judged by the offsets
 * the list gives its rows, not by layout: the screen's height bounds any viewport.
 */
function cutToScreen(list: Element): void {
  const bottom = typeof screen === "undefined" ? Number.POSITIVE_INFINITY : screen.height;
  let below = 0;
  for (const option of list.querySelectorAll<HTMLElement>('[role="option"]')) {
    const placed = option.style.transform ? option : option.parentElement;
    const top = placed instanceof HTMLElement ? rowTop(placed) : null;
    if (top === null || top < bottom) continue;
    if (below++ >= ROWS_BELOW) placed?.remove();
  }
}

/**
 * The mailbox under `root` as shown now; null when the message list is not showing its top rows
 * (scrolled down, or still loading), which a reload would not paint the same.
 */
export function takeSnapshot(root: HTMLElement, email: string): StoredSnapshot | null {
  const list = root.querySelector('[role="listbox"][aria-label]');
  if (list === null || list.getAttribute("aria-busy") === "true") return null;
  const first = list.querySelector('[role="option"][aria-posinset="1"]');
  if (first === null || first.getAttribute("aria-busy") === "true") return null;
  const copy = root.cloneNode(true);
  if (!(copy instanceof HTMLElement)) return null;
  for (const el of copy.querySelectorAll(LEFT_OUT)) el.remove();
  for (const el of copy.querySelectorAll("[aria-live], textarea, [contenteditable]")) {
    el.replaceChildren();
  }
  for (const el of copy.querySelectorAll("input")) el.removeAttribute("value");
  for (const el of copy.querySelectorAll('[role="listbox"]')) {
    el.setAttribute("aria-busy", "true");
    cutToScreen(el);
  }
  return {
    email,
    route: location.pathname + location.search,
    layout: PHONE_QUERY,
    phone: window.matchMedia(PHONE_QUERY).matches,
    expires: Date.now() + CACHE_MAX_AGE,
    html: copy.innerHTML,
  };
}
