/**
 * lib/idle-writer.ts: one write per burst of changes, in idle time; a flush writes only what is
 * still unwritten; cancel; the timer fallback where requestIdleCallback is missing.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createIdleWriter } from "./idle-writer";

/** requestIdleCallback as a browser gives it: the callback runs when the test says "idle". */
let idle: (() => void)[] = [];
function goIdle(): void {
  const due = idle;
  idle = [];
  for (const fn of due) fn();
}

beforeEach(() => {
  vi.useFakeTimers();
  idle = [];
  vi.stubGlobal("requestIdleCallback", (fn: () => void) => idle.push(fn));
  vi.stubGlobal("cancelIdleCallback", (handle: number) => {
    idle.splice(handle - 1, 1, () => {});
  });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("createIdleWriter", () => {
  it("writes once for a burst of changes, after the delay and only when the page is idle", () => {
    const write = vi.fn();
    const writer = createIdleWriter(write, 500, 2000);
    for (let i = 0; i < 20; i++) writer.changed();
    vi.advanceTimersByTime(499);
    goIdle();
    expect(write).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(write).not.toHaveBeenCalled(); // waiting for idle time
    expect(writer.dirty()).toBe(true);
    goIdle();
    expect(write).toHaveBeenCalledTimes(1);
    expect(writer.dirty()).toBe(false);
  });

  it("writes again after a later change, and each change is written", () => {
    const write = vi.fn();
    const writer = createIdleWriter(write, 500, 2000);
    writer.changed();
    vi.advanceTimersByTime(500);
    goIdle();
    writer.changed();
    vi.advanceTimersByTime(500);
    goIdle();
    expect(write).toHaveBeenCalledTimes(2);
  });

  it("flush writes at once what is unwritten, and nothing when all is written", () => {
    const write = vi.fn();
    const writer = createIdleWriter(write, 500, 2000);
    writer.flush();
    expect(write).not.toHaveBeenCalled();

    writer.changed();
    writer.flush();
    expect(write).toHaveBeenCalledTimes(1);
    // The scheduled write was taken by the flush: no second one follows.
    vi.advanceTimersByTime(5000);
    goIdle();
    expect(write).toHaveBeenCalledTimes(1);

    writer.changed();
    vi.advanceTimersByTime(500);
    goIdle();
    writer.flush(); // the page goes after the idle write: nothing left to do
    expect(write).toHaveBeenCalledTimes(2);
  });

  it("cancel drops what is unwritten", () => {
    const write = vi.fn();
    const writer = createIdleWriter(write, 500, 2000);
    writer.changed();
    writer.cancel();
    vi.advanceTimersByTime(5000);
    goIdle();
    writer.flush();
    expect(write).not.toHaveBeenCalled();
  });

  it("writes after a short timer where the browser has no idle callbacks", () => {
    vi.unstubAllGlobals();
    vi.stubGlobal("requestIdleCallback", undefined);
    const write = vi.fn();
    const writer = createIdleWriter(write, 500, 2000);
    writer.changed();
    vi.advanceTimersByTime(500);
    expect(write).not.toHaveBeenCalled();
    vi.advanceTimersByTime(200);
    expect(write).toHaveBeenCalledTimes(1);
  });
});
