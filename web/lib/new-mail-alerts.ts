/**
 * Telling the user about new mail when they are not looking: the Inbox's unread count on the
 * favicon and the installed app's icon (App Badging API, where there is one; drawn by
 * lib/unread-badge), and desktop notifications for mail
 * delivered live to the Inbox while the tab is hidden. Notifications are off until the user turns
 * them on in Settings (the browser's permission prompt comes only from that click); the choice is
 * kept in this browser, like the permission. Mail that arrives in a burst makes one notification
 * (the same tag, replaced as the burst grows); clicking it opens the newest message.
 */
import type { TMailbox, TPushedEvent } from "@ferry/protocol";
import { useSyncExternalStore } from "react";
import { t } from "./i18n";
import { navigate } from "./route";
import { onSessionEnd } from "./session";
import { clearUnreadBadge, showInboxUnread } from "./unread-badge";

const ENABLED_KEY = "ferry.notify.newMail";
const TAG = "ferry-new-mail";
/** Deliveries closer together than this count as one burst. */
const BURST_MS = 60_000;

const listeners = new Set<() => void>();

function readEnabled(): boolean {
  try {
    return localStorage.getItem(ENABLED_KEY) === "1";
  } catch {
    return false;
  }
}

export type NotifyState = "off" | "on" | "denied" | "unsupported";

function notifyState(): NotifyState {
  if (typeof Notification === "undefined") return "unsupported";
  if (Notification.permission === "denied") return "denied";
  return readEnabled() && Notification.permission === "granted" ? "on" : "off";
}

function changed(): void {
  for (const l of listeners) l();
}

/** Turns notifications on (asking the browser for permission, from the user's click) or off. */
export async function setNewMailNotifications(on: boolean): Promise<NotifyState> {
  try {
    if (on) {
      const permission =
        Notification.permission === "default"
          ? await Notification.requestPermission()
          : Notification.permission;
      if (permission === "granted") localStorage.setItem(ENABLED_KEY, "1");
    } else {
      localStorage.removeItem(ENABLED_KEY);
    }
  } catch {
    // storage blocked or no Notification: the state below says what is true
  }
  changed();
  return notifyState();
}

export function useNewMailNotifications(): NotifyState {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    notifyState,
    () => "off",
  );
}

interface Burst {
  count: number;
  last: number;
  notification: Notification | null;
}

let burst: Burst | null = null;

function isUnseen(flags: readonly string[]): boolean {
  return !flags.includes("\\Seen");
}

/** What a live event means for notifications; call with every pushed event. */
export function noticeNewMail(e: TPushedEvent): void {
  if (e.type !== "messages.new" || e.mailbox !== "INBOX") return;
  if (document.visibilityState !== "hidden" || notifyState() !== "on") return;
  const fresh = e.rows.filter((r) => isUnseen(r.flags));
  const newest = fresh.reduce<(typeof fresh)[number] | null>(
    (a, r) => (a === null || r.uid > a.uid ? r : a),
    null,
  );
  if (!newest) return;
  const now = Date.now();
  const continuing = burst !== null && now - burst.last < BURST_MS;
  const count = (continuing && burst ? burst.count : 0) + fresh.length;
  const from = newest.from[0];
  const sender = from ? from.name || from.address : t("notify.unknownSender");
  const title =
    count === 1 ? t("notify.oneTitle", { from: sender }) : t("notify.manyTitle", { count });
  const body =
    count === 1 ? newest.subject : t("notify.latest", { from: sender, subject: newest.subject });
  const ref = { uidValidity: e.uidValidity, uid: newest.uid };
  let notification: Notification | null = null;
  try {
    notification = new Notification(title, {
      body,
      tag: TAG,
      icon: "/icon-192.png",
      silent: continuing,
    });
    notification.onclick = () => {
      window.focus();
      navigate({ folder: "INBOX", msg: ref, q: null, view: null });
      notification?.close();
      burst = null;
    };
  } catch {
    // a browser that only notifies from a service worker: nothing shown
  }
  if (continuing && burst?.notification && burst.notification !== notification) {
    burst.notification.onclick = null;
  }
  burst = { count, last: now, notification };
}

/** Back in view: the burst is over, its notification goes. */
export function endBurstOnVisible(): void {
  if (document.visibilityState !== "visible") return;
  burst?.notification?.close();
  burst = null;
}

let badgeStarted = false;

/**
 * The Inbox's unread count on the favicon and the installed app's icon (lib/unread-badge, which
 * the tab title reads too); call with the folder list whenever it changes. Cleared at sign-out.
 */
export function badgeUnread(mailboxes: readonly TMailbox[] | undefined): void {
  if (!badgeStarted) {
    badgeStarted = true;
    onSessionEnd(clearUnreadBadge);
  }
  showInboxUnread(mailboxes);
}
