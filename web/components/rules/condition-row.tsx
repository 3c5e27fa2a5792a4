"use client";
/**
 * One condition of a rule in the filter editor: which header or property it tests ("From",
 * "To", "Subject", "List-Id", a named header, the size, an attachment), how, and the value, each
 * labelled by its header and numbered; its problem shown beside its value.
 */
import type { TRuleCondition } from "@ferry/protocol";
import { useId } from "react";
import { t } from "@/lib/i18n";
import { blankCondition, CONDITION_FIELDS, type ConditionField } from "@/lib/rules";
import { input, secondaryButton, select } from "./filter-form-classes";

/** The label of a condition's value: its header. */
function fieldLabel(c: TRuleCondition): string {
  if (c.field === "header") return c.name.trim() || t("rules.field.headerValue");
  return t(`rules.field.${c.field}`);
}

export function ConditionRow(p: {
  index: number;
  condition: TRuleCondition;
  problem: string | undefined;
  nameProblem: string | undefined;
  onChange(c: TRuleCondition): void;
  onRemove: (() => void) | null;
}) {
  const id = useId();
  const c = p.condition;
  const n = p.index + 1;
  return (
    <div className="flex flex-wrap items-start gap-2 rounded-xl border border-zinc-200 p-2 dark:border-zinc-800">
      <select
        aria-label={t("rules.conditionField", { number: n })}
        value={c.field}
        onChange={(e) => {
          const field = e.target.value as ConditionField;
          const next = blankCondition(field);
          if ("value" in next && "value" in c) next.value = c.value;
          p.onChange(next);
        }}
        className={select}
      >
        {CONDITION_FIELDS.map((f) => (
          <option key={f} value={f}>
            {t(`rules.fieldChoice.${f}`)}
          </option>
        ))}
      </select>
      {c.field === "header" ? (
        <div className="min-w-32 flex-1">
          <label htmlFor={`${id}-name`} className="sr-only">
            {t("rules.headerName")}
          </label>
          <input
            id={`${id}-name`}
            value={c.name}
            placeholder={t("rules.headerName")}
            aria-invalid={p.nameProblem ? true : undefined}
            onChange={(e) => p.onChange({ ...c, name: e.target.value })}
            className={input}
          />
          {p.nameProblem ? (
            <p className="text-xs text-red-700 dark:text-red-300">{p.nameProblem}</p>
          ) : null}
        </div>
      ) : null}
      {"match" in c ? (
        <>
          <select
            aria-label={t("rules.matchHow", { field: fieldLabel(c) })}
            value={`${c.not ? "!" : ""}${c.match}`}
            onChange={(e) => {
              const v = e.target.value;
              const not = v.startsWith("!");
              const match = (not ? v.slice(1) : v) as typeof c.match;
              p.onChange({ ...c, match, not });
            }}
            className={select}
          >
            <option value="contains">{t("rules.op.contains")}</option>
            <option value="!contains">{t("rules.op.notContains")}</option>
            <option value="is">{t("rules.op.is")}</option>
            <option value="!is">{t("rules.op.isNot")}</option>
            <option value="matches">{t("rules.op.matches")}</option>
          </select>
          <div className="min-w-40 flex-[2]">
            <label htmlFor={`${id}-value`} className="sr-only">
              {fieldLabel(c)}
            </label>
            <input
              id={`${id}-value`}
              value={c.value}
              maxLength={1000}
              aria-invalid={p.problem ? true : undefined}
              aria-describedby={p.problem ? `${id}-problem` : undefined}
              onChange={(e) => p.onChange({ ...c, value: e.target.value })}
              className={input}
            />
            {p.problem ? (
              <p id={`${id}-problem`} className="text-xs text-red-700 dark:text-red-300">
                {p.problem}
              </p>
            ) : null}
          </div>
        </>
      ) : null}
      {c.field === "size" ? (
        <>
          <select
            aria-label={t("rules.sizeHow")}
            value={c.over ? "over" : "under"}
            onChange={(e) => p.onChange({ ...c, over: e.target.value === "over" })}
            className={select}
          >
            <option value="over">{t("rules.size.over")}</option>
            <option value="under">{t("rules.size.under")}</option>
          </select>
          <label className="flex items-center gap-2 text-sm">
            <span className="sr-only">{t("rules.field.size")}</span>
            <input
              type="number"
              min={1}
              value={Math.max(1, Math.round(c.bytes / 1024))}
              onChange={(e) =>
                p.onChange({ ...c, bytes: Math.max(1, Number(e.target.value) || 1) * 1024 })
              }
              className={`${input} w-28`}
            />
            {t("rules.size.kb")}
          </label>
        </>
      ) : null}
      {c.field === "attachment" ? (
        <select
          aria-label={t("rules.field.attachment")}
          value={c.not ? "no" : "yes"}
          onChange={(e) => p.onChange({ ...c, not: e.target.value === "no" })}
          className={select}
        >
          <option value="yes">{t("rules.attachment.has")}</option>
          <option value="no">{t("rules.attachment.none")}</option>
        </select>
      ) : null}
      {p.onRemove ? (
        <button type="button" onClick={p.onRemove} className={secondaryButton}>
          {t("rules.removeCondition", { number: n })}
        </button>
      ) : null}
    </div>
  );
}
