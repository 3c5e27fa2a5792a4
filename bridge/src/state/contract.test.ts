/**
 * The state store's contract: one suite, run against SQLite (a temp dir) and a real Redis (a
 * throwaway redis-server on loopback). A second handle on the same data plays another bridge.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { IdentityStore } from "../compose/identities";
import { accountKey } from "../session/account";
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

/** Resolves once `check` passes, retrying with a short back-off (bounded: 3 s). */
async function eventually(check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 3000;
  for (let delay = 5; ; delay = Math.min(delay * 2, 50)) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

const BACKENDS: [string, BackendFactory][] = [
  ["sqlite", sqliteBackend()],
  ["redis", redisBackend(() => redis.get())],
];

describe.each(BACKENDS)("state store contract: %s", (_name, factory) => {
  let backend: TestBackend;
  let store: StateStore;

  const fresh = async () => {
    backend = await factory();
    store = await backend.open();
  };
  afterEach(async () => {
    await backend?.dispose();
  });

  describe("entries", () => {
    it("stores, replaces and deletes values; nothing is there until set", async () => {
      await fresh();
      expect(await store.get("settings:a")).toBeUndefined();
      await store.set("settings:a", "one");
      await store.set("settings:b", "two ✓ with \u0000 and \n");
      expect(await store.get("settings:a")).toBe("one");
      expect(await store.get("settings:b")).toBe("two ✓ with \u0000 and \n");
      await store.set("settings:a", "uno");
      expect(await store.get("settings:a")).toBe("uno");
      await store.delete("settings:a");
      await store.delete("settings:never");
      expect(await store.get("settings:a")).toBeUndefined();
      expect(await store.get("settings:b")).toBe("two ✓ with \u0000 and \n");
    });

    it("expires an entry after its TTL, and a later set without one keeps it", async () => {
      await fresh();
      await store.set("session:long", "v", { ttlMs: 60_000 });
      await store.set("session:short", "v", { ttlMs: 30 });
      await store.set("session:kept", "v", { ttlMs: 30 });
      await store.set("session:kept", "w");
      await eventually(async () => expect(await store.get("session:short")).toBeUndefined());
      expect(await store.get("session:long")).toBe("v");
      expect(await store.get("session:kept")).toBe("w");
    });

    it("adds only where nothing (or only an expired entry) is", async () => {
      await fresh();
      expect(await store.add("lock:x", "first")).toBe(true);
      expect(await store.add("lock:x", "second")).toBe(false);
      expect(await store.get("lock:x")).toBe("first");
      expect(await store.add("lock:y", "first", { ttlMs: 30 })).toBe(true);
      await eventually(async () => expect(await store.add("lock:y", "again")).toBe(true));
      expect(await store.get("lock:y")).toBe("again");
    });

    it("outlives the handle: another one (a restarted or another bridge) reads it", async () => {
      await fresh();
      await store.set("session:k", "record", { ttlMs: 60_000 });
      await store.close();
      const other = await backend.open();
      expect(await other.get("session:k")).toBe("record");
    });
  });

  describe("counters", () => {
    it("increments from zero, by any whole number, and counts every concurrent increment", async () => {
      await fresh();
      expect(await store.increment("count:a", 1)).toBe(1);
      expect(await store.increment("count:a", 4)).toBe(5);
      expect(await store.increment("count:a", -2)).toBe(3);
      expect(await store.get("count:a")).toBe("3");
      const other = await backend.open();
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? store : other).increment("count:b", 1)),
      );
      expect([...results].sort((x, y) => x - y)).toEqual(
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      expect(await other.increment("count:b", 0)).toBe(40);
    });

    it("expires a TTL after the last increment given one; one without keeps the expiry", async () => {
      await fresh();
      await store.increment("count:long", 1, { ttlMs: 60_000 });
      // Long enough for the next increment to come before it ends on a loaded machine (with 30 ms
      // it once came after, in a full run at load 20), short enough to wait for.
      await store.increment("count:short", 1, { ttlMs: 1_000 });
      expect(await store.increment("count:short", 1)).toBe(2);
      await eventually(async () => expect(await store.get("count:short")).toBeUndefined());
      expect(await store.increment("count:short", 1, { ttlMs: 60_000 })).toBe(1);
      expect(await store.increment("count:long", 1)).toBe(2);
    });
  });

  describe("jobs", () => {
    const job = (id: string, dueAt: number, group = "acct-1") => ({
      queue: "outbox",
      id,
      group,
      payload: JSON.stringify({ id }),
      dueAt,
    });

    it("is claimed once it is due, by one holder, and deleted when completed", async () => {
      await fresh();
      const { clock } = backend;
      expect(await store.schedule(job("m1", clock.now() + 10_000))).toBe(true);
      expect(await store.claimDue("outbox", { limit: 10, leaseMs: 5000 })).toEqual([]);
      clock.advance(10_000);
      const [claimed, ...rest] = await store.claimDue("outbox", { limit: 10, leaseMs: 5000 });
      expect(rest).toEqual([]);
      expect(claimed).toMatchObject({ id: "m1", group: "acct-1", attempts: 1 });
      expect(JSON.parse(claimed?.payload ?? "")).toEqual({ id: "m1" });
      expect(await store.claimDue("outbox", { limit: 10, leaseMs: 5000 })).toEqual([]);
      expect(await store.claim("outbox", "m1", { leaseMs: 5000 })).toBeNull();
      expect(await store.cancel("outbox", "m1")).toBe("claimed");
      if (!claimed) throw new Error("unreachable");
      expect(await store.complete(claimed)).toBe(true);
      expect(await store.complete(claimed)).toBe(false);
      expect(await store.jobs("outbox", "acct-1")).toEqual([]);
      expect(await store.cancel("outbox", "m1")).toBe("missing");
    });

    it("runs late rather than never: a lease that runs out lets another holder claim it", async () => {
      await fresh();
      const { clock } = backend;
      await store.schedule(job("m1", clock.now()));
      const [first] = await store.claimDue("outbox", { limit: 1, leaseMs: 5000 });
      if (!first) throw new Error("not claimed");
      clock.advance(5000);
      const other = await backend.open();
      const [second] = await other.claimDue("outbox", { limit: 1, leaseMs: 5000 });
      expect(second).toMatchObject({ id: "m1", attempts: 2 });
      if (!second) throw new Error("not claimed");
      // the first holder lost it: it can neither renew, release nor complete it
      expect(await store.renew(first, 5000)).toBe(false);
      expect(await store.release(first)).toBe(false);
      expect(await store.complete(first)).toBe(false);
      expect(await other.renew(second, 20_000)).toBe(true);
      clock.advance(10_000);
      expect(await store.claimDue("outbox", { limit: 1, leaseMs: 5000 })).toEqual([]);
      expect(await other.complete(second)).toBe(true);
    });

    it("is given back by release, due again at the time given", async () => {
      await fresh();
      const { clock } = backend;
      await store.schedule(job("m1", clock.now()));
      const claimed = await store.claim("outbox", "m1", { leaseMs: 5000 });
      if (!claimed) throw new Error("not claimed");
      const later = clock.now() + 60_000;
      expect(await store.release(claimed, { dueAt: later })).toBe(true);
      expect(await store.jobs("outbox", "acct-1")).toMatchObject([
        { id: "m1", leasedUntil: null, attempts: 1, dueAt: later },
      ]);
      expect(await store.claimDue("outbox", { limit: 1, leaseMs: 5000 })).toEqual([]);
      clock.advance(60_000);
      expect(await store.claimDue("outbox", { limit: 1, leaseMs: 5000 })).toMatchObject([
        { id: "m1", attempts: 2 },
      ]);
    });

    it("is cancelled or rescheduled only while nobody holds it", async () => {
      await fresh();
      const { clock } = backend;
      const due = clock.now() + 60_000;
      await store.schedule(job("m1", due));
      await store.schedule(job("m2", due));
      expect(await store.schedule({ ...job("m1", due + 1000), payload: "edited" })).toBe(true);
      expect(await store.jobs("outbox", "acct-1")).toMatchObject([
        { id: "m2", dueAt: due },
        { id: "m1", dueAt: due + 1000, payload: "edited" },
      ]);
      expect(await store.cancel("outbox", "m2")).toBe("cancelled");
      const held = await store.claim("outbox", "m1", { leaseMs: 5000 });
      expect(held).toMatchObject({ id: "m1", payload: "edited" });
      expect(await store.schedule({ ...job("m1", due), payload: "too late" })).toBe(false);
      expect(await store.cancel("outbox", "m1")).toBe("claimed");
      expect(await store.jobs("outbox", "acct-1")).toMatchObject([
        { id: "m1", payload: "edited", leasedUntil: held?.leasedUntil },
      ]);
    });

    it("lists jobs per group and queue, and ids may hold any characters", async () => {
      await fresh();
      const { clock } = backend;
      const now = clock.now();
      const odd = 'id with spaces, colons: and "quotes" ✓';
      await store.schedule(job(odd, now + 2, '["imap.a.test",993,"alice@x.test"]'));
      await store.schedule(job("b", now + 1, '["imap.a.test",993,"alice@x.test"]'));
      await store.schedule(job("c", now, '["imap.b.test",993,"alice@x.test"]'));
      await store.schedule({
        ...job("d", now, '["imap.a.test",993,"alice@x.test"]'),
        queue: "snooze",
      });
      expect(
        (await store.jobs("outbox", '["imap.a.test",993,"alice@x.test"]')).map((j) => j.id),
      ).toEqual(["b", odd]);
      expect(
        (await store.jobs("outbox", '["imap.b.test",993,"alice@x.test"]')).map((j) => j.id),
      ).toEqual(["c"]);
      // moving a job to another group takes it out of the first
      await store.schedule(job("b", now, '["imap.b.test",993,"alice@x.test"]'));
      expect(
        (await store.jobs("outbox", '["imap.a.test",993,"alice@x.test"]')).map((j) => j.id),
      ).toEqual([odd]);
      const claimed = await store.claim("outbox", odd, { leaseMs: 1000 });
      expect(claimed?.id).toBe(odd);
      if (claimed) expect(await store.complete(claimed)).toBe(true);
      expect(await store.jobs("outbox", '["imap.a.test",993,"alice@x.test"]')).toEqual([]);
    });

    it("hands each due job to exactly one of several bridges claiming at once", async () => {
      await fresh();
      const { clock } = backend;
      const ids = Array.from({ length: 30 }, (_, i) => `job-${i}`);
      for (const id of ids) await store.schedule(job(id, clock.now()));
      const bridges = [store, await backend.open(), await backend.open()];
      const claimedBy = new Map<string, number>();
      const counts = new Map<string, number>();
      await Promise.all(
        bridges.map(async (bridge, b) => {
          for (;;) {
            const claimed = await bridge.claimDue("outbox", { limit: 4, leaseMs: 60_000 });
            if (claimed.length === 0) return;
            for (const c of claimed) {
              counts.set(c.id, (counts.get(c.id) ?? 0) + 1);
              claimedBy.set(c.id, b);
              expect(await bridge.complete(c)).toBe(true);
            }
          }
        }),
      );
      expect([...counts.keys()].sort()).toEqual([...ids].sort());
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(await store.jobs("outbox", "acct-1")).toEqual([]);
    });

    it("keeps jobs across handles: scheduled before a restart, claimed after it", async () => {
      await fresh();
      await store.schedule(job("m1", backend.clock.now()));
      await store.close();
      const after = await backend.open();
      expect(await after.claim("outbox", "m1", { leaseMs: 1000 })).toMatchObject({ id: "m1" });
    });
  });

  describe("what is kept per account", () => {
    it("never serves one server's entry to the same address on another server", async () => {
      await fresh();
      const identities = new IdentityStore(store);
      const onA = accountKey({ host: "imap.a.test", port: 993 }, "alice@example.test");
      const onB = accountKey({ host: "imap.b.test", port: 993 }, "alice@example.test");
      const onAOtherPort = accountKey({ host: "imap.a.test", port: 1993 }, "alice@example.test");
      const ceo = { id: "ceo", name: "The CEO", address: "ceo@example.test", signature: "" };
      await identities.save(onA, [ceo]);
      expect(await identities.list(onA)).toEqual([ceo]);
      expect(await identities.list(onB)).toEqual([]);
      expect(await identities.list(onAOtherPort)).toEqual([]);
      expect(await identities.ownAddresses(onB, "alice@example.test")).toEqual(
        new Set(["alice@example.test"]),
      );
      await identities.save(onB, []);
      // another bridge on the same store sees the first server's identities, unchanged
      const other = new IdentityStore(await backend.open());
      expect(await other.list(onA)).toEqual([ceo]);
      expect(await other.byAddress(onA, "CEO@example.test")).toEqual(ceo);
    });

    it("reads a damaged settings entry as none rather than failing", async () => {
      await fresh();
      const account = accountKey({ host: "imap.a.test", port: 993 }, "alice@example.test");
      await store.set(`identities:${account}`, "{not json");
      expect(await new IdentityStore(store).list(account)).toEqual([]);
      await store.set(`identities:${account}`, JSON.stringify([{ id: 1 }]));
      expect(await new IdentityStore(store).list(account)).toEqual([]);
    });
  });
});
