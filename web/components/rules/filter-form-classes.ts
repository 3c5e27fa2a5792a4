/** The class names of the filter editor's inputs, selects and buttons (its rows share them). */
export const input =
  "w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm aria-invalid:border-red-600 dark:border-zinc-700 dark:bg-zinc-900";
export const select =
  "rounded-lg border border-zinc-300 bg-white px-2 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900";
export const secondaryButton =
  "touch-target rounded-lg px-3 text-sm font-medium text-zinc-700 hover:bg-zinc-200/70 md:min-h-9 dark:text-zinc-200 dark:hover:bg-zinc-800";
export const primaryButton =
  "touch-target rounded-lg bg-accent-600 px-4 text-sm font-semibold text-white hover:bg-accent-700 disabled:opacity-60 md:min-h-9";
