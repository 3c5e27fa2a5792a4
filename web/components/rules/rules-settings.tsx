"use client";
/**
 * The rules part of Settings (hidden when the bridge has rules off): "Filters", the list of
 * rules in the order they run (reordered by drag, or by "Move up" / "Move down" in each rule's
 * menu, for keyboards and phones), each with Edit and a menu; "New filter" opens the editor. A
 * script active on the server that is not Ferry's is shown read-only with the choice to keep it
 * or switch to Ferry's filters (the other stays stored as a copy). Then the vacation reply.
 */
import type { TRule } from "@ferry/protocol";
import { useId, useState } from "react";
import { t } from "@/lib/i18n";
import {
  chooseActiveScript,
  openFilterEditor,
  type RulesData,
  rulesFailure,
  saveRules,
  useRules,
  useRulesOffered,
} from "@/lib/rules";
import { MenuButton } from "../menu";
import { useNotConnected } from "../waiting-note";
import { VacationSection } from "./vacation-section";

const secondaryButton =
  "touch-target rounded-lg px-3 text-sm font-medium text-zinc-700 hover:bg-zinc-200/70 md:min-h-9 dark:text-zinc-200 dark:hover:bg-zinc-800";
const primaryButton =
  "touch-target rounded-lg bg-accent-600 px-4 text-sm font-semibold text-white hover:bg-accent-700 disabled:opacity-60 md:min-h-9";

/** What a rule does, in a few words, for the list. */
function summary(rule: TRule): string {
  if (rule.name) return rule.name;
  const c = rule.conditions[0];
  const what =
    c === undefined
      ? ""
      : "value" in c
        ? `${c.field === "header" ? c.name : t(`rules.field.${c.field}`)}: ${c.value}`
        : c.field === "size"
          ? t(c.over ? "rules.size.over" : "rules.size.under")
          : t(c.not ? "rules.attachment.none" : "rules.attachment.has");
  return what || t("rules.unnamed");
}

export function RulesSettings() {
  const offered = useRulesOffered();
  const enabled = offered === true;
  const rules = useRules(enabled);
  const notConnected = useNotConnected();
  // Not known offline or while connecting (the config is an HTTP request): the section stays,
  // saying filters show when connected, rather than vanishing as if this server had none.
  if (offered === false || (offered === null && !notConnected)) return null;
  if (rules.error && !rules.data) {
    return (
      <section className="space-y-2" aria-labelledby="filters-heading">
        <h3 id="filters-heading" className="font-semibold">
          {t("rules.filters")}
        </h3>
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {t("rules.loadFailed", { reason: rulesFailure(rules.error) })}
        </p>
        <button type="button" className={secondaryButton} onClick={() => void rules.refetch()}>
          {t("rules.retry")}
        </button>
      </section>
    );
  }
  if (!rules.data) {
    return (
      <p role="status" className="text-sm text-zinc-500">
        {notConnected === "offline"
          ? t("waiting.filtersOffline")
          : notConnected === "connecting"
            ? t("waiting.filters")
            : t("rules.loading")}
      </p>
    );
  }
  return (
    <>
      <FiltersSection data={rules.data} />
      <VacationSection data={rules.data} />
    </>
  );
}

function FiltersSection({ data }: { data: RulesData }) {
  const [status, setStatus] = useState<{ tone: "info" | "error"; text: string } | null>(null);
  const [dragging, setDragging] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  const store = async (rules: TRule[]) => {
    setBusy(true);
    setStatus(null);
    try {
      await saveRules(rules, data.vacation);
    } catch (err) {
      setStatus({ tone: "error", text: rulesFailure(err) });
    } finally {
      setBusy(false);
    }
  };
  const move = (from: number, to: number) => {
    if (to < 0 || to >= data.rules.length || from === to) return;
    const next = [...data.rules];
    const [r] = next.splice(from, 1);
    if (r) next.splice(to, 0, r);
    void store(next);
  };

  return (
    <section className="space-y-2" aria-labelledby="filters-heading">
      <h3 id="filters-heading" className="font-semibold">
        {t("rules.filters")}
      </h3>
      {data.foreign ? <ForeignScript data={data} /> : null}
      {data.unreadable ? (
        <p className="text-sm text-amber-800 dark:text-amber-200">{t("rules.unreadable")}</p>
      ) : null}
      {data.rules.length === 0 ? (
        <p className="text-sm text-zinc-500">{t("rules.none")}</p>
      ) : (
        <ol aria-label={t("rules.filters")} className="space-y-1">
          {data.rules.map((rule, i) => {
            const name = summary(rule);
            return (
              <li
                key={rule.id}
                draggable={!busy}
                aria-label={name}
                onDragStart={(e) => {
                  setDragging(i);
                  e.dataTransfer.effectAllowed = "move";
                  e.dataTransfer.setData("text/plain", rule.id);
                }}
                onDragOver={(e) => {
                  if (dragging !== null) e.preventDefault();
                }}
                onDrop={(e) => {
                  e.preventDefault();
                  if (dragging !== null) move(dragging, i);
                  setDragging(null);
                }}
                onDragEnd={() => setDragging(null)}
                className={`flex items-center gap-2 rounded-lg border border-zinc-200 px-2 py-1 dark:border-zinc-800 ${dragging === i ? "opacity-50" : ""}`}
              >
                <span aria-hidden="true" className="cursor-grab px-1 text-zinc-400">
                  ⋮⋮
                </span>
                <span className="min-w-0 flex-1 truncate text-sm">
                  {name}
                  {rule.enabled ? null : (
                    <span className="ml-2 text-xs text-zinc-500">{t("rules.disabled")}</span>
                  )}
                </span>
                <button
                  type="button"
                  className={secondaryButton}
                  aria-label={t("rules.editNamed", { name })}
                  onClick={() => openFilterEditor(rule, false)}
                >
                  {t("rules.edit")}
                </button>
                <MenuButton
                  label={t("rules.more", { name })}
                  className={secondaryButton}
                  disabled={busy}
                  items={() => [
                    {
                      label: t("rules.moveUp"),
                      disabled: i === 0,
                      onSelect: () => move(i, i - 1),
                    },
                    {
                      label: t("rules.moveDown"),
                      disabled: i === data.rules.length - 1,
                      onSelect: () => move(i, i + 1),
                    },
                    {
                      label: rule.enabled ? t("rules.turnOff") : t("rules.turnOn"),
                      onSelect: () =>
                        void store(
                          data.rules.map((r) =>
                            r.id === rule.id ? { ...r, enabled: !r.enabled } : r,
                          ),
                        ),
                    },
                    {
                      label: t("rules.delete"),
                      onSelect: () => void store(data.rules.filter((r) => r.id !== rule.id)),
                    },
                  ]}
                >
                  ⋯
                </MenuButton>
              </li>
            );
          })}
        </ol>
      )}
      <button type="button" className={primaryButton} onClick={() => openFilterEditor()}>
        {t("rules.new")}
      </button>
      {status ? (
        <p
          role={status.tone === "error" ? "alert" : "status"}
          className="text-sm text-red-700 dark:text-red-300"
        >
          {status.text}
        </p>
      ) : null}
    </section>
  );
}

function ForeignScript({ data }: { data: RulesData }) {
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const foreign = data.foreign;
  if (!foreign) return null;
  const choose = async (use: { kind: "ferry" } | { kind: "foreign"; name: string }) => {
    setBusy(true);
    setError(null);
    try {
      await chooseActiveScript(use, data);
    } catch (err) {
      setError(rulesFailure(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section
      aria-labelledby={`${id}-title`}
      className="space-y-2 rounded-xl border border-amber-200 bg-amber-50 p-3 text-sm dark:border-amber-900 dark:bg-amber-950"
    >
      <p id={`${id}-title`} className="font-medium">
        {t("rules.foreign.title", { name: foreign.name })}
      </p>
      <p>{t("rules.foreign.explain")}</p>
      <pre className="max-h-48 overflow-auto rounded-lg bg-white p-2 font-mono text-xs whitespace-pre-wrap dark:bg-zinc-900">
        {foreign.script}
        {foreign.truncated ? "\n…" : ""}
      </pre>
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          disabled={busy}
          className={secondaryButton}
          onClick={() => void choose({ kind: "foreign", name: foreign.name })}
        >
          {t("rules.foreign.keep")}
        </button>
        <button
          type="button"
          disabled={busy}
          className={primaryButton}
          onClick={() => void choose({ kind: "ferry" })}
        >
          {t("rules.foreign.switch")}
        </button>
      </div>
      {error ? (
        <p role="alert" className="text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
    </section>
  );
}
