import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../state/sqlite";
import type { StateStore } from "../state/store";
import {
  type BackendFactory,
  redisBackend,
  sharedRedisServer,
  sqliteBackend,
  type TestBackend,
} from "../state/test-backends";
import { type LimiterOptions, LoginLimiter } from "./login-limiter";

const OPTIONS: LimiterOptions = {
  perAccount: 3,
  perNetwork: 5,
  windowMs: 10 * 60_000,
  baseDelayMs: 1000,
  maxDelayMs: 16_000,
};

describe("LoginLimiter", () => {
  let now = 1_000_000;
  const stores: { store: StateStore; dir: string }[] = [];
  /** A limiter on a fresh SQLite store whose expiry runs on the test's clock. */
  const make = (opts: { perAccount?: number; perNetwork?: number } = {}) => {
    const dir = mkdtempSync(join(tmpdir(), "ferry-limiter-"));
    const store = new SqliteStore(dir, { now: () => now });
    stores.push({ store, dir });
    return new LoginLimiter(store, { ...OPTIONS, ...opts, now: () => now });
  };
  afterEach(async () => {
    for (const { store, dir } of stores.splice(0)) {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lets the owner in from another network while a guesser keeps failing", async () => {
    const l = make({ perNetwork: 1000 });
    for (let i = 0; i < 50; i++) {
      now += ((await l.retryAfter("victim@x", "198.51.100.9")) ?? 0) * 1000;
      expect(await l.retryAfter("victim@x", "198.51.100.9")).toBe(0);
      await l.fail("victim@x", "198.51.100.9");
    }
    expect(await l.retryAfter("victim@x", "198.51.100.9")).toBeGreaterThan(0);
    expect(await l.retryAfter("Victim@X", "203.0.113.5")).toBe(0);
    expect(await l.retryAfter("victim@x", "2001:db8::1")).toBe(0);
  });

  it("slows down with a delay that doubles per failure past the limit, up to the cap", async () => {
    const l = make();
    for (let i = 0; i < 3; i++) {
      expect(await l.retryAfter("a@x", "192.0.2.1")).toBe(0);
      await l.fail("a@x", "192.0.2.1");
    }
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const wait = await l.retryAfter("a@x", "192.0.2.1");
      waits.push(wait);
      now += wait * 1000 - 1;
      expect(await l.retryAfter("a@x", "192.0.2.1")).toBeGreaterThan(0);
      now += 1;
      expect(await l.retryAfter("a@x", "192.0.2.1")).toBe(0);
      await l.fail("a@x", "192.0.2.1");
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 16, 16, 16]);
  });

  it("counts an IPv6 /64 as one network, an IPv4 address on its own", async () => {
    const l = make();
    for (let i = 1; i <= 3; i++) await l.fail("a@x", `2001:db8:7:7::${i.toString(16)}`);
    expect(await l.retryAfter("a@x", "2001:db8:7:7:dead:beef:0:1")).toBe(1);
    expect(await l.retryAfter("a@x", "2001:db8:7:8::1")).toBe(0);
    for (let i = 1; i <= 3; i++) await l.fail("b@x", `192.0.2.${i}`);
    expect(await l.retryAfter("b@x", "192.0.2.4")).toBe(0);
  });

  it("slows a network down across accounts", async () => {
    const l = make();
    for (let i = 0; i < 5; i++) await l.fail(`user${i}@x`, "9.9.9.9");
    expect(await l.retryAfter("new@x", "9.9.9.9")).toBe(1);
    expect(await l.retryAfter("new@x", "8.8.8.8")).toBe(0);
  });

  it("forgets failures once they leave the window, and an account's on its success there", async () => {
    const l = make({ perNetwork: 1000 });
    for (let i = 0; i < 6; i++) await l.fail("a@x", "192.0.2.1");
    expect(await l.retryAfter("a@x", "192.0.2.1")).toBe(8);
    now += 10 * 60_000;
    expect(await l.retryAfter("a@x", "192.0.2.1")).toBe(0);
    for (let i = 0; i < 6; i++) await l.fail("a@x", "192.0.2.1");
    await l.succeed("A@x", "192.0.2.1");
    expect(await l.retryAfter("a@x", "192.0.2.1")).toBe(0);
  });

  it("counts sign-ins still under way, so a parallel burst cannot pass the limit", async () => {
    const l = make();
    const under: (() => Promise<void>)[] = [];
    for (let i = 0; i < 3; i++) {
      expect(await l.retryAfter("a@x", "1.1.1.1")).toBe(0);
      under.push(await l.begin("a@x", "1.1.1.1"));
    }
    // three guesses are being checked: a fourth waits for one of them
    expect(await l.retryAfter("a@x", "1.1.1.1")).toBe(1);
    expect(await l.retryAfter("b@x", "1.1.1.1")).toBe(0);
    await l.fail("a@x", "1.1.1.1");
    await under[0]?.();
    await under[0]?.(); // a second call changes nothing
    expect(await l.retryAfter("a@x", "1.1.1.1")).toBe(1);
    for (const done of under.slice(1)) {
      await l.fail("a@x", "1.1.1.1");
      await done();
    }
    // all three failed: the first delay
    expect(await l.retryAfter("a@x", "1.1.1.1")).toBe(1);
    now += 1000;
    // past it, one attempt at a time
    expect(await l.retryAfter("a@x", "1.1.1.1")).toBe(0);
    const one = await l.begin("a@x", "1.1.1.1");
    expect(await l.retryAfter("a@x", "1.1.1.1")).toBe(1);
    await one();
    // one under way from an address counts against its network across accounts
    const other = await l.begin("c@x", "7.7.7.7");
    for (let i = 0; i < 4; i++) await l.fail(`u${i}@x`, "7.7.7.7");
    expect(await l.retryAfter("d@x", "7.7.7.7")).toBe(1);
    await other();
    expect(await l.retryAfter("d@x", "7.7.7.7")).toBe(0);
  });
});

const redis = sharedRedisServer();
beforeAll(() => redis.start());
afterAll(() => redis.stop());

const BACKENDS: [string, BackendFactory][] = [
  ["sqlite", sqliteBackend()],
  ["redis", redisBackend(() => redis.get())],
];

describe.each(BACKENDS)("LoginLimiter on a shared %s store", (_name, factory) => {
  let backend: TestBackend;
  afterEach(async () => {
    await backend?.dispose();
  });

  it("counts the failures and sign-ins under way of every bridge together", async () => {
    backend = await factory();
    const one = new LoginLimiter(await backend.open(), OPTIONS);
    const two = new LoginLimiter(await backend.open(), OPTIONS);
    await one.fail("a@x", "192.0.2.1");
    await two.fail("a@x", "192.0.2.1");
    expect(await one.retryAfter("a@x", "192.0.2.1")).toBe(0);
    const underWay = await one.begin("a@x", "192.0.2.1");
    // two failures here and one sign-in being checked on the other bridge: the limit of 3
    expect(await two.retryAfter("a@x", "192.0.2.1")).toBe(1);
    await two.fail("a@x", "192.0.2.1");
    await underWay();
    expect(await one.retryAfter("a@x", "192.0.2.1")).toBe(1);
    await one.succeed("a@x", "192.0.2.1");
    expect(await two.retryAfter("a@x", "192.0.2.1")).toBe(0);
  });
});
