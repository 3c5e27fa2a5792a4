"use client";
/** The Settings section that turns conversation view (one list row per conversation) on or off. */
import { useId, useState } from "react";
import { reasonOf } from "@/lib/actions";
import { t } from "@/lib/i18n";
import { saveSettings, useSettings } from "@/lib/settings";

export function ConversationSetting() {
  const { conversations } = useSettings();
  const [error, setError] = useState<string | null>(null);
  /** The value being saved, shown until the bridge answers. */
  const [saving, setSaving] = useState<boolean | null>(null);
  const id = useId();
  return (
    <section className="space-y-2">
      <h3 className="font-semibold">{t("settings.conversations.title")}</h3>
      <label htmlFor={id} className="flex items-center gap-2 text-sm">
        <input
          id={id}
          type="checkbox"
          checked={saving ?? conversations}
          onChange={(e) => {
            const on = e.target.checked;
            setError(null);
            setSaving(on);
            saveSettings({ conversations: on }).then(
              () => setSaving(null),
              (err: unknown) => {
                setSaving(null);
                setError(t("settings.conversations.failed", { reason: reasonOf(err) }));
              },
            );
          }}
        />
        {t("settings.conversations.label")}
      </label>
      {error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
    </section>
  );
}
