/**
 * The mailbox as it was last shown, for a reload to paint before the mailbox's code has arrived:
 * its DOM serialized (the page's own markup, whose text React escaped) with what must not come
 * back left out (frames, dialogs and menus, live announcements, form values), stored beside the
 * query cache with each save and cleared with it (lib/persist.ts). A reload paints it only for
 * the same account, view and layout, inert and with its list marked busy, until the mailbox's
 * first render (the same cached rows) replaces it (components/mailbox-snapshot.tsx).
 */
import { PHONE_QUERY } from "../hooks/use-media-query";
import { CACHE_MAX_AGE, type StoredSnapshot } from "./persist";

const LEFT_OUT = 'iframe, dialog, script, [role="dialog"], [role="menu"], [aria-modal="true"]';

function currentRoute(): string {
  return location.pathname + location.search;
}

function isPhone(): boolean {
  return window.matchMedia(PHONE_QUERY).matches;
}

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
  for (const el of copy.querySelectorAll("[aria-live], textarea")) el.replaceChildren();
  for (const el of copy.querySelectorAll("input")) el.removeAttribute("value");
  for (const el of copy.querySelectorAll('[role="listbox"]')) el.setAttribute("aria-busy", "true");
  return {
    email,
    route: currentRoute(),
    phone: isPhone(),
    timestamp: Date.now(),
    html: copy.innerHTML,
  };
}

/** The stored snapshot's markup if it shows `email`'s mailbox as this page will. */
export function snapshotToPaint(stored: StoredSnapshot | undefined, email: string): string | null {
  if (!stored || stored.email !== email || stored.route !== currentRoute()) return null;
  if (stored.phone !== isPhone() || stored.timestamp < Date.now() - CACHE_MAX_AGE) return null;
  return stored.html;
}
