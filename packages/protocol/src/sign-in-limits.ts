/**
 * The sign-in request's limits that the page's own first code needs (web/lib/first-window.ts):
 * a module with no schema, so that importing them does not bring zod into the sign-in page's
 * first load.
 */

/** The most rows on screen a sign-in request may name (ZSessionRequest `inbox.rows`). */
export const SIGN_IN_ROWS_MAX = 100;
