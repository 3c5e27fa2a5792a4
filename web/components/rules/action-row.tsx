"use client";
/**
 * One action of a rule in the filter editor ("Move to", "Copy to", mark read, star, a keyword,
 * "Forward to" with or without a kept copy, delete, stop), numbered, with its folder, keyword or
 * address and its problem.
 */
import type { TRuleAction } from "@ferry/protocol";
import { useId } from "react";
import { t } from "@/lib/i18n";
import { ACTION_TYPES, type ActionType, blankAction } from "@/lib/rules";
import { input, secondaryButton, select } from "./filter-form-classes";

export function ActionRow(p: {
  index: number;
  action: TRuleAction;
  folders: { path: string; label: string }[];
  problem: string | undefined;
  onChange(a: TRuleAction): void;
  onRemove: (() => void) | null;
}) {
  const id = useId();
  const a = p.action;
  const n = p.index + 1;
  const problem = p.problem ? (
    <p id={`${id}-problem`} className="text-xs text-red-700 dark:text-red-300">
      {p.problem}
    </p>
  ) : null;
  const describedBy = p.problem ? `${id}-problem` : undefined;
  return (
    <div className="flex flex-wrap items-start gap-2 rounded-xl border border-zinc-200 p-2 dark:border-zinc-800">
      <select
        aria-label={t("rules.actionType", { number: n })}
        value={a.type}
        onChange={(e) => p.onChange(blankAction(e.target.value as ActionType))}
        className={select}
      >
        {ACTION_TYPES.map((type) => (
          <option key={type} value={type}>
            {t(`rules.action.${type}`)}
          </option>
        ))}
      </select>
      {a.type === "move" || a.type === "copy" ? (
        <div>
          <label htmlFor={`${id}-folder`} className="sr-only">
            {a.type === "move" ? t("rules.moveTo") : t("rules.copyTo")}
          </label>
          <select
            id={`${id}-folder`}
            value={a.folder}
            aria-invalid={p.problem ? true : undefined}
            aria-describedby={describedBy}
            onChange={(e) => p.onChange({ ...a, folder: e.target.value })}
            className={select}
          >
            {a.folder === "" ? <option value="">{t("rules.chooseFolder")}</option> : null}
            {p.folders.map((f) => (
              <option key={f.path} value={f.path}>
                {f.label}
              </option>
            ))}
          </select>
          {problem}
        </div>
      ) : null}
      {a.type === "keyword" ? (
        <div className="min-w-40 flex-1">
          <label htmlFor={`${id}-keyword`} className="sr-only">
            {t("rules.keyword")}
          </label>
          <input
            id={`${id}-keyword`}
            value={a.keyword}
            maxLength={64}
            aria-invalid={p.problem ? true : undefined}
            aria-describedby={describedBy}
            onChange={(e) => p.onChange({ ...a, keyword: e.target.value })}
            className={input}
          />
          {problem}
        </div>
      ) : null}
      {a.type === "forward" ? (
        <div className="min-w-48 flex-1 space-y-1">
          <label htmlFor={`${id}-address`} className="sr-only">
            {t("rules.forwardTo")}
          </label>
          <input
            id={`${id}-address`}
            type="email"
            value={a.address}
            aria-invalid={p.problem ? true : undefined}
            aria-describedby={describedBy}
            onChange={(e) => p.onChange({ ...a, address: e.target.value })}
            className={input}
          />
          {problem}
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={a.keepCopy}
              onChange={(e) => p.onChange({ ...a, keepCopy: e.target.checked })}
            />
            {t("rules.keepCopy")}
          </label>
        </div>
      ) : null}
      {p.onRemove ? (
        <button type="button" onClick={p.onRemove} className={secondaryButton}>
          {t("rules.removeAction", { number: n })}
        </button>
      ) : null}
    </div>
  );
}
