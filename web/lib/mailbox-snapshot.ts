/**
 * The mailbox as it was last shown, for a reload to paint before any of the app's code runs:
 * its DOM serialized (the page's own markup, whose text React escaped) with what must not come
 * back left out (frames, dialogs and menus, live announcements, form values), stored with each
 * save of the query cache and cleared with it (lib/persist.ts). A reload's first script
 * (public/mailbox-snapshot.js) paints it only for the same account, view and layout, inert and
 * with its list marked busy, until the mailbox's first render (the same cached rows) replaces it
 * (components/mailbox-snapshot.tsx).
 */
import { PHONE_QUERY } from "../hooks/use-media-query";
import { CACHE_MAX_AGE, type StoredSnapshot } from "./persist";

const LEFT_OUT = 'iframe, dialog, script, [role="dialog"], [role="menu"], [aria-modal="true"]';

/**
 * The mailbox under `root` as shown now; null when the message list is not showing its top
 * (scrolled, or still loading), which a reload would not paint the same.
 */
export function takeSnapshot(root: HTMLElement, email: string): StoredSnapshot | null {
  const list = root.querySelector('[role="listbox"][aria-label]');
  if (list === null || list.scrollTop !== 0 || list.getAttribute("aria-busy") === "true") {
    return null;
  }
  if (!list.querySelector('[role="option"]:not([aria-busy="true"])')) return null;
  const copy = root.cloneNode(true);
  if (!(copy instanceof HTMLElement)) return null;
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
