"use client";
/**
 * The filter editor, a modal dialog: a rule's name, whether all or any conditions must hold, its
 * conditions (each value labelled by its header: "From", "To", "Subject", "List-Id", a named
 * header, the size, an attachment) and its actions ("Move to", "Copy to", mark read, star, a
 * keyword, "Forward to", delete, stop). "Save" checks the form first (an invalid forward address
 * is refused before anything is sent), then saves the whole set of rules; a refusal shows the
 * server's reason. After a new rule is saved it offers "Apply to existing mail" with the number of
 * Inbox messages it matches. A condition's row is condition-row.tsx's, an action's
 * action-row.tsx's.
 */
import type { TRule, TRuleAction, TRuleCondition } from "@ferry/protocol";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { folderLabel, sortFolders, useMailboxes } from "@/hooks/use-mailboxes";
import { t } from "@/lib/i18n";
import { queryClient } from "@/lib/mail-client";
import {
  applyToMatches,
  blankAction,
  blankCondition,
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
import { ActionRow } from "./action-row";
import { ConditionRow } from "./condition-row";
import { input, primaryButton, secondaryButton, select } from "./filter-form-classes";

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
  // A condition or action just added with its button: the focus moves to the new row's first
  // control, not left on the button below a row the user was not told about.
  const [added, setAdded] = useState<"condition" | "action" | null>(null);
  const conditionsRef = useRef<HTMLFieldSetElement>(null);
  const actionsRef = useRef<HTMLFieldSetElement>(null);
  useEffect(() => {
    if (added === null) return;
    const rows = (added === "condition" ? conditionsRef : actionsRef).current?.querySelectorAll(
      ":scope > div",
    );
    rows?.[rows.length - 1]?.querySelector<HTMLElement>("select, input")?.focus();
    setAdded(null);
  }, [added]);
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
          <fieldset ref={conditionsRef} className="space-y-2">
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
              onClick={() => {
                setRule((r) => ({
                  ...r,
                  conditions: [...r.conditions, blankCondition("subject")],
                }));
                setAdded("condition");
              }}
            >
              {t("rules.addCondition")}
            </button>
          </fieldset>
          <fieldset ref={actionsRef} className="space-y-2">
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
              onClick={() => {
                setRule((r) => ({ ...r, actions: [...r.actions, blankAction("mark-read")] }));
                setAdded("action");
              }}
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
