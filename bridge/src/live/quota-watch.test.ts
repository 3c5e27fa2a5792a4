import type { TQuota, TServerFrame } from "@ferry/protocol";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { QuotaWatch } from "./quota-watch";

const log = pino({ level: "silent" });
const quota = (used: number): TQuota => ({ storage: { used, limit: 1000 }, messages: null });
const status: TServerFrame = { type: "mailbox.status", mailbox: "Archive", messages: 1, unseen: 1 };

function watch(answers: (TQuota | null)[]) {
  const frames: TServerFrame[] = [];
  let reads = 0;
  const w = new QuotaWatch({
    read: async () => answers[Math.min(reads++, answers.length - 1)] ?? null,
    emit: (f) => frames.push(f),
    log,
    delayMs: 100,
  });
  return { w, frames, reads: () => reads };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("QuotaWatch", () => {
  it("pushes the quota read at start, then a changed one once per burst of events", async () => {
    const { w, frames, reads } = watch([quota(100), quota(300)]);
    w.refresh();
    await vi.runAllTimersAsync();
    expect(frames).toEqual([{ type: "quota.changed", quota: quota(100) }]);
    w.observe(status);
    w.observe({ type: "mailbox.reset", mailbox: "INBOX", uidValidity: 1 });
    w.observe(status);
    await vi.runAllTimersAsync();
    expect(reads()).toBe(2);
    expect(frames.at(-1)).toEqual({ type: "quota.changed", quota: quota(300) });
    w.observe(status);
    await vi.runAllTimersAsync();
    expect(reads()).toBe(3);
    expect(frames).toHaveLength(2);
  });

  it("says nothing and reads nothing more where the server has no quota", async () => {
    const { w, frames, reads } = watch([null]);
    w.refresh();
    await vi.runAllTimersAsync();
    w.observe(status);
    await vi.runAllTimersAsync();
    expect(frames).toEqual([]);
    expect(reads()).toBe(1);
  });
});
