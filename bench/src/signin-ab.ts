/**
 * A/B probe for figure 1's cold sign-in (a tool for work on it, not a benchmark row): two builds
 * of the web app, each served by its own bridge on one mail server, signed in cold in strict
 * alternation (a fresh context each, the sign-in page settled as while a person types, as
 * figures/sign-in.ts does), so load from elsewhere on the machine falls on both alike. Prints
 * per build the medians of click → rows and answer → rows (the POST's responseEnd → the rows'
 * frame), measured as the figure measures them.
 *
 *   cd bench && node --import tsx src/signin-ab.ts <webDirA> <webDirB> [signIns] [size]
 *
 * - SIGNIN_AB_A_BEFORE / SIGNIN_AB_B_BEFORE=<script>: run in that build's page once it has
 *   settled, before the sign-in (an experiment);
 * - SIGNIN_AB_PROFILE=DIR: also record a V8 CPU profile of each sign-in (DevTools protocol
 *   Profiler, SIGNIN_AB_INTERVAL µs, default 100), written as DIR/<A|B>-<n>.cpuprofile with the
 *   reveal's window on the profile's clock (DIR/<A|B>-<n>.window.json: the answer and the rows'
 *   frame), so a script can sum what ran between them function by function. The profiler slows
 *   the page: profiled runs measure the split, not the speed. With SIGNIN_AB_TRACE=1, a Chromium
 *   trace (timeline and JS samples) of each instead, DIR/<A|B>-<n>.trace.json.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CDPSession, Page } from "playwright-core";
import { runTool, startAbStack } from "./ab-stack";
import {
  clickStamp,
  settleSignInPage,
  signInThroughForm,
  signOutContext,
  stamp,
  withColdPage,
} from "./browser/browser";
import { quantile } from "./browser-floor";
import { signInAnswered } from "./figures/sign-in";
import type { BridgeProcess } from "./stack/bridge";
import type { Account } from "./stack/mail";

/**
 * Run in the page right after the profiler starts: a named busy loop of 2 ms whose first
 * sample ties the profile's clock (µs) to the page's performance.now() (ms); in a trace, the
 * user-timing mark "ferry-anchor" does.
 */
const ANCHOR =
  '(function __ferryAnchor() { const t = performance.mark("ferry-anchor").startTime; while (performance.now() - t < 2) {} return t; })()';

interface Sample {
  cold: number;
  answer: number;
}

interface ProfileOut {
  dir: string;
  name: string;
  interval: number;
  /** A Chromium trace (timeline and JS samples) instead of a CPU profile. */
  trace: boolean;
}

const TRACE_CATEGORIES = [
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "disabled-by-default-devtools.timeline.frame",
  "blink.user_timing",
  "v8.execute",
  "toplevel",
  "disabled-by-default-v8.cpu_profiler",
];

async function profiled<T>(
  page: Page,
  out: ProfileOut | null,
  fn: () => Promise<T>,
): Promise<{ value: T; stop: () => Promise<{ profile: unknown; anchor: number }> }> {
  if (!out) return { value: await fn(), stop: async () => ({ profile: null, anchor: 0 }) };
  if (out.trace) {
    const browser = page.context().browser();
    if (!browser) throw new Error("no browser to trace");
    await browser.startTracing(page, {
      path: join(out.dir, `${out.name}.trace.json`),
      categories: TRACE_CATEGORIES,
    });
    const anchor = (await page.evaluate(ANCHOR)) as number;
    const value = await fn();
    return {
      value,
      stop: async () => {
        await browser.stopTracing();
        return { profile: null, anchor };
      },
    };
  }
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: out.interval });
  await cdp.send("Profiler.start");
  const anchor = (await page.evaluate(ANCHOR)) as number;
  const value = await fn();
  return {
    value,
    stop: async () => {
      const { profile } = await cdp.send("Profiler.stop");
      await cdp.detach();
      return { profile, anchor };
    },
  };
}

async function coldSignIn(
  bridge: BridgeProcess,
  user: Account,
  browser: Parameters<typeof withColdPage>[0],
  failureDir: string,
  out: ProfileOut | null,
  before?: string,
): Promise<Sample> {
  return withColdPage(browser, bridge.url, failureDir, "signin-ab", async (page, context) => {
    await page.goto("/");
    await settleSignInPage(page);
    if (before) await page.evaluate(before); // experiment: SIGNIN_AB_A_BEFORE / _B_BEFORE
    const { value: rows, stop } = await profiled(page, out, async () => {
      await signInThroughForm(page, user);
      return stamp(page, "load.rows");
    });
    const click = await clickStamp(page, "Sign in");
    const answered = await signInAnswered(page, click);
    const { profile, anchor } = await stop();
    if (out) {
      if (profile) writeFileSync(join(out.dir, `${out.name}.cpuprofile`), JSON.stringify(profile));
      writeFileSync(
        join(out.dir, `${out.name}.window.json`),
        JSON.stringify({ anchor, click, answered, rows: rows.at }),
      );
    }
    await signOutContext(context, bridge.url);
    return { cold: rows.at - click, answer: rows.at - answered };
  });
}

async function main(): Promise<void> {
  const [dirA, dirB, runsText, sizeText] = process.argv.slice(2);
  if (!dirA || !dirB) throw new Error("usage: signin-ab.ts <webDirA> <webDirB> [signIns] [size]");
  const runs = Number(runsText ?? 15);
  const size = Number(sizeText ?? 1000);
  const { config, user, bridges, browser } = await startAbStack([dirA, dirB], size);
  const profileDir = process.env.SIGNIN_AB_PROFILE ?? null;
  const interval = Number(process.env.SIGNIN_AB_INTERVAL ?? 100);
  const tracing = process.env.SIGNIN_AB_TRACE === "1";
  const names = ["A", "B"];
  // One untimed sign-in each: the bridges' files and Chromium's code cache warm.
  for (const bridge of bridges) await coldSignIn(bridge, user, browser, config.failureDir, null);
  const samples: Sample[][] = [[], []];
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const k of order) {
      const out = profileDir
        ? { dir: profileDir, name: `${names[k]}-${i}`, interval, trace: tracing }
        : null;
      samples[k]?.push(
        await coldSignIn(
          bridges[k] as BridgeProcess,
          user,
          browser,
          config.failureDir,
          out,
          k === 1 ? process.env.SIGNIN_AB_B_BEFORE : process.env.SIGNIN_AB_A_BEFORE,
        ),
      );
    }
  }
  const f = (x: number) => x.toFixed(1).padStart(6);
  const line = (xs: number[]) =>
    `${f(quantile(xs, 0.5))} (${f(quantile(xs, 0.25))}–${f(quantile(xs, 0.75))})`;
  console.log(`cold sign-in, ${runs} each, size ${size}; median (p25–p75), ms`);
  console.log("build  click → rows              answer → rows");
  for (const [k, name] of names.entries()) {
    const s = samples[k] ?? [];
    console.log(`${name.padEnd(6)} ${line(s.map((x) => x.cold))}  ${line(s.map((x) => x.answer))}`);
  }
  console.log(`A: ${dirA}\nB: ${dirB}`);
}

runTool(main);
