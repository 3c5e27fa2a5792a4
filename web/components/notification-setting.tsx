"use client";
/** The Settings section that turns desktop notifications for new mail on or off. */
import { useId } from "react";
import { t } from "@/lib/i18n";
import { setNewMailNotifications, useNewMailNotifications } from "@/lib/new-mail-alerts";

export function NotificationSetting() {
  const state = useNewMailNotifications();
  const id = useId();
  return (
    <section className="space-y-2">
      <h3 className="font-semibold">{t("settings.notify.title")}</h3>
      <label htmlFor={id} className="flex items-center gap-2 text-sm">
        <input
          id={id}
          type="checkbox"
          checked={state === "on"}
          disabled={state === "unsupported" || state === "denied"}
          onChange={(e) => void setNewMailNotifications(e.target.checked)}
        />
        {t("settings.notify.label")}
      </label>
      {state === "denied" ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-300">{t("settings.notify.denied")}</p>
      ) : null}
    </section>
  );
}
