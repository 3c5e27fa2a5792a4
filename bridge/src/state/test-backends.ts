/**
 * Test support: each state-store backend opened fresh for a test (SQLite in a new temp dir,
 * Redis under a new key prefix on a throwaway redis-server from @ferry/mail-server), with a
 * clock the test can move forward for job due times and leases. Entry expiry runs on real time
 * on both backends (Redis keeps its own), so the clock is real time plus an offset.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RedisServer, startRedisServer } from "@ferry/mail-server";
import { connectRedisStore } from "./redis";
import { SqliteStore } from "./sqlite";
import type { StateStore } from "./store";

export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function testClock(): TestClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
  };
}

/** One backend under test: `open()` gives another handle on the same data (another bridge). */
export interface TestBackend {
  name: "sqlite" | "redis";
  clock: TestClock;
  open(): Promise<StateStore>;
  /** Closes every handle opened and removes the data. */
  dispose(): Promise<void>;
}

export type BackendFactory = () => Promise<TestBackend>;

export function sqliteBackend(): BackendFactory {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "ferry-state-"));
    const clock = testClock();
    const opened: StateStore[] = [];
    return {
      name: "sqlite",
      clock,
      open: async () => {
        const store = new SqliteStore(dir, { now: clock.now });
        opened.push(store);
        return store;
      },
      dispose: async () => {
        for (const store of opened) await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

/** A Redis backend on `server()` (started by the test file), each run under its own prefix. */
export function redisBackend(server: () => RedisServer): BackendFactory {
  return async () => {
    const prefix = `ferry-test-${randomBytes(6).toString("hex")}:`;
    const clock = testClock();
    const opened: StateStore[] = [];
    return {
      name: "redis",
      clock,
      open: async () => {
        const store = await connectRedisStore(server().url, { prefix, now: clock.now });
        opened.push(store);
        return store;
      },
      dispose: async () => {
        for (const store of opened) await store.close();
      },
    };
  };
}

/** Starts the throwaway redis-server a test file shares between its tests. */
export function sharedRedisServer(): {
  get(): RedisServer;
  start(): Promise<void>;
  stop(): Promise<void>;
} {
  let server: RedisServer | undefined;
  return {
    get: () => {
      if (!server) throw new Error("redis-server not started");
      return server;
    },
    start: async () => {
      server = await startRedisServer();
    },
    stop: async () => {
      await server?.stop();
    },
  };
}
