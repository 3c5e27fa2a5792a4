"use client";
/**
 * Where the rules live in the mail app: the filter editor (a chunk of its own, opened from
 * Settings or from the reader's "Filter messages like this") and, while the vacation reply is on,
 * a banner saying so with a way to turn it off. Nothing shows when the bridge has rules off.
 */
import { chunk } from "@/lib/chunk";
import { t } from "@/lib/i18n";
import { rulesFailure, saveRules, useFilterEditor, useRules, useRulesEnabled } from "@/lib/rules";
import { showToast } from "@/lib/toasts";

const editorChunk = chunk(() => import("./filter-editor"));

export function RulesHost() {
  const editor = useFilterEditor();
  const FilterEditor = editorChunk.useModule(editor !== null)?.FilterEditor;
  return editor && FilterEditor ? <FilterEditor key={editor.rule.id} state={editor} /> : null;
}

/** "Vacation reply is on" while it is, with "Turn off". */
export function VacationBanner() {
  const enabled = useRulesEnabled();
  const rules = useRules(enabled);
  const data = rules.data;
  if (!enabled || !data?.vacation.enabled) return null;
  const { start, end } = data.vacation;
  const turnOff = () => {
    saveRules(data.rules, { ...data.vacation, enabled: false }).then(
      () => showToast({ text: t("vacation.savedOff") }),
      (err: unknown) => showToast({ text: rulesFailure(err), tone: "error" }),
    );
  };
  return (
    <section
      aria-label={t("vacation.bannerLabel")}
      className="flex flex-wrap items-center gap-2 border-b border-amber-200 bg-amber-50 px-3 py-1.5 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100"
    >
      <span className="flex-1">
        {start || end
          ? t("vacation.bannerDates", { start: start ?? "…", end: end ?? "…" })
          : t("vacation.banner")}
      </span>
      <button
        type="button"
        onClick={turnOff}
        className="touch-target rounded-lg px-3 font-medium hover:bg-amber-100 md:min-h-8 dark:hover:bg-amber-900"
      >
        {t("vacation.turnOff")}
      </button>
    </section>
  );
}
