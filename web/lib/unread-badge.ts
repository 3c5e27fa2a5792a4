/**
 * The Inbox's unread count wherever the browser shows the app: the tab title, the favicon and,
 * for the installed app, its icon (App Badging API). The count always comes from the folder
 * list's INBOX (`inboxUnread`), whatever folder is open, so the three agree.
 *
 * Title: in the Inbox, "Inbox (3) – Ferry" (the count beside the folder it counts); in another
 * folder the folder's name stays and the Inbox's count leads, "(3) Sent – Ferry", read as a
 * notification count rather than as Sent's, and still visible in a narrow tab.
 * Favicon: /icon.svg with a red dot carrying the count ("99+" above 99), as an SVG data URL in
 * each <link rel="icon">; at 0 the links get their own address back.
 */
import type { TMailbox } from "@ferry/protocol";
import { useEffect } from "react";
import { t } from "./i18n";

const ICON_URL = "/icon.svg";
/** The icon's own viewBox is 512 units square. */
const ICON_SIZE = 512;

/** The Inbox's unread count from the folder list; null while the list is not known. */
export function inboxUnread(mailboxes: readonly TMailbox[] | undefined): number | null {
  const inbox = mailboxes?.find((m) => m.path === "INBOX");
  return inbox ? (inbox.unseen ?? 0) : null;
}

/** The text of the badge: empty at 0, "99+" above 99. */
export function badgeText(count: number): string {
  if (count <= 0) return "";
  return count > 99 ? "99+" : String(count);
}

/** The tab title for the folder `folder` (its label) given the Inbox's unread count. */
export function windowTitle(folder: string, isInbox: boolean, unread: number | null): string {
  const count = badgeText(unread ?? 0);
  if (!count) return t("app.title", { folder });
  return isInbox
    ? t("app.titleUnread", { folder, count })
    : t("app.titleInboxUnread", { folder, count });
}

/** The icon's SVG with the count drawn on it (the SVG unchanged at 0). */
export function badgedIcon(svg: string, count: number): string {
  const text = badgeText(count);
  const end = svg.lastIndexOf("</svg>");
  if (!text || end < 0) return svg;
  const r = ICON_SIZE * 0.3;
  const cx = ICON_SIZE - r;
  const fontSize = text.length > 2 ? r * 0.9 : text.length > 1 ? r * 1.1 : r * 1.4;
  const badge =
    `<circle cx="${cx}" cy="${r}" r="${r}" fill="#dc2626" stroke="#ffffff" stroke-width="16"/>` +
    `<text x="${cx}" y="${r}" dy="0.35em" text-anchor="middle" fill="#ffffff" ` +
    `font-family="system-ui, sans-serif" font-weight="700" font-size="${Math.round(fontSize)}">` +
    `${text}</text>`;
  return `${svg.slice(0, end)}${badge}${svg.slice(end)}`;
}

let iconSvg: Promise<string | null> | null = null;
let shown: number | null = null;

function fetchIcon(): Promise<string | null> {
  iconSvg ??= fetch(ICON_URL)
    .then((r) => (r.ok ? r.text() : null))
    .catch(() => null)
    .then((text) => {
      if (text === null) iconSvg = null;
      return text;
    });
  return iconSvg;
}

function iconLinks(): HTMLLinkElement[] {
  return Array.from(document.querySelectorAll<HTMLLinkElement>('link[rel~="icon"]'));
}

async function drawFavicon(count: number): Promise<void> {
  const links = iconLinks();
  for (const link of links) link.dataset.ferryHref ??= link.getAttribute("href") ?? ICON_URL;
  if (count <= 0) {
    for (const link of links) link.href = link.dataset.ferryHref ?? ICON_URL;
    return;
  }
  const svg = await fetchIcon();
  if (svg === null || shown !== count) return;
  const href = `data:image/svg+xml,${encodeURIComponent(badgedIcon(svg, count))}`;
  for (const link of iconLinks()) {
    link.dataset.ferryHref ??= link.getAttribute("href") ?? ICON_URL;
    link.href = href;
  }
}

function setAppBadge(count: number): void {
  if (typeof navigator === "undefined" || !("setAppBadge" in navigator)) return;
  if (count > 0) void navigator.setAppBadge(count).catch(() => undefined);
  else void navigator.clearAppBadge().catch(() => undefined);
}

/**
 * Shows the Inbox's unread count on the favicon and the installed app's icon (nothing changes
 * while the folder list is unknown).
 */
export function showInboxUnread(mailboxes: readonly TMailbox[] | undefined): void {
  const count = inboxUnread(mailboxes);
  if (count === null || typeof document === "undefined" || count === shown) return;
  shown = count;
  setAppBadge(count);
  void drawFavicon(count);
}

/** The favicon and app badge back to the plain icon (sign-out). */
export function clearUnreadBadge(): void {
  if (typeof document === "undefined") return;
  shown = 0;
  setAppBadge(0);
  void drawFavicon(0);
}

/** Keeps the tab title on `folder` with the Inbox's unread count. */
export function useWindowTitle(
  folder: string,
  isInbox: boolean,
  mailboxes: readonly TMailbox[] | undefined,
): void {
  const unread = inboxUnread(mailboxes);
  useEffect(() => {
    document.title = windowTitle(folder, isInbox, unread);
  }, [folder, isInbox, unread]);
}
