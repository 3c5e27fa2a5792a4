/**
 * What the A/B tools (warm-ab.ts, signin-ab.ts, offline-ab.ts) share: the benchmark's fixture
 * with one INBOX size (quick config, figure 1's users), a built bridge serving each web build
 * given, and the benchmark's Chromium; and running a tool's main with everything it started
 * stopped afterwards, whether it failed or not.
 */
import { resolve } from "node:path";
import type { Browser } from "playwright-core";
import { launchBrowser } from "./browser/browser";
import { cleanupAll } from "./cleanup";
import { type BenchConfig, loadBenchConfig } from "./config";
import { type BridgeProcess, startBridge } from "./stack/bridge";
import { type Account, type BenchMail, startBenchMail } from "./stack/mail";

export interface AbStack {
  config: BenchConfig;
  mail: BenchMail;
  /** The user with `size` messages in INBOX. */
  user: Account;
  /** One bridge per web build, in the order given. */
  bridges: BridgeProcess[];
  browser: Browser;
}

export async function startAbStack(webDirs: string[], size: number): Promise<AbStack> {
  const base = loadBenchConfig(process.env, ["--quick", "--only=signin"]);
  const config = { ...base, sizes: [size] };
  const mail = await startBenchMail(config);
  const user = mail.bySize.get(size);
  if (!user) throw new Error(`no user with ${size} messages`);
  const bridges: BridgeProcess[] = [];
  for (const dir of webDirs) {
    bridges.push(await startBridge({ ...config, webDir: resolve(dir) }, mail.server));
  }
  return { config, mail, user, bridges, browser: await launchBrowser(config.chromium) };
}

/** Runs a tool's main; stops what it started either way, and a failure sets the exit code. */
export function runTool(main: () => Promise<void>): void {
  main().then(
    () => cleanupAll(),
    async (err: unknown) => {
      console.error(err);
      await cleanupAll();
      process.exitCode = 1;
    },
  );
}
