/**
 * `pnpm bench` / `./ferry bench`: runs Ferry's real stack on loopback (the mail-server fixture,
 * the built bridge as a child process, the built web app in headless Chromium), measures the six
 * figures of the benchmark issue against DESIGN.md's budgets and against the bare-IMAP floor,
 * prints the table and writes the same figures as JSON.
 *
 * A missed budget never fails the run: it is a measurement. A figure that cannot be measured
 * (a crash, a timeout, the web app not built) is reported as an error row, the others still run,
 * and the exit code is 1.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { launchBrowser } from "./browser/browser";
import { cleanupAll, interrupted } from "./cleanup";
import { BenchConfigError, type FigureName, loadBenchConfig } from "./config";
import type { FigureContext } from "./figures/context";
import { conversationsFigure } from "./figures/conversations";
import { countsFigure } from "./figures/counts";
import { firstLoadFigure } from "./figures/first-load";
import { jumpFigure } from "./figures/jump";
import { pushFigure } from "./figures/push";
import { readerFigure } from "./figures/reader";
import { sessionsFigure } from "./figures/sessions";
import { signInFigure } from "./figures/sign-in";
import { searchAllFigure, sortFigure } from "./figures/sort-search";
import { resumeFigure, storeFigure } from "./figures/state";
import { progress, step } from "./progress";
import { errorRow, type Row, renderNotes, renderTable, writeJson } from "./report";
import { checkBuilt, startBridge } from "./stack/bridge";
import { DOVECOT_TUNING, startBenchMail } from "./stack/mail";

const TITLES: Record<FigureName, string> = {
  signin: "1 sign-in → first rows",
  push: "2 delivery → row",
  reader: "3 open 20 MB message",
  jump: "4 jump to the middle",
  sessions: "5 idle sessions",
  firstload: "6 first-load JS",
  sort: "7 sort by sender",
  searchall: "8 search all folders",
  counts: "9 folder count → browser",
  store: "10 state store",
  resume: "11 resume",
  conversations: "12 conversations",
};

function tryRun(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const config = loadBenchConfig();
  const started = new Date();
  const load = { start: loadavg(), end: [] as number[] };
  const rows: Row[] = [];
  const wants = (f: FigureName) => config.only.has(f);
  const webBuilt = existsSync(join(config.webDir, "index.html"));
  progress(
    `Ferry benchmark, ${config.quick ? "quick" : "full"} mode; sizes ${config.sizes.join(", ")}; ${config.repeats} repeats`,
  );

  const run = async (name: FigureName, fn: () => Promise<Row[]> | Row[]) => {
    if (!wants(name) || interrupted()) return;
    try {
      rows.push(...(await step(TITLES[name], async () => fn())));
    } catch (err) {
      progress(`${TITLES[name]} failed: ${(err as Error).stack ?? String(err)}`);
      rows.push(errorRow(name, TITLES[name], "figure", err));
    }
  };

  await run("firstload", () => {
    if (!webBuilt) throw new Error("web/out/index.html missing: run `pnpm build` first");
    return firstLoadFigure(config.webDir);
  });
  await run("store", () => storeFigure(config));

  let chromiumVersion: string | null = null;
  const needsStack = (
    [
      "signin",
      "push",
      "reader",
      "jump",
      "sessions",
      "sort",
      "searchall",
      "counts",
      "resume",
      "conversations",
    ] as const
  ).some(wants);
  if (needsStack) {
    checkBuilt(config, { web: false });
    const mail = await step("mail server and seeding", () => startBenchMail(config));
    const live = (
      ["signin", "push", "reader", "jump", "sort", "searchall", "counts", "conversations"] as const
    ).some(wants);
    if (live) {
      const bridge = await step("bridge", () =>
        startBridge(config, mail.server, {
          profileDir: config.profileDir,
          profileName: "bridge-figures-1-4",
        }),
      );
      let browser: Browser | null = null;
      if (webBuilt) {
        browser = await launchBrowser(config.chromium);
        chromiumVersion = browser.version();
      } else {
        progress("web/out is missing (`pnpm build`): browser figures will be errors");
      }
      const ctx: FigureContext = { config, mail, bridge, browser };
      await run("signin", () => signInFigure(ctx));
      await run("jump", () => jumpFigure(ctx));
      await run("reader", () => readerFigure(ctx));
      await run("push", () => pushFigure(ctx));
      await run("sort", () => sortFigure(ctx));
      await run("searchall", () => searchAllFigure(ctx));
      await run("counts", () => countsFigure(ctx));
      await run("conversations", () => conversationsFigure(ctx));
      await browser?.close();
      await bridge.stop();
    }
    // Alone on the machine's bridge side: its own bridge process, nothing else running.
    await run("sessions", () => sessionsFigure({ config, mail }));
    // bridges of their own: restarted on one SQLite file, and two on Redis behind nginx
    await run("resume", () => resumeFigure(config, mail));
  }
  load.end = loadavg();

  const finished = new Date();
  const meta = {
    started: started.toISOString(),
    finished: finished.toISOString(),
    seconds: Math.round((finished.getTime() - started.getTime()) / 1000),
    mode: config.quick ? "quick" : "full",
    sizes: config.sizes,
    repeats: config.repeats,
    deliveriesPerPath: config.deliveries,
    sessions: config.sessions,
    commit: tryRun("git", ["-C", config.root, "rev-parse", "--short", "HEAD"]),
    dirty: (tryRun("git", ["-C", config.root, "status", "--porcelain"]) ?? "") !== "",
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? null,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    loadavg: load,
    dovecot: tryRun("dovecot", ["--version"]),
    chromium: chromiumVersion,
    dovecotTuning: DOVECOT_TUNING.trim(),
    units: "ms; MB = 2^20 bytes; KB = 2^10 bytes",
  };
  process.stdout.write(`\n${renderTable(rows)}\n\n${renderNotes(rows)}\n`);
  process.stdout.write(
    `\n${config.quick ? "quick" : "full"} run, ${meta.seconds} s, load average ${load.start[0]?.toFixed(2)} → ${load.end[0]?.toFixed(2)}; JSON: ${config.out}\n`,
  );
  writeJson(config.out, { meta, rows });
  const errors = rows.filter((r) => r.status === "error");
  if (errors.length > 0) {
    process.stderr.write(`bench: ${errors.length} figure(s) could not be measured\n`);
    return 1;
  }
  return 0;
}

main().then(
  async (code) => {
    await cleanupAll();
    process.exit(code);
  },
  async (err: unknown) => {
    if (err instanceof BenchConfigError) process.stderr.write(`bench: ${err.message}\n`);
    else process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    await cleanupAll();
    process.exit(1);
  },
);
