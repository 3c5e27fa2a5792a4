/**
 * Which rows of a list to fetch ahead of an open nobody hovered (the keyboard's `o`/`j`, a tap
 * on a phone): the rows the keyboard cursor and the open message can reach next, nearest
 * first, then the top of the list (openPrefetchOrder), and the fetching of them one at a time
 * (fetchAhead); hooks/use-open-prefetch.ts puts the two together for a list.
 */

/** Rows at the top of a list that are fetched ahead once the page is idle. */
export const TOP_ROWS = 3;

/**
 * How long the cursor stays on a row before the rows around it are fetched ahead: a burst of
 * j/k sends nothing that the open at its end would wait behind on the bridge's connection.
 */
export const SETTLE_MS = 250;

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

/** Runs `fn` when the page is next idle; returns the cancel (lib/idle.ts whenIdle). */
export type WhenIdle = (fn: () => void) => () => void;

/**
 * A fetcher ahead that has one fetch in flight at a time, whoever asked for it. `follow` starts a
 * plan (replacing the previous one: the cursor moved) that fetches, each when the page is idle
 * and only once the fetch before has settled, the first of `items` still `wanted`, until none is.
 * So a message the user opens next is asked for behind at most one fetch ahead, not behind one
 * per cursor move, on the bridge's one connection.
 */
export function fetchAhead(whenIdle: WhenIdle) {
  let inFlight: Promise<void> | null = null;
  let plan = 0;
  return function follow<T>(
    items: readonly T[],
    wanted: (item: T) => boolean,
    fetch: (item: T) => Promise<unknown>,
  ): () => void {
    const mine = ++plan;
    let cancelIdle = () => {};
    const step = (): void => {
      if (plan !== mine) return;
      if (inFlight) {
        void inFlight.then(step);
        return;
      }
      const item = items.find(wanted);
      if (item === undefined) return;
      cancelIdle = whenIdle(() => {
        if (plan !== mine) return;
        if (inFlight || !wanted(item)) {
          step();
          return;
        }
        const settled = fetch(item).then(
          () => undefined,
          () => undefined,
        );
        inFlight = settled;
        void settled.then(() => {
          if (inFlight === settled) inFlight = null;
          step();
        });
      });
    };
    step();
    return () => {
      if (plan === mine) plan++;
      cancelIdle();
    };
  };
}
