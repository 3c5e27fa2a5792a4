/**
 * Which rows of a list to fetch ahead of an open nobody hovered (the keyboard's `o`/`j`, a tap
 * on a phone): the rows the keyboard cursor and the open message can reach next, nearest
 * first, then the top of the list. Positions only; hooks/use-open-prefetch.ts fetches them.
 */

/** Rows at the top of a list that are fetched ahead once the page is idle. */
export const TOP_ROWS = 3;

/**
 * Positions to prefetch, in the order to fetch them, within [0, total): the cursor's row and
 * the next, the open message's neighbours, the row above the cursor and the one after next,
 * then the top rows. Without a cursor or open message, only the top rows.
 */
export function openPrefetchOrder(
  total: number,
  cursor: number | null,
  open: number | null,
): number[] {
  const wanted: number[] = [];
  if (cursor !== null) wanted.push(cursor, cursor + 1);
  if (open !== null) wanted.push(open + 1, open - 1);
  if (cursor !== null) wanted.push(cursor - 1, cursor + 2);
  for (let i = 0; i < TOP_ROWS; i++) wanted.push(i);
  const seen = new Set<number>();
  const order: number[] = [];
  for (const i of wanted) {
    if (i < 0 || i >= total || seen.has(i)) continue;
    seen.add(i);
    order.push(i);
  }
  return order;
}
