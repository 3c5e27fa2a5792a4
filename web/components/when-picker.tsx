"use client";
/**
 * A dialog to pick a date and time in the user's own time zone (the browser's), for "Snooze
 * until…" and "Send later". It refuses a time that is not in the future and hands the chosen
 * one to `onPick`.
 */
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { t } from "@/lib/i18n";
import { fromLocalInput, toLocalInput } from "@/lib/snooze";

export function WhenPicker(p: {
  title: string;
  submitLabel: string;
  initial: Date;
  onClose(): void;
  onPick(at: Date): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const inputId = useId();
  const [value, setValue] = useState(() => toLocalInput(p.initial));
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const at = fromLocalInput(value);
    if (!at || at.getTime() <= Date.now()) {
      setProblem(t("snooze.inPast"));
      return;
    }
    p.onPick(at);
  };

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={p.onClose}
      className="m-auto w-full max-w-sm rounded-2xl bg-white p-0 text-zinc-900 shadow-2xl backdrop:bg-black/40 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <form onSubmit={submit} className="space-y-3 p-5" noValidate>
        <h2 id={titleId} className="text-lg font-semibold">
          {p.title}
        </h2>
        <label htmlFor={inputId} className="block text-sm">
          {t("snooze.when")}
        </label>
        <input
          id={inputId}
          type="datetime-local"
          value={value}
          min={toLocalInput(new Date())}
          aria-invalid={problem ? true : undefined}
          onChange={(e) => {
            setValue(e.target.value);
            setProblem(null);
          }}
          className="w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
        />
        {problem ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">
            {problem}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <button
            type="button"
            onClick={() => ref.current?.close()}
            className="touch-target rounded-lg px-3 text-sm font-medium hover:bg-zinc-200/70 md:min-h-9 dark:hover:bg-zinc-800"
          >
            {t("snooze.cancel")}
          </button>
          <button
            type="submit"
            className="touch-target rounded-lg bg-accent-600 px-4 text-sm font-semibold text-white hover:bg-accent-700 md:min-h-9"
          >
            {p.submitLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
