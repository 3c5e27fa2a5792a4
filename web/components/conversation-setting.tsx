"use client";
/** The Settings section that turns conversation view (one list row per conversation) on or off. */
import { useId } from "react";
import { useSettingSave } from "@/hooks/use-setting-save";
import { t } from "@/lib/i18n";

export function ConversationSetting() {
  const conversations = useSettingSave("conversations", (reason) =>
    t("settings.conversations.failed", { reason }),
  );
  const id = useId();
  return (
    <section className="space-y-2">
      <h3 className="font-semibold">{t("settings.conversations.title")}</h3>
      <label htmlFor={id} className="flex items-center gap-2 text-sm">
        <input
          id={id}
          type="checkbox"
          checked={conversations.value}
          onChange={(e) => conversations.save(e.target.checked)}
        />
        {t("settings.conversations.label")}
      </label>
      {conversations.error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {conversations.error}
        </p>
      ) : null}
    </section>
  );
}
