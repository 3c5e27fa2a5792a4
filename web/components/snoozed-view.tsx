"use client";
/**
 * The Snoozed view: what the account has snoozed, by wake time, each with the time it comes
 * back (or why it could not yet) and "Back to Inbox now". Live: `snoozes.changed` from any tab
 * or from a wake updates it (lib/snooze.ts).
 */
import type { TSnooze } from "@ferry/protocol";
import { useState } from "react";
import { reasonOf } from "@/lib/actions";
import { formatFullDate, t } from "@/lib/i18n";
import { useSnoozes, wakeSnoozes } from "@/lib/snooze";

export function SnoozedView() {
  const snoozes = useSnoozes();
  const [problem, setProblem] = useState<string | null>(null);
  const list = snoozes.data ?? [];
  return (
    <section aria-label={t("snooze.view.title")} className="min-h-0 flex-1 overflow-y-auto">
      {problem ? (
        <p role="alert" className="px-4 py-2 text-sm text-red-700 dark:text-red-300">
          {problem}
        </p>
      ) : null}
      {snoozes.isSuccess && list.length === 0 ? (
        <p className="px-4 py-6 text-sm text-zinc-500">{t("snooze.view.empty")}</p>
      ) : null}
      <ul className="divide-y divide-zinc-200 dark:divide-zinc-800">
        {list.map((s) => (
          <SnoozedRow
            key={s.id}
            snooze={s}
            onWake={() => {
              setProblem(null);
              wakeSnoozes([s.id]).catch((err: unknown) =>
                setProblem(t("snooze.view.wakeFailed", { reason: reasonOf(err) })),
              );
            }}
          />
        ))}
      </ul>
    </section>
  );
}

function SnoozedRow({ snooze, onWake }: { snooze: TSnooze; onWake(): void }) {
  const from = snooze.from[0];
  return (
    <li data-snooze={snooze.id} className="flex items-center gap-3 px-4 py-3">
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm font-medium">{from?.name || from?.address || ""}</p>
        <p className="truncate text-sm">{snooze.subject}</p>
        <p className="text-xs text-accent-700 dark:text-accent-300">
          {t("snooze.view.until", { time: formatFullDate(new Date(snooze.wakeAt).toISOString()) })}
        </p>
        {snooze.problem ? (
          <p className="text-xs text-amber-700 dark:text-amber-300">
            {snooze.problem === "signin"
              ? t("snooze.view.problemSignin")
              : t("snooze.view.problemServer")}
          </p>
        ) : null}
      </div>
      <button
        type="button"
        onClick={onWake}
        className="touch-target shrink-0 rounded-lg px-3 text-sm font-medium text-zinc-700 hover:bg-zinc-200/70 md:min-h-9 dark:text-zinc-200 dark:hover:bg-zinc-800"
      >
        {t("snooze.view.wakeNow")}
      </button>
    </li>
  );
}
