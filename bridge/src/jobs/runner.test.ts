/**
 * The job runner on both state-store backends (SQLite in a temp dir, a real throwaway Redis):
 * several runners on one store play several bridges; the store's test clock reaches due times
 * and runs leases out without sleeping.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createLogger } from "../log";
import type { ClaimedJob, StateStore } from "../state/store";
import {
  type BackendFactory,
  redisBackend,
  sharedRedisServer,
  sqliteBackend,
  type TestBackend,
} from "../state/test-backends";
import { JobRunner, type QueueHandler, retryDelayMs } from "./runner";

const redis = sharedRedisServer();
beforeAll(() => redis.start());
afterAll(() => redis.stop());

const log = createLogger("silent");

const BACKENDS: [string, BackendFactory][] = [
  ["sqlite", sqliteBackend()],
  ["redis", redisBackend(() => redis.get())],
];

/** A promise with its resolve function, for a handler the test lets finish. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe.each(BACKENDS)("job runner: %s", (_name, factory) => {
  let backend: TestBackend;
  const runners: JobRunner[] = [];

  const runner = async (handler: QueueHandler, store?: StateStore) => {
    const r = new JobRunner(store ?? (await backend.open()), {
      log,
      now: backend.clock.now,
      pollMs: 20,
    });
    r.handle("mail", handler);
    runners.push(r);
    return r;
  };
  const job = (id: string, dueAt: number) => ({
    queue: "mail",
    id,
    group: "acct",
    payload: id,
    dueAt,
  });

  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
    await backend?.dispose();
  });

  it("runs each due job exactly once with several runners on one store", async () => {
    backend = await factory();
    const ran: string[] = [];
    const handler: QueueHandler = {
      leaseMs: 60_000,
      concurrency: 3,
      run: async (j) => {
        ran.push(j.id);
      },
    };
    const bridges = await Promise.all([runner(handler), runner(handler), runner(handler)]);
    const store = await backend.open();
    const ids = Array.from({ length: 40 }, (_, i) => `m${i}`);
    for (const id of ids) await store.schedule(job(id, backend.clock.now()));
    for (const r of bridges) r.start();
    await vi.waitFor(async () => expect(await store.jobs("mail", "acct")).toEqual([]), {
      timeout: 10_000,
    });
    expect(ran.sort()).toEqual([...ids].sort());
  });

  it("runs a job only once it is due, when the clock reaches its time", async () => {
    backend = await factory();
    const ran: number[] = [];
    const r = await runner({
      leaseMs: 10_000,
      run: async () => {
        ran.push(backend.clock.now());
      },
    });
    r.start();
    const due = backend.clock.now() + 3 * 60 * 60_000;
    expect(await r.schedule(job("later", due))).toBe(true);
    const store = await backend.open();
    // polls come and go; the job stays until its time
    await vi.waitFor(async () => {
      const [held] = await store.jobs("mail", "acct");
      expect(held?.attempts).toBe(0);
    });
    expect(ran).toEqual([]);
    backend.clock.advance(3 * 60 * 60_000);
    r.poke();
    await vi.waitFor(() => expect(ran).toHaveLength(1));
    expect(ran[0]).toBeGreaterThanOrEqual(due);
    await vi.waitFor(async () => expect(await store.jobs("mail", "acct")).toEqual([]));
  });

  it("runs late rather than never: a job due while no runner ran, and one whose holder died", async () => {
    backend = await factory();
    const store = await backend.open();
    await store.schedule(job("missed", backend.clock.now() + 1000));
    await store.schedule(job("orphan", backend.clock.now()));
    // a bridge claims "orphan" and dies: it never renews, completes or releases it
    const dead = await store.claim("mail", "orphan", { leaseMs: 30_000 });
    expect(dead?.attempts).toBe(1);
    backend.clock.advance(10 * 60_000); // the bridges were down for ten minutes
    const ran: ClaimedJob[] = [];
    const r = await runner({
      leaseMs: 30_000,
      run: async (j) => {
        ran.push(j);
      },
    });
    r.start();
    await vi.waitFor(() => expect(ran.map((j) => j.id).sort()).toEqual(["missed", "orphan"]));
    expect(ran.find((j) => j.id === "orphan")?.attempts).toBe(2);
    await vi.waitFor(async () => expect(await store.jobs("mail", "acct")).toEqual([]));
  });

  it("renews the lease while a long job runs, so no other runner takes it", async () => {
    backend = await factory();
    const slow = gate();
    let runs = 0;
    const handler: QueueHandler = {
      leaseMs: 1500,
      run: async () => {
        runs++;
        await slow.promise;
      },
    };
    const a = await runner(handler);
    const store = await backend.open();
    await store.schedule(job("long", backend.clock.now()));
    a.start();
    await vi.waitFor(() => expect(runs).toBe(1));
    const [first] = await store.jobs("mail", "acct");
    const firstLease = first?.leasedUntil ?? 0;
    // renewed: its lease now ends later than the first one did
    await vi.waitFor(async () => {
      const [held] = await store.jobs("mail", "acct");
      expect(held?.leasedUntil ?? 0).toBeGreaterThan(firstLease + 400);
    }, 5000);
    const b = await runner(handler);
    b.start();
    b.poke();
    await vi.waitFor(async () => {
      const [held] = await store.jobs("mail", "acct");
      expect(held?.leasedUntil ?? 0).toBeGreaterThan(firstLease + 1100);
    }, 5000);
    expect(runs).toBe(1);
    slow.open();
    await vi.waitFor(async () => expect(await store.jobs("mail", "acct")).toEqual([]));
    expect(runs).toBe(1);
  });

  it("tells a handler that lost its lease, and its completion does not count", async () => {
    backend = await factory();
    const slow = gate();
    let aborted = false;
    const a = await runner({
      leaseMs: 600,
      run: async (_j, ctx) => {
        ctx.signal.addEventListener("abort", () => {
          aborted = true;
          slow.open();
        });
        await slow.promise;
      },
    });
    const store = await backend.open();
    await store.schedule(job("stalled", backend.clock.now()));
    a.start();
    await vi.waitFor(async () => {
      const [held] = await store.jobs("mail", "acct");
      expect(held?.leasedUntil).not.toBeNull();
    });
    // the process stalls past its lease; another bridge takes the job
    backend.clock.advance(120_000);
    const taken = await store.claim("mail", "stalled", { leaseMs: 600_000 });
    expect(taken?.attempts).toBe(2);
    await vi.waitFor(() => expect(aborted).toBe(true), { timeout: 30_000 });
    // the first runner's completion is refused: the job is still the new holder's
    const [still] = await store.jobs("mail", "acct");
    expect(still?.leasedUntil).toBe(taken?.leasedUntil);
  });

  it("gives a failed job back with a back-off and runs it again then", async () => {
    backend = await factory();
    let attempts: number[] = [];
    const r = await runner({
      leaseMs: 10_000,
      run: async (j) => {
        attempts = [...attempts, j.attempts];
        if (j.attempts === 1) throw new Error("SMTP down");
      },
    });
    const store = await backend.open();
    await store.schedule(job("flaky", backend.clock.now()));
    r.start();
    await vi.waitFor(() => expect(attempts).toEqual([1]));
    await vi.waitFor(async () => {
      const [held] = await store.jobs("mail", "acct");
      expect(held).toMatchObject({ leasedUntil: null, attempts: 1 });
      expect(held?.dueAt).toBeGreaterThan(backend.clock.now() + retryDelayMs(1) - 1000);
    });
    backend.clock.advance(retryDelayMs(1));
    r.poke();
    await vi.waitFor(() => expect(attempts).toEqual([1, 2]));
    await vi.waitFor(async () => expect(await store.jobs("mail", "acct")).toEqual([]));
  });

  it("stops without running or dropping what is held: the next runner finds it", async () => {
    backend = await factory();
    const ran: string[] = [];
    const handler: QueueHandler = {
      leaseMs: 10_000,
      run: async (j) => {
        ran.push(j.id);
      },
    };
    const a = await runner(handler);
    a.start();
    await a.schedule(job("held", backend.clock.now() + 10_000));
    await a.stop();
    expect(ran).toEqual([]);
    backend.clock.advance(10_000);
    const b = await runner(handler);
    b.start();
    await vi.waitFor(() => expect(ran).toEqual(["held"]));
  });
});

describe("retryDelayMs", () => {
  it("doubles from 5 s and stops at 10 minutes", () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(retryDelayMs(30)).toBe(600_000);
  });
});
