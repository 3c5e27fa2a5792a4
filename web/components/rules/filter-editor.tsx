"use client";
/**
 * The filter editor, a modal dialog: a rule's name, whether all or any conditions must hold, its
 * conditions (each value labelled by its header: "From", "To", "Subject", "List-Id", a named
 * header, the size, an attachment) and its actions ("Move to", "Copy to", mark read, star, a
 * keyword, "Forward to", delete, stop). "Save" checks the form first (an invalid forward address
 * is refused before anything is sent), then saves the whole set of rules; a refusal shows the
 * server's reason. After a new rule is saved it offers "Apply to existing mail" with the number of
 * Inbox messages it matches.
 */
import type { TRule, TRuleAction, TRuleCondition } from "@ferry/protocol";
import { type FormEvent, useId, useRef, useState } from "react";
import { folderLabel, sortFolders, useMailboxes } from "@/hooks/use-mailboxes";
import { t } from "@/lib/i18n";
import { queryClient } from "@/lib/mail-client";
import {
  ACTION_TYPES,
  type ActionType,
  applyToMatches,
  blankAction,
  blankCondition,
  CONDITION_FIELDS,
  type ConditionField,
  cleanRule,
  closeFilterEditor,
  type EditorState,
  fetchRules,
  findMatches,
  type RuleProblems,
  ruleProblems,
  rulesFailure,
  rulesKeys,
  saveRules,
} from "@/lib/rules";
import { showToast } from "@/lib/toasts";
import { ModalDialog } from "../modal-dialog";

const input =
  "w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm aria-invalid:border-red-600 dark:border-zinc-700 dark:bg-zinc-900";
const select =
  "rounded-lg border border-zinc-300 bg-white px-2 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900";
const secondaryButton =
  "touch-target rounded-lg px-3 text-sm font-medium text-zinc-700 hover:bg-zinc-200/70 md:min-h-9 dark:text-zinc-200 dark:hover:bg-zinc-800";
const primaryButton =
  "touch-target rounded-lg bg-accent-600 px-4 text-sm font-semibold text-white hover:bg-accent-700 disabled:opacity-60 md:min-h-9";

/** The label of a condition's value: its header. */
function fieldLabel(c: TRuleCondition): string {
  if (c.field === "header") return c.name.trim() || t("rules.field.headerValue");
  return t(`rules.field.${c.field}`);
}

interface Matches {
  rule: TRule;
  uids: number[];
}

export function FilterEditor({ state }: { state: EditorState }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [rule, setRule] = useState<TRule>(state.rule);
  const [problems, setProblems] = useState<RuleProblems>({});
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [matches, setMatches] = useState<Matches | null>(null);
  const mailboxes = useMailboxes();
  const folders = sortFolders(mailboxes.data ?? []).filter((f) => f.mailbox.selectable);

  const setCondition = (i: number, c: TRuleCondition) =>
    setRule((r) => ({ ...r, conditions: r.conditions.map((x, j) => (j === i ? c : x)) }));
  const setAction = (i: number, a: TRuleAction) =>
    setRule((r) => ({ ...r, actions: r.actions.map((x, j) => (j === i ? a : x)) }));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const cleaned = cleanRule(rule);
    const found = ruleProblems(cleaned);
    setProblems(found);
    setError(null);
    if (Object.keys(found).length > 0) {
      setError(t("rules.fix"));
      return;
    }
    setSaving(true);
    try {
      const current =
        queryClient.getQueryData<Awaited<ReturnType<typeof fetchRules>>>(rulesKeys.rules) ??
        (await fetchRules());
      const exists = current.rules.some((r) => r.id === cleaned.id);
      const rules = exists
        ? current.rules.map((r) => (r.id === cleaned.id ? cleaned : r))
        : [...current.rules, cleaned];
      await saveRules(rules, current.vacation);
      if (!state.isNew) {
        showToast({ text: t("rules.saved") });
        closeFilterEditor();
        return;
      }
      const found = await findMatches(cleaned).catch(() => null);
      if (found && found.uids.length > 0) {
        setMatches({ rule: cleaned, uids: found.uids });
      } else {
        showToast({ text: t("rules.saved") });
        closeFilterEditor();
      }
    } catch (err) {
      setError(rulesFailure(err));
    } finally {
      setSaving(false);
    }
  };

  const apply = async () => {
    if (!matches) return;
    setSaving(true);
    try {
      const n = await applyToMatches(matches.rule, matches.uids);
      showToast({ text: t("rules.applied", { count: n }) });
      closeFilterEditor();
    } catch (err) {
      setError(rulesFailure(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <ModalDialog
      title={state.isNew ? t("rules.newTitle") : t("rules.editTitle")}
      onClose={closeFilterEditor}
      width="max-w-2xl"
      dialogRef={ref}
      titleId={titleId}
    >
      {matches ? (
        <section className="space-y-4 px-5 py-4" aria-label={t("rules.applyTitle")}>
          <h3 className="font-semibold">{t("rules.applyTitle")}</h3>
          <p className="text-sm">{t("rules.applyCount", { count: matches.uids.length })}</p>
          <div className="flex flex-wrap gap-2">
            <button
              type="button"
              disabled={saving}
              onClick={() => void apply()}
              className={primaryButton}
            >
              {t("rules.applyNow", { count: matches.uids.length })}
            </button>
            <button type="button" onClick={() => ref.current?.close()} className={secondaryButton}>
              {t("rules.applyNotNow")}
            </button>
          </div>
          {error ? (
            <p role="alert" className="text-sm text-red-700 dark:text-red-300">
              {error}
            </p>
          ) : null}
        </section>
      ) : (
        <form onSubmit={save} noValidate className="space-y-4 px-5 py-4">
          <div>
            <label htmlFor={`${titleId}-name`} className="text-sm">
              {t("rules.name")}
            </label>
            <input
              id={`${titleId}-name`}
              value={rule.name}
              maxLength={200}
              onChange={(e) => setRule((r) => ({ ...r, name: e.target.value }))}
              className={input}
            />
          </div>
          <fieldset className="space-y-2">
            <legend className="font-semibold">{t("rules.conditions")}</legend>
            <label className="flex items-center gap-2 text-sm">
              {t("rules.matchLabel")}
              <select
                value={rule.match}
                onChange={(e) =>
                  setRule((r) => ({ ...r, match: e.target.value === "any" ? "any" : "all" }))
                }
                className={select}
              >
                <option value="all">{t("rules.match.all")}</option>
                <option value="any">{t("rules.match.any")}</option>
              </select>
            </label>
            {rule.conditions.map((c, i) => (
              <ConditionRow
                key={i}
                index={i}
                condition={c}
                problem={problems[`c${i}`]}
                nameProblem={problems[`c${i}name`]}
                onChange={(next) => setCondition(i, next)}
                onRemove={
                  rule.conditions.length > 1
                    ? () =>
                        setRule((r) => ({
                          ...r,
                          conditions: r.conditions.filter((_, j) => j !== i),
                        }))
                    : null
                }
              />
            ))}
            <button
              type="button"
              className={secondaryButton}
              onClick={() =>
                setRule((r) => ({ ...r, conditions: [...r.conditions, blankCondition("subject")] }))
              }
            >
              {t("rules.addCondition")}
            </button>
          </fieldset>
          <fieldset className="space-y-2">
            <legend className="font-semibold">{t("rules.actions")}</legend>
            {rule.actions.map((a, i) => (
              <ActionRow
                key={i}
                index={i}
                action={a}
                folders={folders.map((f) => ({
                  path: f.mailbox.path,
                  label: folderLabel(f.mailbox),
                }))}
                problem={problems[`a${i}`]}
                onChange={(next) => setAction(i, next)}
                onRemove={
                  rule.actions.length > 1
                    ? () => setRule((r) => ({ ...r, actions: r.actions.filter((_, j) => j !== i) }))
                    : null
                }
              />
            ))}
            <button
              type="button"
              className={secondaryButton}
              onClick={() =>
                setRule((r) => ({ ...r, actions: [...r.actions, blankAction("mark-read")] }))
              }
            >
              {t("rules.addAction")}
            </button>
          </fieldset>
          {error ? (
            <p role="alert" className="text-sm text-red-700 dark:text-red-300">
              {error}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <button type="button" onClick={() => ref.current?.close()} className={secondaryButton}>
              {t("rules.cancel")}
            </button>
            <button type="submit" disabled={saving} className={primaryButton}>
              {t("rules.save")}
            </button>
          </div>
        </form>
      )}
    </ModalDialog>
  );
}

function ConditionRow(p: {
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

function ActionRow(p: {
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
