"use client";
/**
 * The list's order: a native select of the orders the server allows (every one where it can
 * SORT, date received only where it cannot, with a note saying so). Results from several
 * folders come by date received only. The row's free end holds what the list pane puts there.
 */
import type { TListSort } from "@ferry/protocol";
import type { ReactNode } from "react";
import { type MessageKey, t } from "@/lib/i18n";
import { needsSort, parseSortId, SORT_CHOICES } from "@/lib/list-sort";

function choiceId(sort: TListSort): string {
  return `${sort.key}.${sort.reverse ? "desc" : "asc"}`;
}

export function SortMenu(props: {
  value: TListSort;
  /** The server can SORT (false: only date received is offered). */
  canSort: boolean;
  /** The list holds results from several folders: its order cannot change. */
  allFolders: boolean;
  onChange(sort: TListSort): void;
  /** Shown at the row's end, in the room the select leaves (the first connection's pill). */
  aside?: ReactNode;
}) {
  const { value, canSort, allFolders, onChange, aside } = props;
  const choices = SORT_CHOICES.filter((c) => (canSort && !allFolders) || !needsSort(c.key));
  const note = allFolders ? t("sort.allFolders") : canSort ? null : t("sort.unavailable");
  return (
    <div className="flex min-w-0 items-center gap-2 px-3 pb-2">
      <select
        aria-label={t("sort.label")}
        value={choiceId(value)}
        disabled={allFolders}
        onChange={(e) => {
          const next = parseSortId(e.target.value);
          if (next) onChange(next);
        }}
        className="h-8 min-w-0 rounded-md border border-zinc-300 bg-white px-2 text-sm text-zinc-800 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
      >
        {choices.map((c) => (
          <option key={choiceId(c)} value={choiceId(c)}>
            {t(`sort.${choiceId(c)}` as MessageKey)}
          </option>
        ))}
      </select>
      {note ? <p className="min-w-0 flex-1 text-xs text-zinc-500">{note}</p> : null}
      {aside ? <div className="ml-auto flex shrink-0">{aside}</div> : null}
    </div>
  );
}
