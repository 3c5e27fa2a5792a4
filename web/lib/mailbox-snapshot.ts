/**
 * The mailbox as it was last shown, for a reload to paint before any of the app's code runs:
 * its DOM serialized (the page's own markup, whose text React escaped) with what must not come
 * back left out (frames, dialogs and menus, live announcements, form values, rows below the
 * list's viewport), taken again in idle time after the page changes and cleared with the query
 * cache (lib/persist.ts). A reload's first script
 * (public/mailbox-snapshot.js) paints it only for the same account, view and layout, inert and
 * with its list marked busy, until the mailbox's first render (the same cached rows) replaces it
 * (components/mailbox-snapshot.tsx).
 */
import { PHONE_QUERY } from "../hooks/use-media-query";
import { CACHE_MAX_AGE, type StoredSnapshot } from "./persist";

/** The message list (the first labelled listbox in the mailbox). */
const LIST = '[role="listbox"][aria-label]';
const LEFT_OUT = 'iframe, dialog, script, [role="dialog"], [role="menu"], [aria-modal="true"]';

/**
 * Leaves out of `copy` (a clone of the mailbox) the rows the list renders below its viewport
 * (the virtualizer's overscan), which a reload would not show: less markup to store and parse.
 */
function dropRowsBelow(list: Element, copy: HTMLElement): void {
  const bottom = list.getBoundingClientRect().bottom;
  if (bottom <= 0) return; // not laid out: nothing is known to be below
  const shown = list.querySelectorAll('[role="option"]');
  const copied = copy.querySelector(LIST)?.querySelectorAll('[role="option"]') ?? [];
  if (shown.length !== copied.length) return;
  shown.forEach((row, i) => {
    if (row.getBoundingClientRect().top >= bottom) copied[i]?.remove();
  });
}

/**
 * The mailbox under `root` as shown now; null when the message list is not showing its top
 * (scrolled, or still loading), which a reload would not paint the same.
 */
export function takeSnapshot(root: HTMLElement, email: string): StoredSnapshot | null {
  const list = root.querySelector(LIST);
  if (list === null || list.scrollTop !== 0 || list.getAttribute("aria-busy") === "true") {
    return null;
  }
  if (!list.querySelector('[role="option"]:not([aria-busy="true"])')) return null;
  const copy = root.cloneNode(true);
  if (!(copy instanceof HTMLElement)) return null;
  dropRowsBelow(list, copy);
  for (const el of copy.querySelectorAll(LEFT_OUT)) el.remove();
  for (const el of copy.querySelectorAll("[aria-live], textarea, [contenteditable]")) {
    el.replaceChildren();
  }
  for (const el of copy.querySelectorAll("input")) el.removeAttribute("value");
  for (const el of copy.querySelectorAll('[role="listbox"]')) el.setAttribute("aria-busy", "true");
  return {
    email,
    route: location.pathname + location.search,
    layout: PHONE_QUERY,
    phone: window.matchMedia(PHONE_QUERY).matches,
    expires: Date.now() + CACHE_MAX_AGE,
    html: copy.innerHTML,
  };
}
