"use client";
/**
 * Shown only when Ferry is not fully online: reconnecting, offline, the mail server away, or
 * this page out of date because Ferry was updated (lib/version-skew), or a new build installed
 * by the service worker and waiting for the user to reload (lib/service-worker); and how many
 * changes made offline still wait to be synced (lib/offline-queue). The page's first connection
 * is shown over the page, taking no room, so that nothing moves when it is made.
 */
import { useConnectionState } from "@/hooks/use-connection-state";
import { t } from "@/lib/i18n";
import { socket } from "@/lib/mail-client";
import { useQueueSummary } from "@/lib/offline-queue";
import { reloadIntoUpdate, useUpdateReady } from "@/lib/service-worker";
import { useUpdateNotice } from "@/lib/version-skew";
import { CloudOffIcon } from "./icons";

export function StatusBar() {
  const { socket: s, imap } = useConnectionState();
  const update = useUpdateNotice();
  const updateReady = useUpdateReady();
  const queue = useQueueSummary();
  const waiting = queue.actions + queue.sends;
  let text: string | null = null;
  let canRetry = false;
  let canReload = false;
  let firstConnect = false;
  if (update === "reloading") text = t("connection.updating");
  else if (update === "outdated" || s === "outdated") {
    text = t("connection.outdated");
    canReload = true;
  } else if (s === "connecting") {
    text = t("connection.connecting");
    firstConnect = true;
  } else if (s === "reconnecting") {
    text = t("connection.reconnecting");
    canRetry = true;
  } else if (s === "offline") {
    text = t("connection.offline");
    canRetry = true;
  } else if (s === "online" && imap === "reconnecting") text = t("connection.imapReconnecting");
  else if (s === "online" && imap === "offline") text = t("connection.imapOffline");
  else if (updateReady) {
    text = t("connection.updateReady");
    canReload = true;
  }
  if (!text && waiting === 0) return null;
  const bar = (
    <div
      role="status"
      className="flex items-center justify-center gap-3 bg-amber-100 px-4 py-1.5 text-sm text-amber-950 dark:bg-amber-950 dark:text-amber-100"
    >
      <CloudOffIcon className="size-4 shrink-0" />
      {text ? <span>{text}</span> : null}
      {waiting > 0 ? <span>{t("offline.pending", { count: waiting })}</span> : null}
      {canRetry ? (
        <button
          type="button"
          onClick={() => socket.retryNow()}
          className="rounded px-2 font-medium underline hover:bg-amber-200 dark:hover:bg-amber-900"
        >
          {t("connection.retryNow")}
        </button>
      ) : null}
      {canReload ? (
        <button
          type="button"
          onClick={() => void reloadIntoUpdate()}
          className="rounded px-2 font-medium underline hover:bg-amber-200 dark:hover:bg-amber-900"
        >
          {t("connection.reload")}
        </button>
      ) : null}
    </div>
  );
  // The page's first connection (after a sign-in or a reload) lays over the top of the page
  // instead of pushing it down: the rows already on screen do not jump when it goes.
  if (firstConnect && waiting === 0) {
    return (
      <div className="pointer-events-none relative z-20 h-0">
        <div className="absolute inset-x-0 top-0">{bar}</div>
      </div>
    );
  }
  return bar;
}
