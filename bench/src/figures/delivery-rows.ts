/**
 * The rows of a delivery figure (2 push, 9 counts, 12's row moved): p50 and p95 of the bridge's
 * and the browser's times against the bare client's IDLE floor of the same deliveries, with the
 * push budgets, and an error row when the browser saw none of them.
 */
import { BUDGETS, errorRow, type Row, row } from "../report";
import { summarize } from "../stats";

export interface DeliveryRows {
  figure: string;
  size?: number | null;
  /** Row ids (the stat is appended); the browser's is also the error row's. */
  ids: { bridge: string; browser: string };
  labels: { bridge: string; browser: string; browserError: string };
  floor: number[];
  bridge: number[];
  browser: number[];
  /** Why the browser saw nothing (its error row's message). */
  browserError: unknown;
  /** A note on the bridge's p50 row. */
  bridgeNote?: string | null;
}

export function pushRows(d: DeliveryRows): Row[] {
  const rows: Row[] = [];
  const common = { figure: d.figure, size: d.size ?? null, unit: "ms" as const };
  for (const [stat, p, budget] of [
    ["p50", 50, BUDGETS.pushP50],
    ["p95", 95, BUDGETS.pushP95],
  ] as const) {
    const floor = summarize(d.floor, p);
    rows.push(
      row({
        ...common,
        id: `${d.ids.bridge}.${stat}`,
        label: d.labels.bridge,
        side: "bridge",
        stat,
        value: summarize(d.bridge, p),
        floor,
        budget,
        samples: d.bridge,
        floorSamples: d.floor,
        note: stat === "p50" ? (d.bridgeNote ?? null) : null,
      }),
    );
    if (d.browser.length > 0) {
      rows.push(
        row({
          ...common,
          id: `${d.ids.browser}.${stat}`,
          label: d.labels.browser,
          side: "browser",
          stat,
          value: summarize(d.browser, p),
          floor,
          budget,
          samples: d.browser,
          floorSamples: d.floor,
        }),
      );
    }
  }
  if (d.browser.length === 0) {
    rows.push(errorRow(d.ids.browser, d.figure, d.labels.browserError, d.browserError));
  }
  return rows;
}
