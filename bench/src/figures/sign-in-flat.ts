/**
 * Figure 1 in both views of INBOX, in the same run (issue 15: the budgets of figure 1's rows hold
 * with conversations on, the default): sign-in.ts measures the conversation view; this module
 * measures the flat list (the user's setting "one row per message") beside it, with the same
 * floor and budgets, and the bridge's first window of conversations beside its flat window.
 *
 * The setting is the bridge's, per user: it is saved through the protocol (`settings.save`, as
 * the app's setting does) and put back on afterwards. A fresh browser does not know it; the
 * sign-in answer tells it (with the window of that view), so the first rows should already be
 * flat. The cold sign-in's stamp is still the first frame whose rows in view are the flat list's
 * head, message by message (in-page.ts's `flatRows`, against the bridge's own flat window), not
 * any frame of rows; a run in which other rows were painted first is counted in the note. The warm and offline starts are checked to show the flat list too.
 *
 * One context per repeat does the cold sign-in, the reload answered by the service worker and
 * the offline start in a new tab (the conversation view measures the reload twice, in
 * browserSignIn and in sw-start.ts's contexts; both are that same path). No untimed browser
 * round first: the conversation view's runs of the same user have just warmed the bridge's
 * static files and Chromium's code cache.
 */
import { LIST_WINDOW_SIZE } from "@ferry/protocol";
import type { Page } from "playwright-core";
import {
  clickStamp,
  settleSignInPage,
  signInThroughForm,
  signOutContext,
  stamp,
  watch,
  withColdPage,
} from "../browser/browser";
import { ProtocolClient, signIn, signOut } from "../client/protocol";
import { progress } from "../progress";
import { BUDGETS, type Budget, errorRow, type Row, row } from "../report";
import type { Account } from "../stack/mail";
import { summarize } from "../stats";
import { type FigureContext, fmtMs } from "./context";
import {
  bridgeConversationSignIn,
  conversationWindow,
  setConversationView,
} from "./conversations-common";
import { FIGURE, signInAnswered, waitForPersistedList } from "./sign-in";
import { serviceWorkerActivated, warmStarts } from "./sw-start";

const TIMEOUT_MS = 15_000;
/**
 * The flat list's query key in the app's persisted cache (web/lib/mail-cache.ts's keys.list,
 * no "conversations" after the sort): a conversation view's list in the cache (painted before
 * the setting came, if the app ever does again) is persisted too, and does not serve a flat start.
 */
const FLAT_LIST_KEY = /\["list","INBOX","","[^"]*"\]/;

/**
 * The flat list's newest UIDs, and how many of the first rows look alike in both views (the same
 * message, a conversation of one): read through the protocol as the app reads them.
 */
async function heads(ctx: FigureContext, user: Account): Promise<{ flat: number[]; same: number }> {
  const cookie = await signIn(ctx.bridge, user);
  const client = await ProtocolClient.open(ctx.bridge, cookie);
  try {
    const flat = await client.request({
      type: "list.window",
      id: client.id(),
      mailbox: "INBOX",
      offset: 0,
      limit: LIST_WINDOW_SIZE,
    });
    const conv = (await conversationWindow(client, 0, LIST_WINDOW_SIZE)).conversations ?? [];
    const uids = flat.frame.rows.map((r) => r.uid);
    let same = 0;
    while (same < uids.length && conv[same]?.newest.uid === uids[same] && conv[same]?.count === 1)
      same++;
    return { flat: uids, same };
  } finally {
    client.close();
    await signOut(ctx.bridge, cookie);
  }
}

/** Throws unless the options in the list's viewport are the rows of `uids`' head, in order. */
async function showsFlat(page: Page, uids: number[], where: string): Promise<void> {
  const ids = (await page.evaluate(`(() => {
    const list = document.querySelector('[role="listbox"][aria-label="Messages"]');
    if (!list) return [];
    const box = list.getBoundingClientRect();
    return [...list.querySelectorAll('[role="option"]')].filter((o) => {
      const r = o.getBoundingClientRect();
      return r.height > 0 && r.bottom > box.top + 1 && r.top < box.bottom - 1;
    }).map((o) => o.querySelector('[data-testid="conversation-count"]') ? "counted" : o.id);
  })()`)) as string[];
  const wrong = ids.findIndex((id, i) => id !== `msg-${uids[i]}`);
  if (ids.length === 0 || wrong >= 0) {
    throw new Error(`the ${where} does not show the flat list (row ${wrong + 1}: ${ids[wrong]})`);
  }
}

interface Start {
  shown: number;
  live: number;
}
interface FlatRun {
  cold: number;
  afterAnswer: number;
  /** Other rows (the conversation view, before the setting came) were painted first. */
  otherFirst: boolean;
  /** Rows in the list's viewport at that frame. */
  inView: number;
  warm: Start;
  offline: Start;
}

/** In a fresh context: cold sign-in, reload answered by the worker, offline start in a new tab. */
function flatRun(ctx: FigureContext, user: Account, uids: number[]): Promise<FlatRun> {
  const browser = ctx.browser;
  if (!browser) throw new Error("no browser");
  return withColdPage(
    browser,
    ctx.bridge.url,
    ctx.config.failureDir,
    "signin-flat",
    async (page, context) => {
      await page.goto("/");
      await settleSignInPage(page);
      await watch(page, "flat.any", "rows");
      await watch(page, "flat.rows", "flatRows", uids);
      await signInThroughForm(page, user);
      const flat = await stamp(page, "flat.rows", TIMEOUT_MS);
      const any = await stamp(page, "flat.any", TIMEOUT_MS);
      const click = await clickStamp(page, "Sign in");
      const afterAnswer = flat.at - (await signInAnswered(page, click));
      await waitForPersistedList(page, undefined, FLAT_LIST_KEY);
      await serviceWorkerActivated(page);
      try {
        const { warm, offline } = await warmStarts(context, page, (p, where) =>
          showsFlat(p, uids, where),
        );
        return {
          cold: flat.at - click,
          afterAnswer,
          otherFirst: flat.at - any.at > 1,
          inView: Number((flat.detail as { rows?: number }).rows),
          warm,
          offline,
        };
      } finally {
        await signOutContext(context, ctx.bridge.url);
      }
    },
  );
}

/** The conversation view's bridge row, and every browser row of figure 1 for the flat list. */
export async function flatListRows(
  ctx: FigureContext,
  user: Account,
  size: number,
  floor: number[],
): Promise<Row[]> {
  const { repeats, quick, sizes } = ctx.config;
  // The quick run (CI) measures the flat list at its largest size only, to stay short.
  if (quick && size !== Math.max(...sizes)) return [];
  const floorSummary = summarize(floor);
  const out: Row[] = [];
  const make = (
    id: string,
    label: string,
    side: "bridge" | "browser",
    xs: number[],
    budget: Budget | null,
    note: string,
  ): Row =>
    row({
      id: `signin.${id}.${size}`,
      figure: FIGURE,
      label,
      side,
      size,
      unit: "ms",
      value: summarize(xs),
      floor: budget || id.endsWith("-live") ? floorSummary : null,
      budget,
      note,
      samples: xs,
      ...(budget || id.endsWith("-live") ? { floorSamples: floor } : {}),
    });

  try {
    await bridgeConversationSignIn(ctx, user); // untimed, as the flat window's
    const conv: number[] = [];
    for (let i = 0; i < repeats; i++) conv.push(await bridgeConversationSignIn(ctx, user));
    out.push(
      make(
        "bridge.conv",
        "bridge: sign-in → first window of conversations",
        "bridge",
        conv,
        BUDGETS.signIn,
        "as the flat window's row, with `list.window` `conversations: true` (the session's first THREAD, or the order kept from an earlier sign-in, then the rows); floor: figure 1's (figure 12 has this row against a THREAD floor)",
      ),
    );
  } catch (err) {
    out.push(errorRow(`signin.bridge.conv.${size}`, FIGURE, "bridge", err));
  }
  if (!ctx.browser) return out;

  await setConversationView(ctx, user, false);
  try {
    const { flat, same } = await heads(ctx, user);
    const runs: FlatRun[] = [];
    for (let i = 0; i < repeats; i++) runs.push(await flatRun(ctx, user, flat));
    const xs = (f: (r: FlatRun) => number) => runs.map(f);
    const first = runs.filter((r) => r.otherFirst).length;
    const painted =
      "to the first frame with rows in the whole of the list's viewport, the list busy or not (the mailbox's snapshot counts)";
    out.push(
      make(
        "browser.flat-cold",
        "browser, cold: click → rows (flat list)",
        "browser",
        xs((r) => r.cold),
        BUDGETS.signIn,
        `the user's setting one row per message; to the first frame whose rows in view are the flat list's newest messages, one row each (${Math.max(...xs((r) => r.inView))} rows in view; the views' first ${same} rows look alike: the same message, a conversation of one); ${first} of ${runs.length} sign-ins painted other rows (the conversation view, before the setting came) first`,
      ),
      make(
        "browser.flat-cold-after-answer",
        "browser, cold: sign-in answer → rows (flat list, no budget)",
        "browser",
        xs((r) => r.afterAnswer),
        null,
        "the same sign-ins, from the POST /api/session answer's last byte to the same frame",
      ),
      make(
        "browser.flat-warm-shown",
        "browser, warm: reload → cached rows painted (flat list)",
        "browser",
        xs((r) => r.warm.shown),
        BUDGETS.warmReload,
        `reload answered by the service worker (checked), from navigation start ${painted}; also the flat list's warm start with the service worker (the same path, measured once); checked to show the flat list; floor: the cold sign-in's`,
      ),
      make(
        "browser.flat-warm-live",
        "browser, warm: reload → live rows (flat list)",
        "browser",
        xs((r) => r.warm.live),
        null,
        "the same reloads, to the first frame of the live list; no budget of its own",
      ),
      make(
        "browser.flat-offline-shown",
        "browser, offline cold start → cached rows painted (flat list)",
        "browser",
        xs((r) => r.offline.shown),
        BUDGETS.warmReload,
        `context offline, a new tab started from the service worker, from navigation start ${painted}; checked to show the flat list; floor: the cold sign-in's`,
      ),
      make(
        "browser.flat-offline-live",
        "browser, offline cold start → live rows (flat list)",
        "browser",
        xs((r) => r.offline.live),
        null,
        "the same starts, to the first frame of the live list; no budget of its own",
      ),
    );
    const med = (f: (r: FlatRun) => number) => fmtMs(summarize(xs(f))?.value ?? Number.NaN);
    progress(
      `sign-in ${size}: flat list cold ${med((r) => r.cold)} (other rows first in ${first}), warm painted ${med((r) => r.warm.shown)}, offline painted ${med((r) => r.offline.shown)}`,
    );
  } catch (err) {
    out.push(errorRow(`signin.browser.flat.${size}`, FIGURE, "browser", err));
  } finally {
    await setConversationView(ctx, user, true);
  }
  return out;
}
