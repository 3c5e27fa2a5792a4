/**
 * One account setting changed from a Settings control: the value being saved is shown until the
 * bridge answers, and a refusal puts the setting back and says why.
 */
import type { TUserSettings } from "@ferry/protocol";
import { useState } from "react";
import { reasonOf } from "@/lib/actions";
import { saveSettings, useSettings } from "@/lib/settings";

type SavedKey = "conversations" | "offlineDays";

export interface SettingSave<K extends SavedKey> {
  /** What the control shows: the value being saved, else the account's. */
  value: TUserSettings[K];
  /** The refusal of the last save, in the user's words, until the next save. */
  error: string | null;
  save(value: TUserSettings[K]): void;
}

/** `failed` words a refused save from its reason. */
export function useSettingSave<K extends SavedKey>(
  key: K,
  failed: (reason: string) => string,
): SettingSave<K> {
  const current = useSettings()[key];
  const [saving, setSaving] = useState<TUserSettings[K] | null>(null);
  const [error, setError] = useState<string | null>(null);
  return {
    value: saving ?? current,
    error,
    save(value) {
      setError(null);
      setSaving(value);
      saveSettings({ [key]: value }).then(
        () => setSaving(null),
        (err: unknown) => {
          setSaving(null);
          setError(failed(reasonOf(err)));
        },
      );
    },
  };
}
