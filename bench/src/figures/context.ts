/** What every figure gets: the configuration, the seeded mail server, the bridge, the browser. */
import type { Browser } from "playwright-core";
import type { BenchConfig } from "../config";
import { withTimeout } from "../progress";
import type { Row } from "../report";
import type { BridgeProcess } from "../stack/bridge";
import type { BenchMail } from "../stack/mail";

export interface FigureContext {
  config: BenchConfig;
  mail: BenchMail;
  /** The bridge of figures 1–4 (figure 5 starts its own, for clean RSS figures). */
  bridge: BridgeProcess;
  /** Null when the web app is not built (browser rows are then reported as errors). */
  browser: Browser | null;
}

export type Figure = (ctx: FigureContext) => Promise<Row[]>;

/** Milliseconds → seconds, for progress lines. */
export function fmtMs(ms: number): string {
  return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

/**
 * When the floor and the bridge saw one event (nowMs() scale), NaN for either that did not
 * within `ms`: a miss is counted by the figure, not fatal.
 */
export function arrivalTimes(
  floorSeen: Promise<number>,
  bridgeSeen: Promise<{ at: number }>,
  ms: number,
): Promise<[number, number]> {
  return Promise.all([
    withTimeout(floorSeen, ms, "exists").catch(() => Number.NaN),
    bridgeSeen.then(
      (a) => a.at,
      () => Number.NaN,
    ),
  ]);
}
