import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, PeriodicScheduler } from "./timing";

describe("backoffDelay", () => {
  const b = { initialMs: 250, maxMs: 30_000 };

  it("doubles from the initial delay up to the cap, with jitter in the upper half", () => {
    expect(backoffDelay(1, b, () => 1)).toBe(250);
    expect(backoffDelay(1, b, () => 0)).toBe(125);
    expect(backoffDelay(3, b, () => 1)).toBe(1000);
    expect(backoffDelay(50, b, () => 1)).toBe(30_000);
    expect(backoffDelay(50, b, () => 0)).toBe(15_000);
  });
});

describe("PeriodicScheduler", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs each task on its own interval from one timer, and never again once cancelled", async () => {
    const scheduler = new PeriodicScheduler();
    const runs = { fast: 0, slow: 0 };
    scheduler.add(async () => void runs.fast++, 100, 0);
    const cancelSlow = scheduler.add(async () => void runs.slow++, 250, 0);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toEqual({ fast: 11, slow: 5 });
    cancelSlow();
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toEqual({ fast: 21, slow: 5 });
    expect(vi.getTimerCount()).toBe(1);
  });

  it("skips rounds while the task is still running", async () => {
    const scheduler = new PeriodicScheduler();
    let started = 0;
    let release: () => void = () => {};
    scheduler.add(
      () => {
        started++;
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      10,
      0,
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(10);
    expect(started).toBe(2);
  });

  it("disarms its timer when every task is cancelled", async () => {
    const scheduler = new PeriodicScheduler();
    const cancel = scheduler.add(async () => {}, 10, 5);
    cancel();
    await vi.advanceTimersByTimeAsync(20);
    expect(scheduler.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
