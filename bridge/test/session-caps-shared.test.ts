/**
 * Session caps across bridges, against the real fixture: two bridges sharing one state store (a
 * real Redis, and one SQLite file) count one account's sessions and one client network's
 * sessions together, so a second bridge does not double a cap (the user at the cap is refused
 * on either with `too_many_sessions`); a sign-out on one frees a place on the other; and the
 * sessions of a bridge that died stop counting once they expire, without anyone signing out.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RedisServer, startMailServer, startRedisServer } from "@ferry/mail-server";
import { ZHttpError } from "@ferry/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../src/config";
import { type MailServer, signIn, startBridge, type TestBridge } from "./harness";

const ALICE = { email: "alice@example.test", password: "alice-Pa55word-c4p" };
const BOB = { email: "bob@example.test", password: "bob-Pa55word-c4p" };
const CAROL = { email: "carol@example.test", password: "carol-Pa55word-c4p" };

let mail: MailServer;
let redis: RedisServer;
const dirs: string[] = [];
const bridges: TestBridge[] = [];

beforeAll(async () => {
  [mail, redis] = await Promise.all([
    startMailServer({ users: [ALICE, BOB, CAROL], postfix: false }),
    startRedisServer(),
  ]);
}, 60_000);

afterEach(async () => {
  await Promise.all(bridges.splice(0).map((b) => b.close()));
});

afterAll(async () => {
  await Promise.all([mail?.stop(), redis?.stop()]);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Each test gets a store of its own: a new SQLite file, or a Redis database of its own. */
let redisDb = 0;
const STORES: [string, () => Promise<Record<string, string>>][] = [
  [
    "one SQLite file",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "ferry-caps-"));
      dirs.push(dir);
      return { FERRY_DATA_DIR: dir };
    },
  ],
  ["one Redis", async () => ({ FERRY_REDIS_URL: `${redis.url}/${++redisDb}` })],
];

async function bridge(env: Record<string, string>, config: Partial<Config>): Promise<TestBridge> {
  const b = await startBridge(mail, { env, config: { loginFailuresPerIp: 1000, ...config } });
  bridges.push(b);
  return b;
}

function code(body: unknown): string {
  return ZHttpError.parse(body).error.code;
}

function signOut(b: TestBridge, cookie: string | undefined) {
  return fetch(`${b.url}/api/session`, {
    method: "DELETE",
    headers: { cookie: cookie as string, origin: b.origin },
  });
}

describe.each(STORES)("two bridges on %s", (_name, store) => {
  it("count an account's and a network's sessions together, and free a place on sign-out", async () => {
    const env = await store();
    const caps = { sessionsPerAccount: 2, sessionsPerClient: 3 };
    const [one, two] = [await bridge(env, caps), await bridge(env, caps)];

    const first = await signIn(one, ALICE);
    expect((await signIn(two, ALICE)).status).toBe(200);
    expect(first.status).toBe(200);
    // Alice has 2 sessions in all: a third is refused on either bridge
    for (const b of [one, two]) {
      const r = await signIn(b, ALICE);
      expect(r.status).toBe(429);
      expect(code(r.body)).toBe("too_many_sessions");
    }
    // the network (127.0.0.1) has 3 sessions in all once Bob signs in on the second
    expect((await signIn(two, BOB)).status).toBe(200);
    const fourth = await signIn(one, BOB);
    expect(fourth.status).toBe(429);
    expect(ZHttpError.parse(fourth.body).error.message).toContain("network");

    // signed out through the other bridge, Alice's first session frees a place on the first
    expect((await signOut(two, first.cookie)).ok).toBe(true);
    expect((await signIn(one, ALICE)).status).toBe(200);
    expect((await signIn(two, ALICE)).status).toBe(429);
  });

  it("stop counting a dead bridge's sessions once they expire", async () => {
    const env = await store();
    // The bridge that dies keeps its sessions 3 s without use; the survivor, the default.
    const dying = await bridge(env, { sessionsPerAccount: 2, sessionIdleTtlMs: 3_000 });
    const survivor = await bridge(env, { sessionsPerAccount: 2 });
    const kept = [await signIn(dying, CAROL), await signIn(dying, CAROL)];
    expect(kept.map((r) => r.status)).toEqual([200, 200]);
    await bridges.splice(bridges.indexOf(dying), 1)[0]?.close();

    // Nobody signs out: Carol gets in on the survivor once her two sessions have expired
    // (polled, bounded: they expire 3 s after sign-in).
    const deadline = Date.now() + 30_000;
    let r = await signIn(survivor, CAROL);
    while (r.status === 429 && Date.now() < deadline) {
      expect(code(r.body)).toBe("too_many_sessions");
      await new Promise((resolve) => setTimeout(resolve, 250));
      r = await signIn(survivor, CAROL);
    }
    expect(r.status).toBe(200);
    // It left because it expired: the first session's place ran out first, and a place never
    // runs out before its record, so that session is signed in nowhere now.
    const first = await fetch(`${survivor.url}/api/session`, {
      headers: { cookie: kept[0]?.cookie as string },
    });
    expect(first.status).toBe(401);
  });
});
