"use client";
/**
 * The local Outbox in the folder pane: messages sent while offline, waiting in this browser
 * (lib/offline-queue) for the next connection. Shown only while there are any.
 */
import { formatCount, t } from "@/lib/i18n";
import { useQueueSummary } from "@/lib/offline-queue";
import { SendIcon } from "./icons";

export function OutboxEntry() {
  const { sends } = useQueueSummary();
  if (sends === 0) return null;
  const name = t("offline.outbox");
  return (
    <li
      aria-label={`${name}, ${t("offline.outboxCount", { count: sends })}`}
      className="flex min-h-9 items-center gap-3 rounded-lg py-1.5 pr-3 pl-3 text-sm text-zinc-700 dark:text-zinc-300"
    >
      <SendIcon className="size-[18px] shrink-0" />
      <span className="min-w-0 flex-1 truncate">{name}</span>
      <span aria-hidden="true" className="text-xs tabular-nums text-zinc-500">
        {formatCount(sends)}
      </span>
    </li>
  );
}
