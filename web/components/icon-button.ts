/** The classes of the mailbox screen's round icon buttons (header, list header, menus). */
export const iconButton =
  "touch-target inline-flex items-center justify-center rounded-full text-zinc-600 hover:bg-zinc-200/70 md:min-h-10 md:min-w-10 dark:text-zinc-300 dark:hover:bg-zinc-800";
