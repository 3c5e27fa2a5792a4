// @vitest-environment jsdom
/**
 * whenQuiet: work waits while the user keeps pressing keys (as when going down the list with j
 * right after sign-in), starts once they have been still for QUIET_MS, and not at all once
 * cancelled (the session ended).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as Quiet from "./quiet";

// A fresh module (its record of the last input) on a fresh clock for each case.
let QUIET_MS: number;
let whenQuiet: typeof Quiet.whenQuiet;
let noteActivity: typeof Quiet.noteActivity;
beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  vi.resetModules();
  ({ QUIET_MS, whenQuiet, noteActivity } = await import("./quiet"));
});
afterEach(() => vi.useRealTimers());

/** Time for the page's idle moment (whenIdle's timer where there is no requestIdleCallback). */
const IDLE_MS = 250;

function press(key: string): void {
  window.dispatchEvent(new KeyboardEvent("keydown", { key }));
}

describe("whenQuiet", () => {
  it("waits while keys keep coming and starts once the user has been still", async () => {
    const fn = vi.fn();
    whenQuiet(fn);
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(QUIET_MS / 2);
      press("j");
    }
    expect(fn).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(QUIET_MS - 1);
    expect(fn).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1 + IDLE_MS);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("counts the stillness from the call when no input came", async () => {
    const fn = vi.fn();
    whenQuiet(fn);
    await vi.advanceTimersByTimeAsync(QUIET_MS - 1);
    expect(fn).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1 + IDLE_MS);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("does nothing once cancelled", async () => {
    const fn = vi.fn();
    const cancel = whenQuiet(fn);
    await vi.advanceTimersByTimeAsync(QUIET_MS / 2);
    cancel();
    await vi.advanceTimersByTimeAsync(QUIET_MS * 4);
    expect(fn).not.toHaveBeenCalled();
  });

  it("counted from the last input alone, starts at once after a long stillness (each offline fetch waits so)", async () => {
    noteActivity(); // a connection's start
    await vi.advanceTimersByTimeAsync(QUIET_MS);
    const fn = vi.fn();
    whenQuiet(fn, QUIET_MS, 5000, Number.NEGATIVE_INFINITY);
    await vi.advanceTimersByTimeAsync(IDLE_MS);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("counts a connection's start as input", async () => {
    noteActivity();
    const fn = vi.fn();
    whenQuiet(fn, QUIET_MS, 5000, Number.NEGATIVE_INFINITY);
    await vi.advanceTimersByTimeAsync(QUIET_MS / 2);
    noteActivity();
    await vi.advanceTimersByTimeAsync(QUIET_MS - 1);
    expect(fn).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1 + IDLE_MS);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
