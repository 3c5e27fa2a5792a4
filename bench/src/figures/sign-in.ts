/**
 * Figure 1: sign-in → the first rows of INBOX, per mailbox size.
 *
 * - bridge side: POST /api/session (IMAP login) → socket `hello` → `list.window` of the newest
 *   rows, as a protocol client asking what the web app asks (LIST_WINDOW_SIZE = 100 rows, which
 *   the bridge starts fetching at sign-in);
 * - browser, cold: a new context (no cookie, no IndexedDB) on the sign-in page, left to settle
 *   as it would while a person types (settleSignInPage); from the click on "Sign in" to the
 *   first frame in which every option in the list's viewport is a loaded row;
 * - browser, warm: reload of that page (session cookie, IndexedDB cache and the mailbox's
 *   snapshot kept) once the app's service worker is active, so the reload is answered by the
 *   worker as a returning user's is (checked: the reloaded page is controlled); from the
 *   navigation start to the first frame painting the cached rows (every option in the list's
 *   viewport a row, the list busy or not: the snapshot, painted before the app's chunks run,
 *   counts; browser/shown-rows.ts), which carries the budget; and to the first frame of the live
 *   list (the same frame as the cold figure's: rows, list not busy);
 * - browser, with the service worker (sw-start.ts): a warm start answered by the worker, and an
 *   offline cold start in a new tab (the context offline), each to the cached rows painted and
 *   to the live list;
 * - floor: a bare imapflow connect + login + SELECT INBOX + FETCH of the 50 newest envelopes.
 * The browser rows here are the conversation view's (the user's setting on, the default); the
 * flat list's, and the bridge's window of conversations, are sign-in-flat.ts's.
 */

import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { LIST_WINDOW_SIZE } from "@ferry/protocol";
import type { Page } from "playwright-core";
import {
  clickStamp,
  settleSignInPage,
  signInThroughForm,
  signOutContext,
  stamp,
  traced,
  withColdPage,
} from "../browser/browser";
import { SHOWN_ROWS_SCRIPT, shownRows } from "../browser/shown-rows";
import { bareSignIn } from "../client/floor";
import { ProtocolClient, signIn, signOut } from "../client/protocol";
import { progress } from "../progress";
import { BUDGETS, errorRow, type Row, row } from "../report";
import type { Account } from "../stack/mail";
import { summarize } from "../stats";
import { coldBrowserFloor, coldBrowserFloorRow, warmBrowserFloorRow } from "./browser-floors";
import { type FigureContext, fmtMs } from "./context";
import { setConversationView } from "./conversations-common";
import { flatListRows } from "./sign-in-flat";
import {
  controlled,
  type StartTimes,
  serviceWorkerActivated,
  serviceWorkerStarts,
} from "./sw-start";

export const FIGURE = "1 sign-in → first rows";

interface BridgeSignIn {
  total: number;
  login: number;
  hello: number;
  window: number;
}

/** One bridge-side sign-in as a protocol client; signs out afterwards. */
export async function bridgeSignIn(
  ctx: FigureContext,
  user: Account,
  expectRows: number,
): Promise<BridgeSignIn> {
  const t0 = performance.now();
  const cookie = await signIn(ctx.bridge, user);
  const t1 = performance.now();
  const client = await ProtocolClient.open(ctx.bridge, cookie);
  const t2 = performance.now();
  try {
    const reply = await client.request({
      type: "list.window",
      id: client.id(),
      mailbox: "INBOX",
      offset: 0,
      limit: LIST_WINDOW_SIZE,
    });
    const t3 = performance.now();
    if (reply.frame.rows.length !== expectRows) {
      throw new Error(`list.window gave ${reply.frame.rows.length} rows, not ${expectRows}`);
    }
    return { total: t3 - t0, login: t1 - t0, hello: t2 - t1, window: t3 - t2 };
  } finally {
    client.close();
    await signOut(ctx.bridge, cookie);
  }
}

/**
 * Resolves once the app has persisted INBOX's list to IndexedDB (it throttles writes); `key`
 * matches the list's query key (the flat list's has no "conversations" at its end).
 */
export async function waitForPersistedList(
  page: Page,
  timeoutMs = 15_000,
  key = /\["list","INBOX"/,
): Promise<void> {
  const probe = `new Promise((resolve) => {
    const req = indexedDB.open("keyval-store");
    req.onupgradeneeded = () => req.transaction.abort();
    req.onerror = () => resolve(false);
    req.onsuccess = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains("keyval")) { db.close(); resolve(false); return; }
      const get = db.transaction("keyval", "readonly").objectStore("keyval").get("ferry.cache.v1");
      get.onsuccess = () => {
        db.close();
        const v = get.result;
        resolve(typeof v === "string" && new RegExp(${JSON.stringify(key.source)}).test(v));
      };
      get.onerror = () => { db.close(); resolve(false); };
    };
  })`;
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await page.evaluate(probe)) === true) return;
    await delay(100); // poll interval while the app writes its cache
  }
  throw new Error("the app did not persist the list to IndexedDB");
}

/**
 * When the answer to the sign-in's POST /api/session made after `since` had arrived (Resource
 * Timing's responseEnd, on the page's clock): the browser's part of a cold sign-in starts there.
 */
export async function signInAnswered(page: Page, since: number): Promise<number> {
  const at = (await page.evaluate(`(() => {
    const posts = performance.getEntriesByType("resource").filter((e) =>
      e.initiatorType === "fetch" && new URL(e.name).pathname === "/api/session" &&
      e.startTime >= ${since});
    return posts.length > 0 ? posts[posts.length - 1].responseEnd : null;
  })()`)) as number | null;
  if (at === null)
    throw new Error("no POST /api/session after the click in the page's resource timing");
  return at;
}

/** One cold sign-in and one warm reload in a fresh context. Milliseconds. */
async function browserSignIn(
  ctx: FigureContext,
  user: Account,
  traceFile: string | null = null,
): Promise<{ cold: number; afterAnswer: number; warm: number; shown: number }> {
  const browser = ctx.browser;
  if (!browser) throw new Error("no browser");
  return withColdPage(
    browser,
    ctx.bridge.url,
    ctx.config.failureDir,
    "signin",
    async (page, context) => {
      await page.goto("/");
      await settleSignInPage(page);
      const rows = await traced(browser, page, traceFile, async () => {
        await signInThroughForm(page, user);
        return stamp(page, "load.rows");
      });
      const click = await clickStamp(page, "Sign in");
      const cold = rows.at - click;
      const afterAnswer = rows.at - (await signInAnswered(page, click));
      await waitForPersistedList(page);
      await serviceWorkerActivated(page);
      await page.addInitScript(SHOWN_ROWS_SCRIPT);
      const warmTrace = traceFile?.replace("signin-cold-", "signin-warm-") ?? null;
      const warm = await traced(browser, page, warmTrace, async () => {
        await page.reload();
        return (await stamp(page, "load.rows")).at;
      });
      const shown = await shownRows(page);
      await controlled(page);
      await signOutContext(context, ctx.bridge.url);
      return { cold, afterAnswer, warm, shown };
    },
  );
}

/** One run of serviceWorkerStarts in a fresh context. Milliseconds. */
function browserServiceWorkerStarts(
  ctx: FigureContext,
  user: Account,
): Promise<{ warm: StartTimes; offline: StartTimes }> {
  const browser = ctx.browser;
  if (!browser) throw new Error("no browser");
  return withColdPage(
    browser,
    ctx.bridge.url,
    ctx.config.failureDir,
    "signin-sw",
    async (page, context) => {
      try {
        return await serviceWorkerStarts(context, page, user, waitForPersistedList);
      } finally {
        await signOutContext(context, ctx.bridge.url);
      }
    },
  );
}

/** The rows of the starts from the service worker (issue 16), against the cold sign-in's floor. */
async function serviceWorkerRows(
  ctx: FigureContext,
  user: Account,
  size: number,
  floor: number[],
): Promise<Row[]> {
  await browserServiceWorkerStarts(ctx, user); // warm-up, as for the other browser rows
  const runs: { warm: StartTimes; offline: StartTimes }[] = [];
  for (let i = 0; i < ctx.config.repeats; i++)
    runs.push(await browserServiceWorkerStarts(ctx, user));
  const samples = (start: "warm" | "offline", to: keyof StartTimes) =>
    runs.map((r) => r[start][to]);
  const med = (xs: number[]) => fmtMs(summarize(xs)?.value ?? Number.NaN);
  progress(
    `sign-in ${size}: service worker warm painted ${med(samples("warm", "shown"))}, live ${med(samples("warm", "live"))}; offline painted ${med(samples("offline", "shown"))}, live ${med(samples("offline", "live"))}`,
  );
  const floorSummary = summarize(floor);
  const startRow = (
    id: string,
    label: string,
    xs: number[],
    note: string,
    budgeted: boolean,
  ): Row =>
    row({
      id: `signin.browser.${id}.${size}`,
      figure: FIGURE,
      label,
      side: "browser",
      size,
      unit: "ms",
      value: summarize(xs),
      floor: floorSummary,
      budget: budgeted ? BUDGETS.warmReload : null,
      note,
      samples: xs,
      floorSamples: floor,
    });
  const painted =
    "to the first frame with rows in the whole of the list's viewport, the list busy or not (the mailbox's snapshot counts)";
  const live =
    "to the first frame of the live list (rows, the list not busy); no budget of its own";
  return [
    startRow(
      "sw-warm-shown",
      "browser, warm start with the service worker → cached rows painted",
      samples("warm", "shown"),
      `reload answered by the service worker, from navigation start ${painted}; floor: the cold sign-in's`,
      true,
    ),
    startRow(
      "sw-warm",
      "browser, warm start with the service worker → live rows",
      samples("warm", "live"),
      `the same starts, ${live}`,
      false,
    ),
    startRow(
      "offline-shown",
      "browser, offline cold start → cached rows painted",
      samples("offline", "shown"),
      `context offline, a new tab started from the service worker, from navigation start ${painted}; floor: the cold sign-in's`,
      true,
    ),
    startRow(
      "offline",
      "browser, offline cold start → live rows",
      samples("offline", "live"),
      `the same starts, ${live}`,
      false,
    ),
  ];
}

export async function signInFigure(ctx: FigureContext): Promise<Row[]> {
  const out: Row[] = [];
  const { repeats } = ctx.config;
  for (const size of ctx.config.sizes) {
    const user = ctx.mail.bySize.get(size);
    if (!user) throw new Error(`no user for size ${size}`);
    const expect = Math.min(LIST_WINDOW_SIZE, size);
    await setConversationView(ctx, user, true); // the default; the flat list's rows come after
    // One untimed round of each, so every figure sees Dovecot's caches as warm as the next.
    await bareSignIn(ctx.mail.server, user);
    await bridgeSignIn(ctx, user, expect);

    const floor: number[] = [];
    const bridge: BridgeSignIn[] = [];
    for (let i = 0; i < repeats; i++) {
      floor.push(await bareSignIn(ctx.mail.server, user));
      bridge.push(await bridgeSignIn(ctx, user, expect));
    }
    const floorSummary = summarize(floor);
    const part = (k: keyof BridgeSignIn) => summarize(bridge.map((b) => b[k]))?.value ?? Number.NaN;
    out.push(
      row({
        id: `signin.bridge.${size}`,
        figure: FIGURE,
        label: "bridge: sign-in → first window (flat list)",
        side: "bridge",
        size,
        unit: "ms",
        value: summarize(bridge.map((b) => b.total)),
        floor: floorSummary,
        budget: BUDGETS.signIn,
        note:
          `medians: POST /api/session ${fmtMs(part("login"))}, socket+hello ${fmtMs(part("hello"))}, ` +
          `list.window ${fmtMs(part("window"))}`,
        samples: bridge.map((b) => b.total),
        floorSamples: floor,
      }),
    );
    progress(
      `sign-in ${size}: bridge ${fmtMs(part("total"))}, floor ${fmtMs(floorSummary?.value ?? Number.NaN)}`,
    );

    if (!ctx.browser) {
      out.push(errorRow(`signin.browser.${size}`, FIGURE, "browser", "the web app is not built"));
      continue;
    }
    try {
      await browserSignIn(ctx, user); // warm-up: the bridge's static files, Chromium's code cache
      await coldBrowserFloor(ctx, user);
      const trivial: number[] = [];
      const cold: number[] = [];
      const afterAnswer: number[] = [];
      const warm: number[] = [];
      const shown: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const r = await browserSignIn(ctx, user);
        cold.push(r.cold);
        afterAnswer.push(r.afterAnswer);
        warm.push(r.warm);
        shown.push(r.shown);
        trivial.push(await coldBrowserFloor(ctx, user));
      }
      if (ctx.config.profileDir) {
        await browserSignIn(
          ctx,
          user,
          join(ctx.config.profileDir, `signin-cold-${size}.trace.json`),
        );
      }
      out.push(
        row({
          id: `signin.browser.cold.${size}`,
          figure: FIGURE,
          label: "browser, cold: click → rows",
          side: "browser",
          size,
          unit: "ms",
          value: summarize(cold),
          floor: floorSummary,
          budget: BUDGETS.signIn,
          samples: cold,
          floorSamples: floor,
        }),
        row({
          id: `signin.browser.cold-after-answer.${size}`,
          figure: FIGURE,
          label: "browser, cold: sign-in answer → rows (no budget)",
          side: "browser",
          size,
          unit: "ms",
          value: summarize(afterAnswer),
          note: "the same sign-ins, from the POST /api/session answer's last byte (Resource Timing's responseEnd) to the same frame: the browser's part, reading the answer and revealing the mailbox with its rows; less noisy than the whole, which the bridge's time under load dominates",
          samples: afterAnswer,
        }),
        coldBrowserFloorRow(size, trivial, floorSummary, floor),
        row({
          id: `signin.browser.warm-shown.${size}`,
          figure: FIGURE,
          label: "browser, warm: reload → cached rows painted",
          side: "browser",
          size,
          unit: "ms",
          value: summarize(shown),
          floor: floorSummary,
          budget: BUDGETS.warmReload,
          note: "reload answered by the service worker (the sign-in's worker active before it, the reloaded page controlled, as for a returning user); from the reload's navigation start to the first frame with rows in the whole of the list's viewport, the list busy or not: the mailbox's snapshot (the cached rows as last shown, painted inert before the app's chunks run) counts; floor: the cold sign-in's",
          samples: shown,
          floorSamples: floor,
        }),
        row({
          id: `signin.browser.warm.${size}`,
          figure: FIGURE,
          label: "browser, warm: reload → live rows",
          side: "browser",
          size,
          unit: "ms",
          value: summarize(warm),
          floor: floorSummary,
          note: "the same reloads, to the first frame of the live list (rows, the list not busy: the mailbox's code has rendered the IndexedDB cache, and the rows can be used); no budget of its own",
          samples: warm,
          floorSamples: floor,
        }),
      );
      progress(
        `sign-in ${size}: browser cold ${fmtMs(summarize(cold)?.value ?? Number.NaN)} (after the answer ${fmtMs(summarize(afterAnswer)?.value ?? Number.NaN)}), warm painted ${fmtMs(summarize(shown)?.value ?? Number.NaN)}, live ${fmtMs(summarize(warm)?.value ?? Number.NaN)}`,
      );
    } catch (err) {
      out.push(errorRow(`signin.browser.${size}`, FIGURE, "browser", err));
    }
    try {
      out.push(...(await serviceWorkerRows(ctx, user, size, floor)));
    } catch (err) {
      out.push(errorRow(`signin.browser.sw.${size}`, FIGURE, "browser", err));
    }
    out.push(...(await flatListRows(ctx, user, size, floor)));
  }
  if (ctx.browser) {
    try {
      out.push(await warmBrowserFloorRow(ctx));
    } catch (err) {
      out.push(errorRow("signin.browser.floor-warm", FIGURE, "browser", err));
    }
  }
  return out;
}
