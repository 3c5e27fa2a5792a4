"use client";
/**
 * The Settings section "Available offline": how many days of Inbox mail this device keeps to read
 * offline (a setting of the account), what that takes of the budget, and a button to remove it.
 */
import { OFFLINE_DAYS_CHOICES, type TUserSettings } from "@ferry/protocol";
import { useId } from "react";
import { useSettingSave } from "@/hooks/use-setting-save";
import { formatSize, t } from "@/lib/i18n";
import { clearKept, useOfflineStore } from "@/lib/offline-bodies-task";

type Days = TUserSettings["offlineDays"];

function isDays(n: number): n is Days {
  return (OFFLINE_DAYS_CHOICES as readonly number[]).includes(n);
}

export function OfflineSetting() {
  const days = useSettingSave("offlineDays", (reason) => t("settings.offline.failed", { reason }));
  const kept = useOfflineStore();
  const id = useId();
  return (
    <section className="space-y-2">
      <h3 className="font-semibold">{t("settings.offline.title")}</h3>
      <label htmlFor={id} className="block text-sm text-zinc-600 dark:text-zinc-300">
        {t("settings.offline.label")}
      </label>
      <select
        id={id}
        value={String(days.value)}
        onChange={(e) => {
          const chosen = Number(e.target.value);
          if (isDays(chosen)) days.save(chosen);
        }}
        className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
      >
        {OFFLINE_DAYS_CHOICES.map((d) => (
          <option key={d} value={String(d)}>
            {d === 0 ? t("settings.offline.off") : t("settings.offline.days", { count: d })}
          </option>
        ))}
      </select>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <p aria-live="polite" className="text-zinc-600 dark:text-zinc-300">
          {t("settings.offline.usage", {
            used: formatSize(kept.bytes),
            budget: formatSize(kept.budget),
            count: kept.count,
          })}
          {kept.fetching ? ` ${t("settings.offline.fetching")}` : null}
        </p>
        <button
          type="button"
          disabled={kept.count === 0}
          onClick={() => void clearKept()}
          className="rounded-md border border-zinc-300 px-2 py-1 hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
        >
          {t("settings.offline.clear")}
        </button>
      </div>
      {days.error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {days.error}
        </p>
      ) : null}
    </section>
  );
}
