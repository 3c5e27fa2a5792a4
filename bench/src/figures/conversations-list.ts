/**
 * Figure 12 (conversations.ts), the list's rows:
 *
 * - sign-in → first window of conversations: the bridge side as figure 1's (POST /api/session,
 *   socket, `list.window` with `conversations`: THREAD once for the session, then the rows);
 *   the browser's cold sign-in (the user's setting on conversations) from the click to the first
 *   frame with a conversation row (one whose label counts its messages) in view. Floor: a bare
 *   client's connect + login + SELECT + `UID THREAD REFERENCES UTF-8 ALL` + FETCH of the
 *   envelopes of the 50 newest conversations' newest messages: what any client pays to show
 *   conversations from the server's threading, with nothing cached;
 * - jump to the middle of the conversations: `list.window` at the middle offset on a signed-in
 *   socket whose first window was read and the whole folder's order after it (it is cached).
 *   Floor: FETCH of the 50 envelopes at that spot on a connection that threaded before (a client
 *   keeping the THREAD answer).
 */
import {
  clickStamp,
  settleSignInPage,
  signInThroughForm,
  signOutContext,
  stamp,
  watch,
  withColdPage,
} from "../browser/browser";
import { closeBare, connectBare } from "../client/floor";
import { bareThreadSignIn, bareThreads } from "../client/floor-thread";
import type { ProtocolClient } from "../client/protocol";
import { progress } from "../progress";
import { BUDGETS, errorRow, type Row, row } from "../report";
import type { Account } from "../stack/mail";
import { summarize } from "../stats";
import { type FigureContext, fmtMs } from "./context";
import {
  bridgeConversationSignIn,
  conversationWindow,
  FIGURE,
  TIMEOUT_MS,
} from "./conversations-common";

/** A conversation row's label counts its messages ("…, 3 messages, …"). */
const CONVERSATION_ROW = " messages, ";

/** One cold browser sign-in to a conversation row in view. Milliseconds from the click. */
async function browserSignIn(ctx: FigureContext, user: Account): Promise<number> {
  const browser = ctx.browser;
  if (!browser) throw new Error("no browser");
  return withColdPage(
    browser,
    ctx.bridge.url,
    ctx.config.failureDir,
    "conversations-signin",
    async (page, context) => {
      await page.goto("/");
      await settleSignInPage(page);
      await watch(page, "conv.rows", "row", CONVERSATION_ROW);
      await signInThroughForm(page, user);
      const seen = await stamp(page, "conv.rows", TIMEOUT_MS);
      const click = await clickStamp(page, "Sign in");
      await signOutContext(context, ctx.bridge.url);
      return seen.at - click;
    },
  );
}

export async function signInRows(ctx: FigureContext, size: number, user: Account): Promise<Row[]> {
  const { repeats } = ctx.config;
  const bare = () => connectBare(ctx.mail.server, user);
  await bareThreadSignIn(bare);
  await bridgeConversationSignIn(ctx, user);
  const floor: number[] = [];
  const bridge: number[] = [];
  for (let i = 0; i < repeats; i++) {
    floor.push(await bareThreadSignIn(bare));
    bridge.push(await bridgeConversationSignIn(ctx, user));
  }
  const floorSummary = summarize(floor);
  const rows: Row[] = [
    row({
      id: `conv.signin.bridge.${size}`,
      figure: FIGURE,
      label: "bridge: sign-in → first window of conversations",
      side: "bridge",
      size,
      unit: "ms",
      value: summarize(bridge),
      floor: floorSummary,
      budget: BUDGETS.signIn,
      note: "floor: connect, login, SELECT, UID THREAD REFERENCES, FETCH 50 envelopes",
      samples: bridge,
      floorSamples: floor,
    }),
  ];
  progress(
    `conversations ${size}: sign-in bridge ${fmtMs(summarize(bridge)?.value ?? Number.NaN)}, floor ${fmtMs(floorSummary?.value ?? Number.NaN)}`,
  );
  if (!ctx.browser) {
    rows.push(errorRow(`conv.signin.browser.${size}`, FIGURE, "browser", "no web app"));
    return rows;
  }
  try {
    await browserSignIn(ctx, user);
    const cold: number[] = [];
    for (let i = 0; i < repeats; i++) cold.push(await browserSignIn(ctx, user));
    rows.push(
      row({
        id: `conv.signin.browser.${size}`,
        figure: FIGURE,
        label: "browser, cold: click → conversation rows",
        side: "browser",
        size,
        unit: "ms",
        value: summarize(cold),
        floor: floorSummary,
        budget: BUDGETS.signIn,
        samples: cold,
        floorSamples: floor,
      }),
    );
    progress(
      `conversations ${size}: sign-in browser ${fmtMs(summarize(cold)?.value ?? Number.NaN)}`,
    );
  } catch (err) {
    rows.push(errorRow(`conv.signin.browser.${size}`, FIGURE, "browser", err));
  }
  return rows;
}

export async function jumpRows(
  ctx: FigureContext,
  size: number,
  client: ProtocolClient,
  total: number,
): Promise<Row[]> {
  const { repeats } = ctx.config;
  const bare = await connectBare(ctx.mail.server, ctx.mail.bySize.get(size) as Account);
  const floor: number[] = [];
  const bridge: number[] = [];
  try {
    await bare.mailboxOpen("INBOX");
    const threads = await bareThreads(bare);
    for (let i = 0; i <= repeats; i++) {
      const offset = Math.max(0, Math.floor(total / 2) + (i - Math.floor(repeats / 2)) * 101);
      const newest = threads.slice(offset, offset + 50).map((t) => t[0] as number);
      const f0 = performance.now();
      await bare.fetchAll(
        newest.join(","),
        { uid: true, flags: true, envelope: true },
        { uid: true },
      );
      const f = performance.now() - f0;
      const t0 = performance.now();
      const w = await conversationWindow(client, offset, 50);
      const ms = performance.now() - t0;
      if (w.rows.length !== 50) throw new Error(`the jump gave ${w.rows.length} rows`);
      if (i === 0) continue;
      floor.push(f);
      bridge.push(ms);
    }
  } finally {
    await closeBare(bare);
  }
  progress(`conversations ${size}: jump bridge ${fmtMs(summarize(bridge)?.value ?? Number.NaN)}`);
  return [
    row({
      id: `conv.jump.bridge.${size}`,
      figure: FIGURE,
      label: "bridge: list.window of conversations at the middle",
      side: "bridge",
      size,
      unit: "ms",
      value: summarize(bridge),
      floor: summarize(floor),
      budget: BUDGETS.jump,
      note: "floor: FETCH of the 50 newest messages' envelopes there, THREAD answer kept",
      samples: bridge,
      floorSamples: floor,
    }),
  ];
}
