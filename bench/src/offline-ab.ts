/**
 * A/B probe for figure 1's starts from the service worker in both list views (a tool for work on
 * them, not a benchmark row): one mail server, a bridge per web build, one Chromium. Each round
 * saves the user's list view (conversations or one row per message, as sign-in-flat.ts does),
 * signs in in a fresh context per (build, view), waits for that view's persisted list and the
 * active worker, and runs sw-start.ts's warmStarts: a reload answered by the worker, then an
 * offline start in a new tab, each to the first frame painting the cached rows. The arms run in
 * alternating order, so load from elsewhere on the machine falls on all of them alike; each line
 * also gives when the snapshot (web/lib/mailbox-snapshot-script.ts) was put in the page and the
 * first animation frame after it, so a difference can be placed before or after the snapshot.
 *
 *   cd bench && node --import tsx src/offline-ab.ts <webDirA> [webDirB] [rounds] [size]
 *
 * - OFFLINE_AB_VIEWS=conv,flat (the default): the list views measured for each build;
 * - OFFLINE_AB_TRACE=DIR: after the rounds, OFFLINE_AB_TRACES (default 1) more runs of each arm
 *   under a Chromium trace (the reload and the offline tab), for their main thread's CPU time.
 */
import type { Page } from "playwright-core";
import { runTool, startAbStack } from "./ab-stack";
import { signInThroughForm, signOutContext, stamp, withColdPage } from "./browser/browser";
import { quantile } from "./browser-floor";
import type { FigureContext } from "./figures/context";
import { bridgeConversationSignIn, setConversationView } from "./figures/conversations-common";
import { waitForPersistedList } from "./figures/sign-in";
import { serviceWorkerActivated, warmStarts } from "./figures/sw-start";

/** Notes when the snapshot is put in the page and the first animation frame after that. */
const SNAPSHOT_MARKS = `(() => {
  new MutationObserver((records, observer) => {
    for (const r of records) for (const n of r.addedNodes) {
      if (n.nodeName !== "FERRY-SNAPSHOT") continue;
      window.__snapshotAt = performance.now();
      observer.disconnect();
      requestAnimationFrame(() => { window.__snapshotFrame = performance.now(); });
    }
  }).observe(document, { childList: true, subtree: true });
})()`;

const MARKS = `({ snapshot: window.__snapshotAt ?? null, frame: window.__snapshotFrame ?? null,
  markup: (localStorage.getItem("ferry.snapshot.v3.html") ?? "").length })`;

interface Marks {
  snapshot: number | null;
  frame: number | null;
  markup: number;
}
interface Start extends Marks {
  shown: number;
}
interface Sample {
  warm: Start;
  offline: Start;
}

/** The persisted list of each view (web/lib/mail-cache.ts's keys.list), as sign-in-flat.ts's. */
const LIST_KEY = {
  conv: /\["list","INBOX","","[^"]*","conversations"\]/,
  flat: /\["list","INBOX","","[^"]*"\]/,
};

const CATEGORIES =
  "devtools.timeline,blink.user_timing,loading,navigation,toplevel,v8.execute,blink,disabled-by-default-devtools.timeline".split(
    ",",
  );

async function once(
  ctx: FigureContext,
  conv: boolean,
  trace: string | null = null,
): Promise<Sample> {
  const browser = ctx.browser;
  const user = ctx.mail.bySize.get(ctx.config.sizes[0] ?? 0);
  if (!browser || !user) throw new Error("no browser or no user");
  await setConversationView(ctx, user, conv);
  return withColdPage(
    browser,
    ctx.bridge.url,
    ctx.config.failureDir,
    "offline-ab",
    async (page, context) => {
      await page.goto("/");
      await signInThroughForm(page, user);
      await stamp(page, "load.rows");
      await waitForPersistedList(page, undefined, LIST_KEY[conv ? "conv" : "flat"]);
      await serviceWorkerActivated(page);
      await context.addInitScript({ content: SNAPSHOT_MARKS });
      const marks: Partial<Record<"reload" | "offline start", Marks>> = {};
      if (trace) await browser.startTracing(undefined, { path: trace, categories: CATEGORIES });
      try {
        const r = await warmStarts(context, page, async (p: Page, where) => {
          marks[where] = (await p.evaluate(MARKS)) as Marks;
        });
        await signOutContext(context, ctx.bridge.url);
        const reload = marks.reload;
        const offline = marks["offline start"];
        if (!reload || !offline) throw new Error("no marks");
        return {
          warm: { shown: r.warm.shown, ...reload },
          offline: { shown: r.offline.shown, ...offline },
        };
      } finally {
        if (trace) await browser.stopTracing();
      }
    },
  );
}

function fail(): never {
  throw new Error("no user of that size");
}

const f = (x: number | null) => (x === null ? "–" : x.toFixed(1)).padStart(6);
const line = (s: Start) =>
  `${f(s.shown)} (snapshot in ${f(s.snapshot)}, its frame ${f(s.frame)}, ${s.markup} chars)`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dirs = args.filter((a) => !/^\d+$/.test(a));
  const [roundsText, sizeText] = args.filter((a) => /^\d+$/.test(a));
  if (dirs.length === 0 || dirs.length > 2)
    throw new Error("usage: offline-ab.ts <webDirA> [webDirB] [rounds] [size]");
  const rounds = Number(roundsText ?? 10);
  const size = Number(sizeText ?? 1000);
  const views = (process.env.OFFLINE_AB_VIEWS ?? "conv,flat").split(",");
  const { config, mail, bridges, browser } = await startAbStack(dirs, size);
  const arms: { name: string; ctx: FigureContext; conv: boolean }[] = [];
  for (const [k, bridge] of bridges.entries()) {
    for (const v of views)
      arms.push({
        name: `${"AB"[k]}-${v}`,
        ctx: { config, mail, bridge, browser },
        conv: v === "conv",
      });
  }
  // Untimed, as figure 1's own first round: the folder's first THREAD and Dovecot's caches.
  for (const a of arms) await bridgeConversationSignIn(a.ctx, mail.bySize.get(size) ?? fail());
  const samples = new Map<string, Sample[]>(arms.map((a) => [a.name, []]));
  for (const a of arms) await once(a.ctx, a.conv); // warm-up: the bridges' files, Chromium's code cache
  for (let i = 0; i < rounds; i++) {
    for (const a of i % 2 === 0 ? arms : [...arms].reverse()) {
      const s = await once(a.ctx, a.conv);
      samples.get(a.name)?.push(s);
      console.log(`${i} ${a.name.padEnd(7)} reload ${line(s.warm)}  offline ${line(s.offline)}`);
    }
  }
  const traceDir = process.env.OFFLINE_AB_TRACE;
  for (let i = 0; traceDir && i < Number(process.env.OFFLINE_AB_TRACES ?? 1); i++) {
    for (const a of arms) await once(a.ctx, a.conv, `${traceDir}/${a.name}-${i}.trace.json`);
  }
  const med = (xs: (number | null)[]) =>
    f(
      quantile(
        xs.filter((x): x is number => x !== null),
        0.5,
      ),
    );
  console.log(`size ${size}, ${rounds} rounds; medians, ms from navigation start`);
  console.log("arm      reload: painted snapshot-in   offline: painted snapshot-in");
  for (const [name, s] of samples) {
    const col = (start: "warm" | "offline") =>
      `${med(s.map((x) => x[start].shown))} ${med(s.map((x) => x[start].snapshot))}`;
    console.log(`${name.padEnd(8)} ${col("warm")}          ${col("offline")}`);
  }
  for (const [k, d] of dirs.entries()) console.log(`${"AB"[k]}: ${d}`);
}

runTool(main);
