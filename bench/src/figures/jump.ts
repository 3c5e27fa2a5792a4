/**
 * Figure 4: jump to the middle of the largest INBOX (100,000 messages in a full run).
 *
 * - bridge side: `list.window` of 50 rows at the middle offset, on a signed-in socket;
 * - browser: signed in, the flat list (one row per message; figure 12 jumps through
 *   conversations) at the top; the list's scroll container is set to the middle in
 *   one step (what dragging the scrollbar does), from then to the first frame in which every
 *   option in view is a loaded row;
 * - floor: on a connection with INBOX selected, FETCH the envelopes of 50 messages at the
 *   middle sequence numbers.
 * Each repeat jumps to a different spot near the middle (1,013 rows apart), so nothing is
 * served from a cache; the first repeat is a warm-up.
 */
import { join } from "node:path";
import {
  signInThroughForm,
  signOutContext,
  stamp,
  traced,
  watch,
  withColdPage,
} from "../browser/browser";
import { bareWindow, closeBare, connectBare } from "../client/floor";
import { ProtocolClient, signIn, signOut } from "../client/protocol";
import { progress } from "../progress";
import { BUDGETS, errorRow, type Row, row } from "../report";
import { summarize } from "../stats";
import { type FigureContext, fmtMs } from "./context";
import { setConversationView } from "./conversations-common";

const FIGURE = "4 jump to the middle";
const SPREAD = 1013;

function spot(size: number, i: number, repeats: number): number {
  return Math.max(0, Math.floor(size / 2) + (i - Math.floor(repeats / 2)) * SPREAD);
}

export async function jumpFigure(ctx: FigureContext): Promise<Row[]> {
  const size = Math.max(...ctx.config.sizes);
  const user = ctx.mail.bySize.get(size);
  if (!user) throw new Error(`no user for size ${size}`);
  const { repeats } = ctx.config;

  const bare = await connectBare(ctx.mail.server, user);
  const box = await bare.mailboxOpen("INBOX");
  const cookie = await signIn(ctx.bridge, user);
  const client = await ProtocolClient.open(ctx.bridge, cookie);
  const floor: number[] = [];
  const bridge: number[] = [];
  try {
    for (let i = 0; i <= repeats; i++) {
      const offset = spot(size, i, repeats);
      // Newest first: offset o is sequence number exists − o (and the 49 below it).
      const f = await bareWindow(bare, Math.max(1, box.exists - offset - 49), 50);
      const t0 = performance.now();
      const reply = await client.request({
        type: "list.window",
        id: client.id(),
        mailbox: "INBOX",
        offset,
        limit: 50,
      });
      const ms = performance.now() - t0;
      if (reply.frame.rows.length !== 50) throw new Error(`got ${reply.frame.rows.length} rows`);
      if (i === 0) continue;
      floor.push(f);
      bridge.push(ms);
    }
  } finally {
    client.close();
    await signOut(ctx.bridge, cookie);
    await closeBare(bare);
  }
  const rows: Row[] = [
    row({
      id: `jump.bridge.${size}`,
      figure: FIGURE,
      label: "bridge: list.window at the middle",
      side: "bridge",
      size,
      unit: "ms",
      value: summarize(bridge),
      floor: summarize(floor),
      budget: BUDGETS.jump,
      samples: bridge,
      floorSamples: floor,
    }),
  ];
  progress(`jump ${size}: bridge ${fmtMs(summarize(bridge)?.value ?? Number.NaN)}`);

  if (!ctx.browser) {
    rows.push(errorRow(`jump.browser.${size}`, FIGURE, "browser", "the web app is not built"));
    return rows;
  }
  const browserApp = ctx.browser;
  try {
    // This figure scrolls the flat list (one row per message); figure 12 jumps through
    // conversations.
    await setConversationView(ctx, user, false);
    const browser = await withColdPage(
      browserApp,
      ctx.bridge.url,
      ctx.config.failureDir,
      "jump",
      async (page, context) => {
        await page.goto("/");
        await signInThroughForm(page, user);
        await stamp(page, "load.rows");
        const samples: number[] = [];
        const traceFile = ctx.config.profileDir
          ? join(ctx.config.profileDir, `jump-${size}.trace.json`)
          : null;
        // Round 0 warms up; the last round (traced, when profiling) is not counted.
        for (let i = 0; i <= repeats + (traceFile ? 1 : 0); i++) {
          await page.evaluate(
            `document.querySelector('[role="listbox"][aria-label="Messages"]').scrollTop = 0`,
          );
          await watch(page, `top.${i}`, "rows");
          await stamp(page, `top.${i}`);
          const name = `jump.${i}`;
          const extra = i > repeats;
          const { started, seen } = await traced(
            browserApp,
            page,
            extra ? traceFile : null,
            async () => {
              const started = (await page.evaluate(
                `window.__bench.jump(${JSON.stringify(name)}, ${spot(size, i, repeats)})`,
              )) as { at: number };
              return { started, seen: await stamp(page, name) };
            },
          );
          if (i > 0 && !extra) samples.push(seen.at - started.at);
        }
        await signOutContext(context, ctx.bridge.url);
        return samples;
      },
    );
    rows.push(
      row({
        id: `jump.browser.${size}`,
        figure: FIGURE,
        label: "browser: scroll → rows",
        side: "browser",
        size,
        unit: "ms",
        value: summarize(browser),
        floor: summarize(floor),
        budget: BUDGETS.jump,
        samples: browser,
        floorSamples: floor,
      }),
    );
    progress(`jump ${size}: browser ${fmtMs(summarize(browser)?.value ?? Number.NaN)}`);
  } catch (err) {
    rows.push(errorRow(`jump.browser.${size}`, FIGURE, "browser", err));
  }
  return rows;
}
