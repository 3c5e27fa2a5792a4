"use client";
/**
 * Shown only when Ferry is not fully online: reconnecting, offline, the mail server away, or
 * this page out of date because Ferry was updated (lib/version-skew), or a new build installed
 * by the service worker and waiting for the user to reload (lib/service-worker); and how many
 * changes made offline still wait to be synced (lib/offline-queue). The page's first connection
 * (nothing else to say) is a small pill in room its screen's header already has (ConnectingPill),
 * so it neither pushes the rows down, which would jump when it goes, nor lies over the header.
 */
import { useConnectionState } from "@/hooks/use-connection-state";
import { t } from "@/lib/i18n";
import { socket } from "@/lib/mail-client";
import { useQueueSummary } from "@/lib/offline-queue";
import { reloadIntoUpdate, useUpdateReady } from "@/lib/service-worker";
import { useUpdateNotice } from "@/lib/version-skew";
import { CloudOffIcon } from "./icons";

/** True while the page's first connection is being made and there is nothing else to show. */
function useFirstConnect(): boolean {
  const { socket: s } = useConnectionState();
  const update = useUpdateNotice();
  const queue = useQueueSummary();
  return s === "connecting" && update === null && queue.actions + queue.sends === 0;
}

/**
 * The first connection's notice, for a header with room to spare. Its width is taken from the
 * header's flexible part (title or search box), never its height: nothing below it moves.
 * `compact`: a header whose buttons leave room for the icon alone (a phone's reader); the words
 * show where its @container is wide enough, and are the status's text for assistive technology.
 */
export function ConnectingPill({ compact = false }: { compact?: boolean }) {
  if (!useFirstConnect()) return null;
  const text = t("connection.connecting");
  return (
    <div
      role="status"
      title={compact ? text : undefined}
      className={`inline-flex shrink-0 items-center gap-1.5 rounded-full bg-amber-100 py-1 text-xs font-medium whitespace-nowrap text-amber-950 dark:bg-amber-950 dark:text-amber-100 ${compact ? "px-1.5 @min-[460px]:px-2.5" : "px-2.5"}`}
    >
      <CloudOffIcon className="size-3.5 shrink-0" />
      <span className={compact ? "sr-only @min-[460px]:not-sr-only" : undefined}>{text}</span>
    </div>
  );
}

/**
 * The full-width bar, for everything but the first connection alone: every screen's header holds
 * a ConnectingPill for that (the list's order row, the Scheduled view's, the folders' and a
 * phone's reader's).
 */
export function StatusBar() {
  const { socket: s, imap } = useConnectionState();
  const firstConnect = useFirstConnect();
  const update = useUpdateNotice();
  const updateReady = useUpdateReady();
  const queue = useQueueSummary();
  const waiting = queue.actions + queue.sends;
  let text: string | null = null;
  let canRetry = false;
  let canReload = false;
  if (update === "reloading") text = t("connection.updating");
  else if (update === "outdated" || s === "outdated") {
    text = t("connection.outdated");
    canReload = true;
  } else if (s === "connecting") text = t("connection.connecting");
  else if (s === "reconnecting") {
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
  if ((!text && waiting === 0) || firstConnect) return null;
  return (
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
}
