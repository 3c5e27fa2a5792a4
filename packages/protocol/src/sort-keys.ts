/**
 * The keys a list may be ordered by (ZSortKey is their schema) and the default order, in a module
 * with no schema: the sign-in page reads the user's kept order (web/lib/first-window.ts) before
 * zod has loaded.
 */

/** What a list may be ordered by; see ZSortKey for what each means. */
export const SORT_KEYS = ["arrival", "date", "from", "subject", "size"] as const;

/** The order lists have when none is asked for: newest arrival first. */
export const DEFAULT_SORT: { key: (typeof SORT_KEYS)[number]; reverse: boolean } = {
  key: "arrival",
  reverse: true,
};
