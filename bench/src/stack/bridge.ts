/**
 * The bridge under test, as a child process running the built bridge (bridge/dist/main.js), so
 * its RSS is the bridge's alone. Pinned to the fixture (IMAP implicit TLS, SMTP submission with
 * STARTTLS, the fixture's CA), serving the built web app, on a free loopback port.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { MailServer } from "@ferry/mail-server";
import { PROTOCOL_VERSION, socketPath } from "@ferry/protocol";
import { onCleanup } from "../cleanup";
import type { BenchConfig } from "../config";
import { withTimeout } from "../progress";

export interface BridgeProcess {
  url: string;
  /** The bridge's own origin, allowed to sign in and open the socket. */
  origin: string;
  wsUrl: string;
  pid: number;
  /** Resident set size of the bridge process now, in bytes (from /proc). */
  rss(): number;
  /** Last lines the bridge wrote (for error messages). */
  tail(): string;
  /** With a profile dir: writes a V8 heap snapshot there (SIGUSR2) and returns its path. */
  heapSnapshot(): Promise<string | null>;
  /** SIGKILL, as when the process or its machine dies; resolves once it is gone. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** The built bridge and web app a run uses (BenchConfig's). */
export type BuiltPaths = Pick<BenchConfig, "root" | "webDir" | "bridgeMain">;

/** Paths the benchmark needs built; throws a message naming the command that builds them. */
export function checkBuilt(paths: BuiltPaths, opts: { web: boolean }): void {
  const missing: string[] = [];
  if (!existsSync(paths.bridgeMain)) missing.push(paths.bridgeMain);
  if (opts.web && !existsSync(join(paths.webDir, "index.html"))) {
    missing.push(join(paths.webDir, "index.html"));
  }
  if (missing.length > 0) {
    throw new Error(`${missing.join(" and ")} missing: run \`pnpm build\` first`);
  }
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}

/**
 * Starts the built bridge. With `profileDir`, it runs with --cpu-prof (a .cpuprofile named
 * `profileName` is written there when it exits) and can write heap snapshots there.
 */
export async function startBridge(
  paths: BuiltPaths,
  mail: MailServer,
  opts: {
    logLevel?: string;
    profileDir?: string | null;
    profileName?: string;
    /** Over the defaults: e.g. FERRY_PORT, FERRY_REDIS_URL, a FERRY_DATA_DIR kept across restarts. */
    env?: Record<string, string>;
  } = {},
): Promise<BridgeProcess> {
  const profileDir = opts.profileDir ?? null;
  const nodeArgs: string[] = [];
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    nodeArgs.push(
      "--cpu-prof",
      `--cpu-prof-dir=${profileDir}`,
      `--cpu-prof-name=${opts.profileName ?? "bridge"}.cpuprofile`,
      "--heapsnapshot-signal=SIGUSR2",
      `--diagnostic-dir=${profileDir}`,
    );
  }
  // its own state store (a SQLite file), so runs neither share sessions nor sign-in counts
  const dataDir = mkdtempSync(join(tmpdir(), "ferry-bench-data-"));
  const env: Record<string, string> = {
    FERRY_DATA_DIR: dataDir,
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    FERRY_PORT: "0",
    FERRY_HOST: "127.0.0.1",
    FERRY_SESSION_SECRET: "bench-secret-bench-secret-bench-secret!!",
    FERRY_LOG_LEVEL: process.env.FERRY_BENCH_BRIDGE_LOG_LEVEL ?? opts.logLevel ?? "info",
    FERRY_WEB_DIR: paths.webDir,
    FERRY_IMAP_HOST: mail.host,
    FERRY_IMAP_PORT: String(mail.imap.tlsPort),
    FERRY_IMAP_SECURITY: "tls",
    FERRY_SMTP_HOST: mail.host,
    FERRY_SMTP_PORT: String(mail.submissionPort),
    FERRY_SMTP_SECURITY: "starttls",
    FERRY_CA_FILE: mail.caFile,
    // The idle-sessions figure signs in up to 250 sessions per user and 1,000 from loopback:
    // above the production defaults (20 per account, 50 per client address).
    FERRY_SESSIONS_PER_ACCOUNT: "1000",
    FERRY_SESSIONS_PER_CLIENT: "5000",
    ...opts.env,
  };
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, paths.bridgeMain], {
    cwd: join(paths.root, "bridge"),
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("the bridge did not start");
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const unregister = onCleanup({
    name: `bridge (pid ${pid})`,
    close: () => stop(),
    kill: () => {
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  });

  const lines: string[] = [];
  const logFile = process.env.FERRY_BENCH_BRIDGE_LOG;
  const keep = (line: string) => {
    if (logFile) appendFileSync(logFile, `${pid} ${line}\n`);
    lines.push(line);
    if (lines.length > 40) lines.shift();
  };
  let resolveUrl: (url: string) => void = () => {};
  const listening = new Promise<string>((resolve) => {
    resolveUrl = resolve;
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    keep(line);
    if (!line.includes("bridge listening")) return;
    try {
      const entry = JSON.parse(line) as { url?: unknown };
      if (typeof entry.url === "string") resolveUrl(entry.url);
    } catch {}
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", keep);
  const tail = () => lines.join("\n");

  let stopping: Promise<void> | null = null;
  function stop(): Promise<void> {
    stopping ??= (async () => {
      unregister();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 12_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    })();
    return stopping;
  }

  let url: string;
  try {
    url = await withTimeout(
      Promise.race([
        listening,
        exited.then((code) => {
          throw new Error(`the bridge exited with code ${code}`);
        }),
      ]),
      15_000,
      "the bridge to listen",
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- bridge output ---\n${tail()}`);
  }
  const heapSnapshot = async (): Promise<string | null> => {
    if (!profileDir) return null;
    const snapshots = () =>
      new Set(readdirSync(profileDir).filter((f) => f.endsWith(".heapsnapshot")));
    const before = snapshots();
    child.kill("SIGUSR2");
    const deadline = performance.now() + 300_000;
    let last = -1;
    while (performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2000));
      const file = [...snapshots()].find((f) => !before.has(f));
      if (file === undefined) continue;
      const size = statSync(join(profileDir, file)).size;
      if (size > 0 && size === last) return join(profileDir, file);
      last = size;
    }
    return null;
  };
  return {
    url,
    origin: url,
    wsUrl: `${url.replace(/^http/, "ws")}${socketPath(PROTOCOL_VERSION)}`,
    pid,
    rss: () => rssOf(pid),
    tail,
    heapSnapshot,
    kill: async () => {
      unregister();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
    stop,
  };
}
