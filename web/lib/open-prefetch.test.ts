import { describe, expect, it } from "vitest";
import { fetchAhead, openPrefetchOrder, TOP_ROWS } from "./open-prefetch";

describe("openPrefetchOrder", () => {
  it("fetches the cursor's row and the next first, then around, then the top rows", () => {
    expect(openPrefetchOrder(100, 10, null)).toEqual([10, 11, 9, 12, 0, 1, 2]);
  });

  it("adds the open message's neighbours, each position once", () => {
    expect(openPrefetchOrder(100, 1, 1)).toEqual([1, 2, 0, 3]);
    expect(openPrefetchOrder(100, 20, 40)).toEqual([20, 21, 41, 39, 19, 22, 0, 1, 2]);
  });

  it("stays inside the list", () => {
    expect(openPrefetchOrder(2, 1, null)).toEqual([1, 0]);
    expect(openPrefetchOrder(0, 0, null)).toEqual([]);
    expect(openPrefetchOrder(100, null, null)).toHaveLength(TOP_ROWS);
  });
});

describe("fetchAhead", () => {
  /** Idle at once (a microtask later); fetches that settle when the test says. */
  function setup() {
    const started: number[] = [];
    const pending = new Map<number, () => void>();
    const done = new Set<number>();
    const follow = fetchAhead((fn) => {
      let live = true;
      queueMicrotask(() => live && fn());
      return () => {
        live = false;
      };
    });
    const fetch = (n: number) =>
      new Promise<void>((resolve) => {
        started.push(n);
        pending.set(n, () => {
          done.add(n);
          resolve();
        });
      });
    const wanted = (n: number) => !started.includes(n);
    const settle = async (n: number) => {
      pending.get(n)?.();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    };
    return { follow, fetch, wanted, started, settle };
  }

  it("fetches a plan's items one after another", async () => {
    const t = setup();
    t.follow([1, 2, 3], t.wanted, t.fetch);
    await t.settle(0);
    expect(t.started).toEqual([1]);
    await t.settle(1);
    expect(t.started).toEqual([1, 2]);
    await t.settle(2);
    await t.settle(3);
    expect(t.started).toEqual([1, 2, 3]);
  });

  it("a new plan (the cursor moved) starts only once the fetch in flight has settled", async () => {
    const t = setup();
    const stop = t.follow([1, 2], t.wanted, t.fetch);
    await t.settle(0);
    stop();
    t.follow([5, 6], t.wanted, t.fetch);
    await t.settle(0);
    stop();
    const stop3 = t.follow([7, 8], t.wanted, t.fetch);
    await t.settle(0);
    // Three plans, one fetch on the wire.
    expect(t.started).toEqual([1]);
    await t.settle(1);
    expect(t.started).toEqual([1, 7]);
    stop3();
    await t.settle(7);
    expect(t.started).toEqual([1, 7]);
  });
});
