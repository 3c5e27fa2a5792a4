/**
 * Test support: the bridge's real entry point (src/main.ts, through tsx) as a child process,
 * configured by environment variables only, as it runs in production. `kill()` ends it with
 * SIGKILL: no shutdown code runs (no socket closes, no job handed back, nothing flushed), as when
 * a machine or process dies. Its JSON log lines are kept for the test's error messages.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { withTimeout } from "./harness";

export interface BridgeProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>`, as an upstream of a proxy. */
  address: string;
  pid: number;
  /** The last lines it wrote. */
  tail(): string;
  /** SIGKILL, then waits until it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (a graceful shutdown), then waits until it is gone. */
  stop(): Promise<void>;
}

/** Starts `node --import tsx src/main.ts` with `env` (and PATH, HOME), once it listens. */
export async function startBridgeProcess(env: Record<string, string>): Promise<BridgeProcess> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: join(import.meta.dirname, ".."),
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      FERRY_PORT: "0",
      FERRY_HOST: "127.0.0.1",
      FERRY_LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("the bridge did not start");
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > 60) lines.shift();
  };
  let listening: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => {
    listening = resolve;
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    keep(line);
    if (!line.includes("bridge listening")) return;
    try {
      const entry = JSON.parse(line) as { url?: unknown };
      if (typeof entry.url === "string") listening(entry.url);
    } catch {}
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", keep);
  const tail = () => lines.join("\n");
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await withTimeout(exited, 15_000, `the bridge (pid ${pid}) to exit`);
  };
  let base: string;
  try {
    base = await withTimeout(
      Promise.race([
        url,
        exited.then(() => {
          throw new Error(`the bridge exited with ${child.exitCode ?? child.signalCode}`);
        }),
      ]),
      60_000,
      "the bridge to listen",
    );
  } catch (err) {
    await end("SIGKILL");
    throw new Error(`${(err as Error).message}\n--- bridge output ---\n${tail()}`);
  }
  return {
    url: base,
    address: new URL(base).host,
    pid,
    tail,
    kill: () => end("SIGKILL"),
    stop: () => end("SIGTERM"),
  };
}
