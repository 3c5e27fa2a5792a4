/**
 * Figure 1: sign-in → the first rows of INBOX, per mailbox size.
 *
 * - bridge side: POST /api/session (IMAP login) → socket `hello` → `list.window` of the newest
 *   rows, as a protocol client asking what the web app asks (LIST_WINDOW_SIZE = 100 rows, which
 *   the bridge starts fetching at sign-in);
 * - browser, cold: a new context (no cookie, no IndexedDB) on the sign-in page, left to settle
 *   as it would while a person types (settleSignInPage); from the click on "Sign in" to the
 *   first frame in which every option in the list's viewport is a loaded row;
 * - browser, warm: reload of that page (session cookie and IndexedDB cache kept), from the
 *   navigation start to the same frame; and to the first frame showing rows at all (the
 *   mailbox's snapshot, busy while the mailbox's code loads);
 * - browser, with the service worker (sw-start.ts): a warm start answered by the worker, and an
 *   offline cold start in a new tab (the context offline), each to the cached rows;
 * - floor: a bare imapflow connect + login + SELECT INBOX + FETCH of the 50 newest envelopes.
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
import { bareSignIn } from "../client/floor";
import { ProtocolClient, signIn, signOut } from "../client/protocol";
import { progress } from "../progress";
import { BUDGETS, errorRow, type Row, row } from "../report";
import type { Account } from "../stack/mail";
import { summarize } from "../stats";
import { type FigureContext, fmtMs } from "./context";
import { serviceWorkerStarts } from "./sw-start";

const FIGURE = "1 sign-in → first rows";

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

/** Resolves once the app has persisted INBOX's list to IndexedDB (it throttles writes). */
async function waitForPersistedList(page: Page, timeoutMs = 15_000): Promise<void> {
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
        resolve(typeof v === "string" && v.includes('["list","INBOX"'));
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
 * Installed before a reload: `window.__shownRows()` resolves with the first frame in which the
 * "Messages" listbox shows rows in its viewport and no placeholder, the listbox busy or not: the
 * mailbox's snapshot (web/lib/mailbox-snapshot.ts), painted inert and busy while the mailbox's
 * code loads, counts here, and not in `load.rows`. Checks in animation frames, as in-page.ts.
 */
const SHOWN_ROWS_SCRIPT = `(() => {
  let at = null;
  let scheduled = false;
  const waiters = [];
  function shown() {
    const list = document.querySelector('[role="listbox"][aria-label="Messages"]');
    if (!list) return false;
    const box = list.getBoundingClientRect();
    if (box.height === 0) return false;
    let rows = 0;
    for (const o of list.querySelectorAll('[role="option"]')) {
      const r = o.getBoundingClientRect();
      if (r.height === 0 || r.bottom <= box.top + 1 || r.top >= box.bottom - 1) continue;
      if (o.getAttribute("aria-busy") === "true") return false;
      rows++;
    }
    return rows > 0;
  }
  const observer = new MutationObserver(() => {
    if (at !== null || scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      if (at !== null || !shown()) return;
      at = performance.now();
      observer.disconnect();
      for (const w of waiters) w(at);
    });
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
  window.__shownRows = () => (at !== null ? Promise.resolve(at) : new Promise((r) => waiters.push(r)));
})()`;

/** One cold sign-in and one warm reload in a fresh context. Milliseconds. */
async function browserSignIn(
  ctx: FigureContext,
  user: Account,
  traceFile: string | null = null,
): Promise<{ cold: number; warm: number; shown: number }> {
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
      await waitForPersistedList(page);
      await page.addInitScript(SHOWN_ROWS_SCRIPT);
      const warmTrace = traceFile?.replace("signin-cold-", "signin-warm-") ?? null;
      const warm = await traced(browser, page, warmTrace, async () => {
        await page.reload();
        return (await stamp(page, "load.rows")).at;
      });
      const shown = Number(await page.evaluate("window.__shownRows()"));
      await signOutContext(context, ctx.bridge.url);
      return { cold, warm, shown };
    },
  );
}

/** One run of serviceWorkerStarts in a fresh context. Milliseconds. */
function browserServiceWorkerStarts(
  ctx: FigureContext,
  user: Account,
): Promise<{ warm: number; offline: number }> {
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
  const warm: number[] = [];
  const offline: number[] = [];
  for (let i = 0; i < ctx.config.repeats; i++) {
    const r = await browserServiceWorkerStarts(ctx, user);
    warm.push(r.warm);
    offline.push(r.offline);
  }
  progress(
    `sign-in ${size}: service worker warm ${fmtMs(summarize(warm)?.value ?? Number.NaN)}, offline ${fmtMs(summarize(offline)?.value ?? Number.NaN)}`,
  );
  const floorSummary = summarize(floor);
  return [
    row({
      id: `signin.browser.sw-warm.${size}`,
      figure: FIGURE,
      label: "browser, warm start with the service worker → rows",
      side: "browser",
      size,
      unit: "ms",
      value: summarize(warm),
      floor: floorSummary,
      budget: BUDGETS.warmReload,
      note: "reload answered by the service worker, from navigation start; floor: the cold sign-in's",
      samples: warm,
      floorSamples: floor,
    }),
    row({
      id: `signin.browser.offline.${size}`,
      figure: FIGURE,
      label: "browser, offline cold start → cached rows",
      side: "browser",
      size,
      unit: "ms",
      value: summarize(offline),
      floor: floorSummary,
      budget: BUDGETS.warmReload,
      note: "context offline, a new tab started from the service worker, from navigation start; floor: the cold sign-in's",
      samples: offline,
      floorSamples: floor,
    }),
  ];
}

export async function signInFigure(ctx: FigureContext): Promise<Row[]> {
  const out: Row[] = [];
  const { repeats } = ctx.config;
  for (const size of ctx.config.sizes) {
    const user = ctx.mail.bySize.get(size);
    if (!user) throw new Error(`no user for size ${size}`);
    const expect = Math.min(LIST_WINDOW_SIZE, size);
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
        label: "bridge: sign-in → first window",
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
      const cold: number[] = [];
      const warm: number[] = [];
      const shown: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const r = await browserSignIn(ctx, user);
        cold.push(r.cold);
        warm.push(r.warm);
        shown.push(r.shown);
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
          id: `signin.browser.warm.${size}`,
          figure: FIGURE,
          label: "browser, warm: reload → rows",
          side: "browser",
          size,
          unit: "ms",
          value: summarize(warm),
          floor: floorSummary,
          budget: BUDGETS.warmReload,
          note: "from the reload's navigation start; rows painted from the IndexedDB cache; floor: the cold sign-in's",
          samples: warm,
          floorSamples: floor,
        }),
        row({
          id: `signin.browser.warm-shown.${size}`,
          figure: FIGURE,
          label: "browser, warm: reload → cached rows shown",
          side: "browser",
          size,
          unit: "ms",
          value: summarize(shown),
          floor: floorSummary,
          note: "the same reloads, to the first frame showing rows in the list's viewport, busy or not: the mailbox's snapshot, inert until the mailbox's code has rendered (the row above); no budget of its own",
          samples: shown,
          floorSamples: floor,
        }),
      );
      progress(
        `sign-in ${size}: browser cold ${fmtMs(summarize(cold)?.value ?? Number.NaN)}, warm ${fmtMs(summarize(warm)?.value ?? Number.NaN)}, shown ${fmtMs(summarize(shown)?.value ?? Number.NaN)}`,
      );
    } catch (err) {
      out.push(errorRow(`signin.browser.${size}`, FIGURE, "browser", err));
    }
    try {
      out.push(...(await serviceWorkerRows(ctx, user, size, floor)));
    } catch (err) {
      out.push(errorRow(`signin.browser.sw.${size}`, FIGURE, "browser", err));
    }
  }
  return out;
}
