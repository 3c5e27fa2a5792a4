"use client";
/**
 * "Snooze until…": a menu of wake times (later today, tomorrow morning, next week, each shown
 * with its time) and a dialog to pick a date and time, all in the user's own time zone. It hands
 * the chosen time to `onSnooze`; lib/snooze.ts does the rest.
 */
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { t } from "@/lib/i18n";
import { fromLocalInput, laterToday, nextWeek, toLocalInput, tomorrowMorning } from "@/lib/snooze";
import { Icon, type IconProps } from "./icons";
import { MenuButton, type MenuItem } from "./menu";

export const ClockIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 7v5l3 2" />
  </Icon>
);

function timeOf(d: Date, withDay: boolean): string {
  return new Intl.DateTimeFormat(undefined, {
    ...(withDay ? { weekday: "short" } : {}),
    hour: "numeric",
    minute: "2-digit",
  }).format(d);
}

/** The menu's choices for `now`. */
export function snoozeChoices(now: Date, onSnooze: (at: Date) => void, onPick: () => void) {
  const items: MenuItem[] = [];
  const later = laterToday(now);
  if (later) {
    items.push({
      label: t("snooze.laterToday", { time: timeOf(later, false) }),
      onSelect: () => onSnooze(later),
    });
  }
  const tomorrow = tomorrowMorning(now);
  items.push({
    label: t("snooze.tomorrow", { time: timeOf(tomorrow, true) }),
    onSelect: () => onSnooze(tomorrow),
  });
  const week = nextWeek(now);
  items.push({
    label: t("snooze.nextWeek", { time: timeOf(week, true) }),
    onSelect: () => onSnooze(week),
  });
  items.push({ label: t("snooze.pick"), onSelect: onPick });
  return items;
}

export function SnoozeButton({
  disabled,
  className,
  onSnooze,
}: {
  disabled: boolean;
  className: string;
  onSnooze(at: Date): void;
}) {
  const [picking, setPicking] = useState(false);
  return (
    <>
      <MenuButton
        label={t("snooze.menu")}
        disabled={disabled}
        className={className}
        items={() => snoozeChoices(new Date(), onSnooze, () => setPicking(true))}
      >
        <ClockIcon className="size-5" />
        <span className="sr-only lg:not-sr-only">{t("snooze.button")}</span>
      </MenuButton>
      {picking ? (
        <SnoozePicker
          onClose={() => setPicking(false)}
          onPick={(at) => {
            setPicking(false);
            onSnooze(at);
          }}
        />
      ) : null}
    </>
  );
}

function SnoozePicker({ onClose, onPick }: { onClose(): void; onPick(at: Date): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const inputId = useId();
  const [value, setValue] = useState(() => toLocalInput(tomorrowMorning(new Date())));
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
    onPick(at);
  };

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      className="m-auto w-full max-w-sm rounded-2xl bg-white p-0 text-zinc-900 shadow-2xl backdrop:bg-black/40 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <form onSubmit={submit} className="space-y-3 p-5" noValidate>
        <h2 id={titleId} className="text-lg font-semibold">
          {t("snooze.menu")}
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
            {t("snooze.submit")}
          </button>
        </div>
      </form>
    </dialog>
  );
}
