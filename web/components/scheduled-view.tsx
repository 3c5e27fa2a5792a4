"use client";
/**
 * The Scheduled view: the account's mail scheduled to send later, by the time it goes, each
 * with its recipients, subject and time (or why it was not sent), and Edit (back into the
 * composer, no longer scheduled), Send now and Cancel (kept in Drafts). A timed-list.tsx, as
 * Snoozed is. Kept current as lib/compose/scheduled.ts says (refetched, not pushed), and kept
 * for a reload with the rest of the cache (lib/persist.ts), so a reload before the socket connects
 * shows the list as last seen; its header holds the page's first "Connecting…" (ConnectingPill). Also the folder pane's "Scheduled" entry.
 */
import type { TScheduledMessage } from "@ferry/protocol";
import {
  cancelScheduled,
  editScheduled,
  formatSendTime,
  sendScheduledNow,
  useScheduled,
} from "@/lib/compose/scheduled";
import { formatCount, t } from "@/lib/i18n";
import { MenuIcon } from "./icons";
import { ClockIcon } from "./snooze-menu";
import { ConnectingPill } from "./status-bar";
import { type TimedEntry, TimedList } from "./timed-list";
import { WaitingNote } from "./waiting-note";

function recipients(m: TScheduledMessage): string {
  const all = [...m.draft.to, ...m.draft.cc, ...m.draft.bcc];
  return t("scheduled.to", { names: all.map((a) => a.name || a.address).join(", ") });
}

function entryOf(m: TScheduledMessage): TimedEntry {
  const subject = m.draft.subject || t("list.noSubject");
  const busy = m.sending;
  return {
    key: m.sendId,
    who: recipients(m),
    subject,
    time:
      m.sendAt === null
        ? t("scheduled.notSent")
        : t("scheduled.goes", { time: formatSendTime(m.sendAt) }),
    note: m.sending
      ? t("scheduled.sending")
      : m.failure
        ? t("scheduled.failed", { reason: t(`error.${m.failure.code}`) })
        : null,
    actions: [
      { label: t("scheduled.edit"), disabled: busy, onClick: () => void editScheduled(m) },
      {
        label: t("scheduled.sendNow"),
        disabled: busy,
        onClick: () => void sendScheduledNow(m),
      },
      { label: t("scheduled.cancel"), disabled: busy, onClick: () => void cancelScheduled(m) },
    ],
  };
}

export function ScheduledView(p: { onShowFolders?: () => void }) {
  const scheduled = useScheduled();
  const list = scheduled.data ?? [];
  return (
    <TimedList
      label={t("scheduled.title")}
      empty={t("scheduled.empty")}
      loaded={scheduled.isSuccess}
      problem={scheduled.isError ? t("scheduled.loadFailed") : null}
      entries={list.map(entryOf)}
      waiting={
        <WaitingNote
          connecting={t("waiting.scheduled")}
          offline={t("waiting.scheduledOffline")}
          className="px-4 py-6 text-sm text-zinc-500"
        />
      }
      header={
        <div className="flex min-h-14 items-center gap-1 border-b border-zinc-200 px-1.5 py-1 dark:border-zinc-800">
          {p.onShowFolders ? (
            <button
              type="button"
              aria-label={t("folders.open")}
              onClick={p.onShowFolders}
              className="touch-target inline-flex items-center justify-center rounded-full text-zinc-600 hover:bg-zinc-200/70 dark:text-zinc-300 dark:hover:bg-zinc-800"
            >
              <MenuIcon className="size-6" />
            </button>
          ) : null}
          <h1 className="min-w-0 flex-1 truncate px-2.5 text-lg font-semibold">
            {t("scheduled.title")}
          </h1>
          <ConnectingPill />
          <span className="shrink-0 px-2 text-xs text-zinc-500 tabular-nums">
            {scheduled.isSuccess ? t("scheduled.count", { count: list.length }) : ""}
          </span>
        </div>
      }
    />
  );
}

/** The folder pane's entry: a link to the Scheduled view, with how many are waiting. */
export function ScheduledEntry(p: { active: boolean; onOpen(): void }) {
  const scheduled = useScheduled();
  const count = scheduled.data?.length ?? 0;
  const name = t("scheduled.title");
  return (
    <li>
      <a
        href="?view=scheduled"
        aria-label={count > 0 ? t("scheduled.entry", { name, count }) : name}
        aria-current={p.active ? "page" : undefined}
        onClick={(e) => {
          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
          e.preventDefault();
          p.onOpen();
        }}
        className={`touch-target flex items-center gap-3 rounded-lg py-1.5 pr-3 pl-3 text-sm md:min-h-9 ${
          p.active
            ? "bg-accent-100 font-semibold text-accent-900 dark:bg-accent-900/60 dark:text-white"
            : "text-zinc-700 hover:bg-zinc-200/60 dark:text-zinc-300 dark:hover:bg-zinc-800"
        }`}
      >
        <ClockIcon className="size-[18px] shrink-0" />
        <span className="min-w-0 flex-1 truncate">{name}</span>
        {count > 0 ? (
          <span aria-hidden="true" className="text-xs tabular-nums text-zinc-500">
            {formatCount(count)}
          </span>
        ) : null}
      </a>
    </li>
  );
}
