/**
 * A/B probe for figure 1's warm reload (a tool for work on it, not a benchmark row): two builds
 * of the web app, each served by its own bridge on one mail server, each signed in in its own
 * context of one Chromium, reloaded in strict alternation, so load from elsewhere on the machine
 * falls on both alike. Each reload is measured as figure 1 measures it (navigation start → the
 * first frame painting the cached rows, browser/shown-rows.ts), with the navigation's own marks
 * beside it to show where the time goes.
 *
 *   cd bench && node --import tsx src/warm-ab.ts <webDirA> <webDirB> [reloads] [size]
 *
 * (a web dir is a copy of web/out; the same dir twice measures the noise). Beside A and B it
 * reloads browser-floor.ts's pages (WARM_AB_FLOORS=sw,sw+snapshot; default sw), so the browser's
 * own share is measured in the same turns. The second build's page measured slower than the
 * first in runs of one build against itself: compare two builds in both orders.
 * - WARM_AB_TRACE=DIR: a Chromium trace of one more reload of each build (WARM_AB_CATEGORIES);
 * - WARM_AB_A_BEFORE / WARM_AB_B_BEFORE=<script>: run in that page before each of its reloads
 *   (an experiment on the old page or on what it left in storage);
 * - WARM_AB_IDLE=1: wait for two idle callbacks in the old page before each reload;
 * - START=tab / offline: time a new tab opened on each page (offline: the context offline) instead
 *   of a reload, as figure 1's warm start and offline cold start;
 * - WARM_AB_NODES=1: print each page's element count and JS heap after its reload;
 * - WARM_AB_NOLIVE=1: do not wait for the live list between reloads (a build without the app).
 */
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { runTool, startAbStack } from "./ab-stack";
import { coldContext, signInThroughForm, stamp } from "./browser/browser";
import { SHOWN_ROWS_SCRIPT, shownRows } from "./browser/shown-rows";
import {
  floorPage,
  quantile,
  reloadFloor,
  startFloorServer,
  startKind,
  type Variant,
} from "./browser-floor";
import { waitForPersistedList } from "./figures/sign-in";
import { controlled, serviceWorkerActivated } from "./figures/sw-start";

/** Navigation marks of the reloaded document (ms from its navigation start). */
const MARKS = `(() => {
  const n = performance.getEntriesByType("navigation")[0];
  return { response: n.responseStart, unload: n.unloadEventStart, init: window.__initAt,
    interactive: n.domInteractive };
})()`;

/** Marks of one reload, ms from its navigation start (see MARKS and INIT). */
interface Sample {
  shown: number;
  /** The response's first byte (the worker's static route). */
  response: number;
  /** The old page's unload event: the renderer has begun the commit. */
  unload: number;
  /** The new document's script context created: the old page is gone. */
  init: number;
  interactive: number;
}

/** Stamps when the document's script context is made (init scripts run then, before the page's). */
export const INIT = "window.__initAt = performance.now();";

async function signedInPage(
  context: BrowserContext,
  user: { email: string; password: string },
): Promise<Page> {
  const page = await context.newPage();
  await page.goto("/");
  await signInThroughForm(page, user);
  await stamp(page, "load.rows");
  await waitForPersistedList(page);
  await serviceWorkerActivated(page);
  await context.addInitScript({ content: SHOWN_ROWS_SCRIPT });
  await context.addInitScript({ content: INIT });
  await page.reload(); // warm-up, and the first reload controlled by the worker
  await shownRows(page);
  await controlled(page);
  return page;
}

async function reloadOnce(page: Page, before?: string): Promise<Sample> {
  if (before) await page.evaluate(before); // experiment: WARM_AB_A_BEFORE / _B_BEFORE, run in that page first
  if (process.env.WARM_AB_IDLE) {
    // experiment: the old page idle before the reload (two idle callbacks, no timeout)
    await page.evaluate("new Promise((r) => requestIdleCallback(() => requestIdleCallback(r)))");
  }
  const start = startKind();
  if (start !== "reload") return newTab(page, start === "offline");
  await page.reload();
  const shown = await shownRows(page);
  const marks = (await page.evaluate(MARKS)) as Omit<Sample, "shown">;
  if (!process.env.WARM_AB_NOLIVE) await stamp(page, "load.rows"); // let the live list settle before the next reload
  if (process.env.WARM_AB_NODES)
    console.log(
      "elements, JS heap",
      await page.evaluate(
        '[document.getElementsByTagName("*").length, performance.memory.usedJSHeapSize]',
      ),
    );
  return { shown, ...marks };
}

const median = (xs: number[]) => quantile(xs, 0.5);

/** A new tab of `page`'s context opened on the app, as sw-start.ts's warm and offline starts. */
async function newTab(page: Page, offline: boolean): Promise<Sample> {
  const context = page.context();
  if (offline) await context.setOffline(true);
  const tab = await context.newPage();
  try {
    await tab.goto("/");
    const shown = await shownRows(tab);
    const marks = (await tab.evaluate(MARKS)) as Omit<Sample, "shown">;
    await controlled(tab);
    return { shown, ...marks };
  } finally {
    await tab.close();
    await context.setOffline(false);
  }
}

async function main(): Promise<void> {
  const [dirA, dirB, reloadsText, sizeText] = process.argv.slice(2);
  if (!dirA || !dirB) throw new Error("usage: warm-ab.ts <webDirA> <webDirB> [reloads] [size]");
  const reloads = Number(reloadsText ?? 15);
  const size = Number(sizeText ?? 1000);
  const { user, bridges, browser } = await startAbStack([dirA, dirB], size);
  const pages: Page[] = [];
  for (const bridge of bridges) {
    pages.push(await signedInPage(await coldContext(browser, bridge.url), user));
  }
  const floorServer = await startFloorServer();
  const floorNames = (process.env.WARM_AB_FLOORS ?? "sw").split(",") as Variant[];
  const floors: Page[] = [];
  for (const v of floorNames) floors.push(await floorPage(browser, floorServer.base, v));
  const samples: Sample[][] = [[], [], ...floors.map(() => [])];
  for (let i = 0; i < reloads; i++) {
    // alternate which goes first, so neither always follows the other
    const order = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const k of order) {
      const before = k === 1 ? process.env.WARM_AB_B_BEFORE : process.env.WARM_AB_A_BEFORE;
      samples[k]?.push(await reloadOnce(pages[k] as Page, before));
    }
    for (const [k, floor] of floors.entries()) samples[2 + k]?.push(await reloadFloor(floor));
  }
  floorServer.server.close();
  const traceDir = process.env.WARM_AB_TRACE;
  if (traceDir) {
    for (const [k, page] of pages.entries()) {
      await browser.startTracing(page, {
        path: join(traceDir, `warm-${k ? "B" : "A"}.trace.json`),
        categories: (
          process.env.WARM_AB_CATEGORIES ??
          "devtools.timeline,blink.user_timing,loading,navigation,toplevel,v8.execute,blink,disabled-by-default-devtools.timeline"
        ).split(","),
      });
      await reloadOnce(page);
      await browser.stopTracing();
    }
  }
  const f = (x: number) => x.toFixed(1).padStart(6);
  console.log(`warm ${startKind()} → cached rows painted, ${reloads} each, size ${size}; medians`);
  console.log("build  shown (min–max)           p25     response  unload    init   interactive");
  ["A", "B", ...floorNames].forEach((name, k) => {
    const s = samples[k] ?? [];
    const shown = s.map((x) => x.shown);
    console.log(
      `${name.padEnd(13)} ${f(median(shown))} (${Math.min(...shown).toFixed(1)}–${Math.max(...shown).toFixed(1)})`.padEnd(
        34,
      ) +
        `${f(quantile(shown, 0.25))}  ${f(median(s.map((x) => x.response)))}  ${f(median(s.map((x) => x.unload)))}  ${f(median(s.map((x) => x.init)))}  ${f(median(s.map((x) => x.interactive)))}`,
    );
  });
  console.log(`A: ${dirA}\nB: ${dirB}\nthe others: browser-floor.ts's pages of those names`);
}

runTool(main);
