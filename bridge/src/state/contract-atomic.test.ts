/**
 * The state store's contract, continued (contract.test.ts has entries, counters and jobs): the
 * compare-and-set of entries and the capped groups of places, against SQLite and a real Redis,
 * with other handles on the same data playing other bridges racing the first.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { StateStore } from "./store";
import {
  type BackendFactory,
  redisBackend,
  sharedRedisServer,
  sqliteBackend,
  type TestBackend,
} from "./test-backends";

const redis = sharedRedisServer();
beforeAll(() => redis.start());
afterAll(() => redis.stop());

const BACKENDS: [string, BackendFactory][] = [
  ["sqlite", sqliteBackend()],
  ["redis", redisBackend(() => redis.get())],
];

describe.each(BACKENDS)("state store contract, atomic steps: %s", (_name, factory) => {
  let backend: TestBackend;
  let store: StateStore;

  const fresh = async () => {
    backend = await factory();
    store = await backend.open();
  };
  afterEach(async () => {
    await backend?.dispose();
  });

  describe("compare-and-set", () => {
    it("stores only over the value expected, or where none was expected and none is", async () => {
      await fresh();
      expect(await store.replace("settings:a", "anything", "one")).toBe(false);
      expect(await store.get("settings:a")).toBeUndefined();
      expect(await store.replace("settings:a", undefined, "one")).toBe(true);
      expect(await store.replace("settings:a", undefined, "two")).toBe(false);
      expect(await store.replace("settings:a", "uno", "two")).toBe(false);
      expect(await store.get("settings:a")).toBe("one");
      expect(await store.replace("settings:a", "one", "two ✓ \u0000")).toBe(true);
      expect(await store.get("settings:a")).toBe("two ✓ \u0000");
      // "" is a value like any other, not "no entry"
      expect(await store.replace("settings:a", "two ✓ \u0000", "")).toBe(true);
      expect(await store.replace("settings:a", undefined, "x")).toBe(false);
      expect(await store.replace("settings:a", "", "three")).toBe(true);
      expect(await store.get("settings:a")).toBe("three");
    });

    it("treats an expired entry as none, and sets the expiry given", async () => {
      await fresh();
      await store.set("lock:a", "old", { ttlMs: 1 });
      // Expiry runs on real time on both backends: wait for it, bounded.
      const deadline = Date.now() + 3000;
      while ((await store.get("lock:a")) !== undefined && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(await store.replace("lock:a", "old", "new")).toBe(false);
      expect(await store.replace("lock:a", undefined, "new", { ttlMs: 60_000 })).toBe(true);
      expect(await store.get("lock:a")).toBe("new");
    });

    it("loses no update of several bridges read-modify-writing one entry at once", async () => {
      await fresh();
      const bridges = [store, await backend.open(), await backend.open()];
      const PER_BRIDGE = 15;
      let conflicts = 0;
      await Promise.all(
        bridges.map(async (bridge, b) => {
          for (let i = 0; i < PER_BRIDGE; i++) {
            for (;;) {
              const before = await bridge.get("settings:shared");
              const list: string[] = before === undefined ? [] : JSON.parse(before);
              if (
                await bridge.replace(
                  "settings:shared",
                  before,
                  JSON.stringify([...list, `${b}:${i}`]),
                )
              )
                break;
              conflicts += 1;
            }
          }
        }),
      );
      const final: string[] = JSON.parse((await store.get("settings:shared")) ?? "[]");
      expect(final).toHaveLength(bridges.length * PER_BRIDGE);
      expect(new Set(final).size).toBe(final.length);
      // the bridges did race: some writes had to be read and applied again
      expect(conflicts).toBeGreaterThan(0);
    });
  });

  describe("places", () => {
    const groups = (cap: number) => [
      { key: "sessions:account:a", cap },
      { key: "sessions:network:n", cap: 100 },
    ];

    it("lets members in up to a group's cap, names the full group, and frees a place on leave", async () => {
      await fresh();
      expect(await store.enter("s1", groups(2), 60_000)).toBe(-1);
      expect(await store.enter("s2", groups(2), 60_000)).toBe(-1);
      expect(await store.enter("s3", groups(2), 60_000)).toBe(0);
      // refused by one group, it entered none
      expect(await store.places("sessions:network:n")).toBe(2);
      // a member already in is refreshed, never refused
      expect(await store.enter("s2", groups(2), 60_000)).toBe(-1);
      // the second group can be the full one
      expect(
        await store.enter(
          "s3",
          [
            { key: "other:a", cap: 5 },
            { key: "sessions:account:a", cap: 2 },
          ],
          60_000,
        ),
      ).toBe(1);
      expect(await store.places("other:a")).toBe(0);
      // a member about to leave is not counted
      expect(await store.enter("s3", groups(2), 60_000, { replacing: "s1" })).toBe(-1);
      expect(await store.places("sessions:account:a")).toBe(3);
      await store.leave("s1", ["sessions:account:a", "sessions:network:n"]);
      await store.leave("s1", ["sessions:account:a"]);
      await store.leave("never", ["sessions:account:a", "nothing:here"]);
      expect(await store.places("sessions:account:a")).toBe(2);
      expect(await store.places("sessions:network:n")).toBe(2);
      // without a cap, a member enters whatever the count
      expect(await store.enter("s9", [{ key: "sessions:account:a" }], 60_000)).toBe(-1);
      expect(await store.places("sessions:account:a")).toBe(3);
    });

    it("drops a member whose time ran out (a bridge that died), unless it was refreshed", async () => {
      await fresh();
      const { clock } = backend;
      expect(await store.enter("dead", groups(2), 10_000)).toBe(-1);
      expect(await store.enter("alive", groups(2), 10_000)).toBe(-1);
      expect(await store.enter("new", groups(2), 60_000)).toBe(0);
      clock.advance(6_000);
      expect(await store.enter("alive", groups(2), 10_000)).toBe(-1);
      clock.advance(6_000);
      expect(await store.places("sessions:account:a")).toBe(1);
      expect(await store.enter("new", groups(2), 60_000)).toBe(-1);
      expect(await store.enter("newer", groups(2), 60_000)).toBe(0);
    });

    it("lets exactly the cap in when several bridges enter at once", async () => {
      await fresh();
      const bridges = [store, await backend.open(), await backend.open()];
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (bridges[i % bridges.length] as StateStore).enter(`s${i}`, groups(7), 60_000),
        ),
      );
      expect(results.filter((r) => r === -1)).toHaveLength(7);
      expect(results.filter((r) => r === 0)).toHaveLength(23);
      expect(await bridges[1]?.places("sessions:account:a")).toBe(7);
      expect(await bridges[2]?.places("sessions:network:n")).toBe(7);
    });
  });
});
