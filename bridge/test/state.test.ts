/**
 * State that outlives the bridge, against the real fixture: a bridge restarted on the same state
 * store (SQLite file, or a real Redis) with the same FERRY_SESSION_SECRET keeps a signed-in
 * browser signed in (its socket reconnects with the cookie and reads mail without a sign-in) and
 * keeps the account's identities; and a store that cannot be used stops the start with a clear
 * error, never a silent reset.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RedisServer, startMailServer, startRedisServer } from "@ferry/mail-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionKey } from "../src/session/crypto";
import { SQLITE_FILE } from "../src/state/sqlite";
import {
  type MailServer,
  openSocket,
  SESSION_SECRET,
  signedIn,
  startBridge,
  type TestBridge,
  withTimeout,
} from "./harness";

const ALICE = { email: "alice@example.test", password: "alice-Pa55word-s7a" };

let mail: MailServer;
let redis: RedisServer;
const dataDirs: string[] = [];

beforeAll(async () => {
  [mail, redis] = await Promise.all([
    startMailServer({ users: [ALICE], postfix: false }),
    startRedisServer(),
  ]);
});
afterAll(async () => {
  await Promise.all([mail?.stop(), redis?.stop()]);
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ferry-state-it-"));
  dataDirs.push(dir);
  return dir;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const WORK = {
  id: "work",
  name: "Alice at Work",
  address: "alice.work@example.test",
  signature: "-- \nAlice",
};

describe.each([
  ["SQLite", () => ({ FERRY_DATA_DIR: dataDir() })],
  ["Redis", () => ({ FERRY_REDIS_URL: redis.url })],
])("a bridge restarted on the same %s store", (_name, storeEnv) => {
  it("keeps a signed-in socket's session and the account's identities", async () => {
    const env = storeEnv();
    let b: TestBridge = await startBridge(mail, { env });
    try {
      const cookie = await signedIn(b, ALICE.email, ALICE.password);
      const before = await openSocket(b, cookie);
      expect(
        await before.request({ type: "identities.save", id: "ids", identities: [WORK] }),
      ).toMatchObject({ type: "identities", identities: [WORK] });
      // the store holds the password sealed, never in clear
      const raw = await b.bridge.state.get(`session:${sessionKey(cookie.split("=")[1] ?? "")}`);
      expect(raw).toContain(ALICE.email);
      expect(raw).not.toContain(ALICE.password);

      await b.close();
      expect((await withTimeout(before.closed, 5000, "socket closed")).code).toBe(1001);
      b = await startBridge(mail, { env });

      const session = await fetch(`${b.url}/api/session`, { headers: { cookie } });
      expect(session.status).toBe(200);
      const after = await openSocket(b, cookie);
      expect(
        await after.request({
          type: "list.window",
          id: "w",
          mailbox: "INBOX",
          offset: 0,
          limit: 20,
        }),
      ).toMatchObject({ type: "list.window", mailbox: "INBOX", offset: 0 });
      expect(await after.request({ type: "identities.list", id: "ids2" })).toMatchObject({
        type: "identities",
        identities: [WORK],
      });
      after.close();
    } finally {
      await b.close();
    }
  });
});

/** Runs the bridge's entry point (src/main.ts) with `env`; resolves with its exit and stderr. */
function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
        cwd: join(import.meta.dirname, ".."),
        env: {
          PATH: process.env.PATH ?? "",
          FERRY_PORT: "0",
          FERRY_LOG_LEVEL: "silent",
          FERRY_SESSION_SECRET: SESSION_SECRET,
          ...env,
        },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
      });
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stderr }));
    }),
    20_000,
    "the bridge to exit",
  );
}

describe("a state store that cannot be used at start", () => {
  it("Redis unreachable: the bridge exits 1 naming FERRY_REDIS_URL (never its password)", async () => {
    const url = `redis://:hunter2-secret@127.0.0.1:${await closedPort()}`;
    const { code, stderr } = await runMain({ FERRY_REDIS_URL: url });
    expect(code).toBe(1);
    expect(stderr).toMatch(/FERRY_REDIS_URL: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1/);
    expect(stderr).toMatch(/ECONNREFUSED/);
    expect(stderr).not.toContain("hunter2-secret");
  });

  it("a corrupt SQLite file: the bridge exits 1 naming it and leaves it untouched", async () => {
    const dir = dataDir();
    const file = join(dir, SQLITE_FILE);
    writeFileSync(file, "garbage, not a database ".repeat(100), { mode: 0o600 });
    const { code, stderr } = await runMain({ FERRY_DATA_DIR: dir });
    expect(code).toBe(1);
    expect(stderr).toContain(`FERRY_DATA_DIR: cannot use ${file}`);
    expect(readFileSync(file, "utf8")).toBe("garbage, not a database ".repeat(100));
  });
});
