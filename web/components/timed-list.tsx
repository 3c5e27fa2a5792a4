"use client";
/**
 * A list of things waiting for a time: the Snoozed view (messages and when they come back) and
 * the Scheduled view (messages and when they go). Each entry shows who, the subject, its time
 * and a note (why it has not happened yet), with its actions as buttons; a problem from the last
 * action shows above the list, a sentence shows when it is empty, and another (`waiting`) while
 * nothing is known yet, so the view is never a blank pane while Ferry connects.
 */
import type { ReactNode } from "react";

export interface TimedAction {
  label: string;
  /** Accessible name when the label alone would be ambiguous. */
  ariaLabel?: string;
  disabled?: boolean;
  onClick(): void;
}

export interface TimedEntry {
  key: string;
  who: string;
  subject: string;
  /** When it happens, as the user reads it. */
  time: string;
  note?: ReactNode;
  actions: TimedAction[];
}

const actionButton =
  "touch-target shrink-0 rounded-lg px-3 text-sm font-medium text-zinc-700 hover:bg-zinc-200/70 disabled:opacity-50 md:min-h-9 dark:text-zinc-200 dark:hover:bg-zinc-800";

export function TimedList(p: {
  label: string;
  /** Shown once loaded when there are no entries. */
  empty: string;
  loaded: boolean;
  problem: string | null;
  entries: TimedEntry[];
  /** Above the list (a heading, on a screen of its own). */
  header?: ReactNode;
  /** Shown while not loaded (and nothing kept): what the view is waiting for. */
  waiting?: ReactNode;
}) {
  return (
    <section aria-label={p.label} className="flex min-h-0 flex-1 flex-col">
      {p.header}
      <div className="min-h-0 flex-1 overflow-y-auto">
        {p.problem ? (
          <p role="alert" className="px-4 py-2 text-sm text-red-700 dark:text-red-300">
            {p.problem}
          </p>
        ) : null}
        {!p.loaded && !p.problem ? p.waiting : null}
        {p.loaded && p.entries.length === 0 ? (
          <p className="px-4 py-6 text-sm text-zinc-500">{p.empty}</p>
        ) : null}
        <ul className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {p.entries.map((e) => (
            <li key={e.key} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-3">
              <div className="min-w-0 flex-1 basis-48">
                <p className="truncate text-sm font-medium">{e.who}</p>
                <p className="truncate text-sm">{e.subject}</p>
                <p className="text-xs text-accent-700 dark:text-accent-300">{e.time}</p>
                {e.note ? (
                  <p className="text-xs text-amber-700 dark:text-amber-300">{e.note}</p>
                ) : null}
              </div>
              <div className="flex shrink-0 flex-wrap gap-1">
                {e.actions.map((a) => (
                  <button
                    key={a.label}
                    type="button"
                    aria-label={a.ariaLabel}
                    disabled={a.disabled}
                    onClick={a.onClick}
                    className={actionButton}
                  >
                    {a.label}
                  </button>
                ))}
              </div>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
