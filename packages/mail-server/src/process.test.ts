/**
 * Tests of the fixture as a process: the CLI (`start` until SIGINT) and the exit/signal
 * cleanup that stops daemons of a process that never called stop().
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { ImapFlow } from "imapflow";
import { describe, expect, it } from "vitest";
import { missingMailServerPackages, postfixAlternateConfigDirs } from "./index";
import { descendants, isAlive, waitFor } from "./proc";

const root = join(import.meta.dirname, "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
/**
 * Node with tsx's loader, in one process. The `tsx` command runs the script in a child and
 * relays a signal to it; when the child has not acknowledged it within 30 ms (a busy machine),
 * it SIGKILLs the child and exits 130, so the fixture under test would never clean up.
 */
const node = [process.execPath, "--import", "tsx"] as const;

interface Summary {
  host: string;
  imap: { tlsPort: number };
  caFile: string;
  users: { email: string; password: string }[];
  dir: string;
  pids: { dovecot?: number; postfix?: number };
}

function launch(args: string[]): { child: ChildProcess; summary: Promise<Summary> } {
  const [cmd, ...flags] = node;
  const child = spawn(cmd, [...flags, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const summary = new Promise<Summary>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      try {
        resolve(JSON.parse(out) as Summary);
      } catch {}
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code} before printing:\n${err}`)));
  });
  return { child, summary };
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** The Dovecot and Postfix master processes. */
function masterPids(summary: Summary): number[] {
  return [summary.pids.dovecot, summary.pids.postfix].filter((p): p is number => p !== undefined);
}

/**
 * The masters and every process under them now. Some of these end on their own moments after
 * start (Dovecot's managesieve process, seen in about one start in eight), so only the masters
 * can be expected to be running.
 */
function daemonPids(summary: Summary): number[] {
  return masterPids(summary).flatMap((p) => [p, ...descendants(p)]);
}

async function expectCleanedUp(summary: Summary, pids: number[]): Promise<void> {
  await waitFor("fixture processes to exit", () => pids.every((p) => !isAlive(p)), 10_000);
  await expect(stat(summary.dir)).rejects.toMatchObject({ code: "ENOENT" });
  expect(postfixAlternateConfigDirs()).not.toContain(join(summary.dir, "postfix", "etc"));
}

describe("cli install", () => {
  it("is a quick no-op when the packages are present", async () => {
    expect(missingMailServerPackages()).toEqual([]);
    const child = spawn(tsx, ["src/cli.ts", "install"], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    expect(out).toBe("ok\n");
  });
});

describe("cli start", () => {
  it("serves the users it printed and stops cleanly on SIGINT", async () => {
    const { child, summary: pending } = launch([
      "src/cli.ts",
      "start",
      "--domain",
      "cli.test",
      "--user",
      "carol@cli.test:carol-pw",
    ]);
    const summary = await pending;
    expect(summary.users).toEqual([{ email: "carol@cli.test", password: "carol-pw" }]);
    const pids = daemonPids(summary);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    const client = new ImapFlow({
      host: summary.host,
      port: summary.imap.tlsPort,
      secure: true,
      tls: { ca: await readFile(summary.caFile, "utf8") },
      auth: { user: "carol@cli.test", pass: "carol-pw" },
      logger: false,
    });
    await client.connect();
    expect(client.authenticated).toBeTruthy();
    await client.logout();
    child.kill("SIGINT");
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    await expectCleanedUp(summary, pids);
  });
});

const script = (tail: string) => `
import { startMailServer } from "./src/index";
startMailServer({ users: [{ email: "dan@exit.test", password: "pw" }] }).then((server) => {
  console.log(JSON.stringify({ ...server, pids: server.pids() }));
  ${tail}
});
`;

describe("exit cleanup", () => {
  it("stops the daemons of a process that exits without calling stop()", async () => {
    const { child, summary } = launch(["--input-type=module", "-e", script("process.exit(0);")]);
    const s = await summary;
    const pids = daemonPids(s);
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    await expectCleanedUp(s, pids);
  });

  it("stops the daemons of a process killed by SIGTERM, then dies of the signal", async () => {
    const { child, summary } = launch([
      "--input-type=module",
      "-e",
      script("setInterval(() => {}, 1000);"),
    ]);
    const s = await summary;
    const pids = daemonPids(s);
    expect(masterPids(s).filter(isAlive)).toHaveLength(2);
    child.kill("SIGTERM");
    const { code, signal } = await exited(child);
    expect(signal === "SIGTERM" || code === 128 + 15).toBe(true);
    await expectCleanedUp(s, pids);
  });
});
