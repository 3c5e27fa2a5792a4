"use client";
/**
 * The Snoozed view: what the account has snoozed, by wake time, each with the time it comes
 * back (or why it could not yet) and "Back to Inbox now" (a timed-list.tsx, as Scheduled is).
 * Live: `snoozes.changed` from any tab or from a wake updates it (lib/snooze.ts); kept for a
 * reload with the rest of the cache (lib/persist.ts).
 */
import type { TSnooze } from "@ferry/protocol";
import { useState } from "react";
import { reasonOf } from "@/lib/actions";
import { formatFullDate, t } from "@/lib/i18n";
import { useSnoozes, wakeSnoozes } from "@/lib/snooze";
import { type TimedEntry, TimedList } from "./timed-list";
import { WaitingNote } from "./waiting-note";

export function SnoozedView() {
  const snoozes = useSnoozes();
  const [problem, setProblem] = useState<string | null>(null);
  const entries = (snoozes.data ?? []).map(
    (s: TSnooze): TimedEntry => ({
      key: s.id,
      who: s.from[0]?.name || s.from[0]?.address || "",
      subject: s.subject,
      time: t("snooze.view.until", { time: formatFullDate(new Date(s.wakeAt).toISOString()) }),
      note: s.problem
        ? s.problem === "signin"
          ? t("snooze.view.problemSignin")
          : t("snooze.view.problemServer")
        : null,
      actions: [
        {
          label: t("snooze.view.wakeNow"),
          onClick: () => {
            setProblem(null);
            wakeSnoozes([s.id]).catch((err: unknown) =>
              setProblem(t("snooze.view.wakeFailed", { reason: reasonOf(err) })),
            );
          },
        },
      ],
    }),
  );
  return (
    <TimedList
      label={t("snooze.view.title")}
      empty={t("snooze.view.empty")}
      loaded={snoozes.isSuccess}
      problem={problem}
      entries={entries}
      waiting={
        <WaitingNote
          connecting={t("waiting.snoozed")}
          offline={t("waiting.snoozedOffline")}
          className="px-4 py-6 text-sm text-zinc-500"
        />
      }
    />
  );
}
