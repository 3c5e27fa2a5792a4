import { afterEach, describe, expect, it, vi } from "vitest";
import { Outbox, type OutboxEntry } from "./outbox";

afterEach(() => {
  vi.useRealTimers();
});

function recorder(outcome: "sent" | "failed" = "sent") {
  const sent: string[] = [];
  const outbox = new Outbox<string>(async (entry: OutboxEntry<string>) => {
    sent.push(entry.item);
    return outcome;
  });
  return { outbox, sent };
}

describe("Outbox", () => {
  it("holds a message for its delay, then sends it", async () => {
    vi.useFakeTimers();
    const { outbox, sent } = recorder();
    outbox.queue("s1", "id1", "hello", 10_000);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual(["hello"]);
    expect(outbox.size).toBe(0);
  });

  it("gives the item back when cancelled in time, and never sends it", async () => {
    vi.useFakeTimers();
    const { outbox, sent } = recorder();
    outbox.queue("s1", "id1", "draft", 5_000);
    expect(outbox.cancel("s1", "id1")).toEqual({ ok: true, item: "draft" });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toEqual([]);
  });

  it("says already sent once the message went, and unknown for another session's id", async () => {
    vi.useFakeTimers();
    const { outbox } = recorder();
    outbox.queue("s1", "id1", "draft", 1_000);
    expect(outbox.cancel("s2", "id1")).toEqual({ ok: false, state: "unknown" });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(outbox.cancel("s1", "id1")).toEqual({ ok: false, state: "sent" });
  });

  it("refuses to cancel while sending", async () => {
    let release: () => void = () => {};
    const outbox = new Outbox<string>(
      () => new Promise<"sent">((resolve) => (release = () => resolve("sent"))),
    );
    outbox.queue("s1", "id1", "draft", 0);
    await new Promise((r) => setTimeout(r, 5));
    expect(outbox.cancel("s1", "id1")).toEqual({ ok: false, state: "sending" });
    release();
    await outbox.flush();
  });

  it("remembers a failure", async () => {
    const { outbox } = recorder("failed");
    outbox.queue("s1", "id1", "draft", 0);
    await outbox.flush("s1");
    expect(outbox.cancel("s1", "id1")).toEqual({ ok: false, state: "failed" });
  });

  it("flush sends a session's held messages at once and waits for them", async () => {
    const { outbox, sent } = recorder();
    outbox.queue("s1", "a", "a", 30_000);
    outbox.queue("s2", "b", "b", 30_000);
    await outbox.flush("s1");
    expect(sent).toEqual(["a"]);
    expect(outbox.pending("s2")).toHaveLength(1);
    await outbox.flush();
    expect(sent).toEqual(["a", "b"]);
  });

  it("counts a sender that throws as failed", async () => {
    const outbox = new Outbox<string>(async () => {
      throw new Error("bug");
    });
    outbox.queue("s1", "id1", "x", 0);
    await outbox.flush();
    expect(outbox.cancel("s1", "id1")).toEqual({ ok: false, state: "failed" });
  });
});
