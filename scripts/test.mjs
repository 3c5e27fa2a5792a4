#!/usr/bin/env node
// Runs every test suite of the workspace, then prints one closing line:
// "tests: N passed, N failed, N skipped", after a line per failed test (and per test that passed
// only on a retry) with its first error line. Exits non-zero if any suite failed.
//
// The suites run one after another: the protocol and mail-server vitest suites first (the
// fixture's own tests hold speed budgets), then the bridge, web and bench vitest suites, then
// the Playwright e2e suite (its lines are printed as they come, each prefixed "e2e │ "). Each
// vitest suite's output goes to test-results/summary/<suite>.log and is printed whole when it
// ends. FERRY_TEST_PARALLEL=1 runs the e2e suite beside the bridge, web and bench suites
// instead: every suite starts its own mail servers and bridges on free ports with temp dirs of
// their own, so the lanes share only the CPU. On a 2-core machine that saved no time (1,856 s of
// tests in a CI dry run, about what the suites take in turn: e2e alone went from about 1,000 s
// to 1,763 s beside the others) and slowed timing-sensitive tests, so it is not the default.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const out = join(root, "test-results", "summary");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/** Vitest suites, in dependency order: those run before e2e, and those run beside it. */
const vitestFirst = ["packages/protocol", "packages/mail-server"];
const vitestBeside = ["bridge", "web", "bench"];

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
/** Tests that failed, and those that passed only on a retry, for the closing list. */
const failedTests = [];
const flakyTests = [];
const timings = [];
const children = new Set();
let stopping = false;

function seconds(since) {
  return ((Date.now() - since) / 1000).toFixed(1);
}

/** Writes whole lines to stdout with `prefix`, holding back a partial line until it ends. */
function linePrefixer(prefix) {
  let partial = "";
  return {
    write(chunk) {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      if (lines.length > 0) process.stdout.write(lines.map((l) => `${prefix}${l}\n`).join(""));
    },
    end() {
      if (partial) process.stdout.write(`${prefix}${partial}\n`);
      partial = "";
    },
  };
}

/**
 * Runs a command to its end. With `log`, its output goes to that file and is printed in one
 * piece afterwards; with `prefix`, each of its lines is printed at once behind the prefix.
 * Resolves true on exit code 0.
 */
function run(label, cmd, args, { cwd, env = {}, log, prefix }) {
  console.log(`==> ${label}`);
  const started = Date.now();
  const fd = log ? openSync(log, "w") : undefined;
  const child = spawn(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", fd ?? "pipe", fd ?? "pipe"],
    // Its own process group, so that a stop reaches every process of the suite (browsers,
    // Playwright's workers) and not only the pnpm in front of them.
    detached: true,
  });
  children.add(child);
  const printer = prefix ? linePrefixer(prefix) : undefined;
  if (printer) {
    child.stdout?.setEncoding("utf8").on("data", (d) => printer.write(d));
    child.stderr?.setEncoding("utf8").on("data", (d) => printer.write(d));
  }
  return new Promise((done) => {
    const finish = (status) => {
      children.delete(child);
      if (fd !== undefined) closeSync(fd);
      printer?.end();
      const secs = seconds(started);
      timings.push(`${label}: ${secs} s`);
      const body = log && existsSync(log) ? readFileSync(log, "utf8").trimEnd() : undefined;
      const block = [
        ...(body === undefined ? [] : [`\n==> ${label} (output)`, body]),
        `<== ${label}: exit ${status} in ${secs} s`,
      ];
      process.stdout.write(`${block.join("\n")}\n`);
      done(status === 0);
    };
    child.once("error", (err) => {
      if (log) process.stderr.write(`${label}: ${err.message}\n`);
      finish(err.message);
    });
    child.once("close", (code, signal) => finish(code ?? signal));
  });
}

/** The first line of an error message, without terminal colours, cut to a line's width. */
function firstLine(message) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the colour codes are the point
  const plain = String(message ?? "").replace(/\u001b\[[0-9;]*m/g, "");
  const line = plain.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.trim().slice(0, 240);
}

/**
 * "suite › file › test: first error line" for each failed test (or failed file) of a vitest
 * report; those that passed on a retry go to flakyTests.
 */
function vitestFailures(suite, report) {
  const found = [];
  for (const file of report.testResults ?? []) {
    const name = relative(join(root, suite), file.name ?? "");
    const failed = (file.assertionResults ?? []).filter((t) => t.status === "failed");
    for (const t of failed) {
      found.push(`${suite} › ${name} › ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
    }
    // A file that failed outside its tests (an import error, a failed beforeAll).
    if (failed.length === 0 && file.status === "failed") {
      found.push(`${suite} › ${name}: ${firstLine(file.message)}`);
    }
    // A test that passed on a retry keeps its first try's error in the report.
    for (const t of file.assertionResults ?? []) {
      if (t.status !== "passed" || !t.failureMessages?.length) continue;
      flakyTests.push(`${suite} › ${name} › ${t.fullName}: ${firstLine(t.failureMessages[0])}`);
    }
  }
  return found;
}

/** The e2e report's failed tests and those that passed only on a retry, as vitestFailures. */
function e2eProblems(report) {
  const failed = [];
  const flaky = [];
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== "unexpected" && t.status !== "flaky") continue;
        const error = (t.results ?? []).find((r) => r.error)?.error?.message;
        const line = `e2e › [${t.projectName}] ${spec.file}:${spec.line} › ${spec.title}: ${firstLine(error)}`;
        (t.status === "flaky" ? flaky : failed).push(line);
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of report.suites ?? []) walk(suite);
  return { failed, flaky };
}

async function vitestLane(suites) {
  for (const suite of suites) {
    if (stopping) return;
    const dir = join(root, suite);
    if (!existsSync(join(dir, "package.json"))) continue;
    const name = suite.replaceAll("/", "-");
    const report = join(out, `${name}.json`);
    const ok = await run(
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
      { cwd: dir, log: join(out, `${name}.log`) },
    );
    if (existsSync(report)) {
      const j = JSON.parse(readFileSync(report, "utf8"));
      totals.passed += j.numPassedTests ?? 0;
      totals.failed += j.numFailedTests ?? 0;
      totals.skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
      failedTests.push(...vitestFailures(suite, j));
    }
    if (!ok) failures.push(suite);
  }
}

async function e2eLane() {
  if (stopping) return;
  const e2eDir = join(root, "e2e");
  if (!existsSync(join(e2eDir, "playwright.config.ts"))) return;
  const report = join(out, "e2e.json");
  const ok = await run(
    "playwright e2e",
    "pnpm",
    ["exec", "playwright", "test", "--reporter=list,json"],
    {
      cwd: e2eDir,
      env: { PLAYWRIGHT_JSON_OUTPUT_NAME: report },
      prefix: "e2e │ ",
    },
  );
  if (existsSync(report)) {
    const s = JSON.parse(readFileSync(report, "utf8")).stats ?? {};
    totals.passed += (s.expected ?? 0) + (s.flaky ?? 0);
    totals.failed += s.unexpected ?? 0;
    totals.skipped += s.skipped ?? 0;
    const found = e2eProblems(JSON.parse(readFileSync(report, "utf8")));
    failedTests.push(...found.failed);
    flakyTests.push(...found.flaky);
  }
  if (!ok) failures.push("e2e");
}

// Ctrl-C or a kill of this runner stops every suite running (each is its own process group) and
// starts no other; the summary of what ran is still printed. A second one ends the runner at once.
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(sig, () => {
    stopping = true;
    for (const child of children) {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {}
    }
  });
}

const started = Date.now();
await vitestLane(vitestFirst);
if (process.env.FERRY_TEST_PARALLEL) {
  await Promise.all([e2eLane(), vitestLane(vitestBeside)]);
} else {
  await vitestLane(vitestBeside);
  await e2eLane();
}

console.log("");
console.log(`suite times: ${timings.join(", ")}; all tests: ${seconds(started)} s`);
// The failed tests are listed here, at the end, so that the last lines of a long run say which.
for (const line of flakyTests) console.log(`passed on retry: ${line}`);
for (const line of failedTests) console.log(`failed: ${line}`);
if (failures.length > 0) console.log(`failed suites: ${failures.join(", ")}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(stopping || failures.length > 0 || totals.failed > 0 ? 1 : 0);
