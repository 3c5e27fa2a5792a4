/**
 * The message list's row height in each layout, and how many rows a screen of a given height
 * holds: the list lays its rows out with it, and the sign-in asks for that many rows in its answer
 * (ZSessionRequest `inbox.rows`).
 */
import { SIGN_IN_ROWS_MAX } from "@ferry/protocol";
import { PHONE_QUERY } from "../hooks/use-media-query";

/** One row of the message list, in CSS pixels: a phone's rows are taller (bigger touch targets). */
export function listRowHeight(isPhone: boolean): number {
  return isPhone ? 84 : 76;
}

/**
 * How many rows of the list a screen `height` pixels tall shows at most (the list pane is never
 * taller than the window), within what a sign-in request may name.
 */
export function rowsForHeight(height: number, isPhone: boolean): number {
  const rows = Math.ceil(height / listRowHeight(isPhone));
  return Math.min(SIGN_IN_ROWS_MAX, Math.max(1, Number.isFinite(rows) ? rows : 1));
}

/**
 * How many rows of the list this window shows at most, in the layout it is in now. On a phone
 * the screen's height counts too: a browser whose keyboard (open while the password is typed)
 * shrinks the window would otherwise ask for fewer rows than the list shows once it is closed.
 */
export function rowsOnScreen(): number {
  const phone = window.matchMedia(PHONE_QUERY).matches;
  const height = phone
    ? Math.max(window.innerHeight, window.screen.availHeight)
    : window.innerHeight;
  return rowsForHeight(height, phone);
}
