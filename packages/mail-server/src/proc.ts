/**
 * Process helpers for the fixture: running external commands with their output attached to
 * errors, inspecting /proc for daemon process trees, and polling with backoff instead of sleeping.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";

/** Output of a finished command. */
export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell (stdin is /dev/null); rejects with its output on failure. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("close", (code, sig) => {
      if (code === 0) return resolve({ stdout, stderr });
      const out = `${stderr}${stdout}`.trim();
      reject(new Error(`${cmd} ${args.join(" ")} exited with ${code ?? sig}\n${out}`));
    });
  });
}

/**
 * Runs a command that daemonizes. Its stdout/stderr go to `outputFile` rather than pipes (the
 * daemon would inherit and hold them open); on a non-zero exit the file's text is in the error.
 */
export function runDaemonizing(
  cmd: string,
  args: readonly string[],
  outputFile: string,
): Promise<void> {
  const fd = openSync(outputFile, "a");
  return new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", fd, fd] });
    child.once("error", reject);
    child.once("exit", (code, sig) => {
      if (code === 0) return resolve();
      let out = "";
      try {
        out = readFileSync(outputFile, "utf8").trim();
      } catch {}
      reject(new Error(`${cmd} ${args.join(" ")} exited with ${code ?? sig}\n${out}`));
    });
  }).finally(() => closeSync(fd));
}

function procStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== "Z" && stat.state !== "X";
}

/** Pids of all live descendants of `pid` (children, grandchildren, …). */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    const child = Number(entry);
    if (!Number.isInteger(child)) continue;
    const stat = procStat(child);
    if (!stat || stat.state === "Z") continue;
    const list = parents.get(stat.ppid) ?? [];
    list.push(child);
    parents.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of parents.get(next) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** The process's command name (/proc/<pid>/comm), or undefined if it is gone. */
export function commandName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Sends a signal, ignoring processes that are already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {}
}

/**
 * Polls `check` with a short exponential backoff (2 ms → 50 ms) until it returns a value other
 * than `undefined`/`false`, or throws a timeout error naming `what`.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 50);
  }
}

/** Synchronous sleep, for use in 'exit' handlers and lock spinning only. */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Stops a daemon's process tree: SIGTERM to the master and all its descendants (again for any
 * that appear while it shuts down), SIGKILL after `graceMs`, until every process is gone.
 */
export async function terminateTree(what: string, master: number, graceMs = 1000): Promise<void> {
  const seen = new Set([master, ...descendants(master)]);
  for (const pid of seen) signal(pid, "SIGTERM");
  const killAt = Date.now() + graceMs;
  await waitFor(
    `${what} to exit`,
    () => {
      const late = Date.now() > killAt;
      if (isAlive(master)) {
        for (const pid of descendants(master)) {
          if (!seen.has(pid) || late) signal(pid, late ? "SIGKILL" : "SIGTERM");
          seen.add(pid);
        }
        if (late) signal(master, "SIGKILL");
      } else if (late) {
        for (const pid of seen) signal(pid, "SIGKILL");
      }
      return [...seen].every((pid) => !isAlive(pid));
    },
    graceMs + 5000,
  );
}

/** Synchronous variant of {@link terminateTree} for 'exit' handlers (waits at most `waitMs`). */
export function terminateTreeSync(master: number, waitMs = 2000): void {
  const pids = [master, ...descendants(master)];
  for (const pid of pids) signal(pid, "SIGTERM");
  const deadline = Date.now() + waitMs;
  while (pids.some(isAlive) && Date.now() < deadline) sleepSync(10);
  for (const pid of pids) if (isAlive(pid)) signal(pid, "SIGKILL");
}
