#!/usr/bin/env node
// Runs every test suite of the workspace one after another (they each start real mail servers,
// so running them at once would only fight over 2 cores), then prints one closing line:
// "tests: N passed, N failed, N skipped". Exits non-zero if any suite failed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const out = join(root, "test-results", "summary");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/** Vitest suites, in dependency order. */
const vitestSuites = ["packages/protocol", "packages/mail-server", "bridge", "web", "bench"];

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function run(label, cmd, args, cwd, env = {}) {
  console.log(`\n==> ${label}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd, stdio: "inherit", env: { ...process.env, ...env } });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`<== ${label}: exit ${r.status ?? r.signal} in ${secs} s`);
  return r.status === 0;
}

for (const suite of vitestSuites) {
  const dir = join(root, suite);
  if (!existsSync(join(dir, "package.json"))) continue;
  const report = join(out, `${suite.replaceAll("/", "-")}.json`);
  const ok = run(
    `vitest ${suite}`,
    "pnpm",
    [
      "exec",
      "vitest",
      "run",
      "--passWithNoTests",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
    ],
    dir,
  );
  if (existsSync(report)) {
    const j = JSON.parse(readFileSync(report, "utf8"));
    totals.passed += j.numPassedTests ?? 0;
    totals.failed += j.numFailedTests ?? 0;
    totals.skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  }
  if (!ok) failures.push(suite);
}

const e2eDir = join(root, "e2e");
if (existsSync(join(e2eDir, "playwright.config.ts"))) {
  const report = join(out, "e2e.json");
  const ok = run(
    "playwright e2e",
    "pnpm",
    ["exec", "playwright", "test", "--reporter=list,json"],
    e2eDir,
    {
      PLAYWRIGHT_JSON_OUTPUT_NAME: report,
    },
  );
  const jsonPath = existsSync(report) ? report : undefined;
  if (jsonPath) {
    const s = JSON.parse(readFileSync(jsonPath, "utf8")).stats ?? {};
    totals.passed += (s.expected ?? 0) + (s.flaky ?? 0);
    totals.failed += s.unexpected ?? 0;
    totals.skipped += s.skipped ?? 0;
  }
  if (!ok) failures.push("e2e");
}

console.log("");
if (failures.length > 0) console.log(`failed suites: ${failures.join(", ")}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failures.length > 0 || totals.failed > 0 ? 1 : 0);
