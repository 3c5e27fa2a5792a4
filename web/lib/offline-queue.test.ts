import { describe, expect, it } from "vitest";
import { FerryError } from "./errors";
import { type Dropped, MAX_ATTEMPTS, type QueuedOp, replayQueue } from "./offline-queue";
import { memoryQueueStore as memoryStore } from "./test-queue-store";

const set = (uid: number) => ({ mailbox: "INBOX", uidValidity: 7, uids: [uid] });
const archive = (uid: number): QueuedOp => ({ type: "messages.archive", set: set(uid) });
const send: QueuedOp = {
  type: "compose.send",
  draft: { from: { name: "", address: "a@example.test" }, subject: "Hi", html: null, text: "x" },
  delaySeconds: 10,
  draftUid: null,
  draftMailbox: null,
};

function hooks(fail: (op: QueuedOp) => unknown = () => null) {
  const applied: QueuedOp[] = [];
  const dropped: Dropped[] = [];
  return {
    applied,
    dropped,
    hooks: {
      async apply(op: QueuedOp) {
        const err = fail(op);
        if (err) throw err;
        applied.push(op);
      },
      dropped: (d: Dropped) => dropped.push(d),
      online: () => true,
    },
  };
}

describe("replayQueue", () => {
  it("applies entries in the order they were queued and empties the queue", async () => {
    const store = memoryStore([
      ["0002", archive(2)],
      ["0001", archive(1)],
      ["0003", send],
    ]);
    const h = hooks();
    expect(await replayQueue(store, h.hooks)).toBe(3);
    expect(h.applied).toEqual([archive(1), archive(2), send]);
    expect(store.map.size).toBe(0);
  });

  it("drops an entry the bridge refuses (folder reset) with a notice, and goes on", async () => {
    const store = memoryStore([
      ["1", archive(1)],
      ["2", archive(2)],
    ]);
    const h = hooks((op) =>
      op.type === "messages.archive" && op.set.uids[0] === 1
        ? new FerryError("uidvalidity_changed", "reset")
        : null,
    );
    expect(await replayQueue(store, h.hooks)).toBe(1);
    expect(h.dropped).toEqual([
      { op: archive(1), reason: "refused", error: expect.any(FerryError) },
    ]);
    expect(h.applied).toEqual([archive(2)]);
    expect(store.map.size).toBe(0);
  });

  it("keeps a move cut off by a lost connection for the next one, but not forever", async () => {
    const store = memoryStore([
      ["1", archive(1)],
      ["2", archive(2)],
    ]);
    const h = hooks(() => new FerryError("connection_lost", "gone"));
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      expect(await replayQueue(store, h.hooks)).toBe(0);
      const entry = store.map.get("1");
      expect(entry && "attempts" in entry ? entry.attempts : undefined).toBe(i);
      expect(store.map.has("2")).toBe(true);
    }
    await replayQueue(store, h.hooks);
    expect(h.dropped).toEqual([
      { op: { ...archive(1), attempts: MAX_ATTEMPTS - 1 }, reason: "attempts" },
    ]);
    expect(store.map.has("1")).toBe(false);
  });

  it("never sends a message twice: one cut off goes back to the user, not to the queue", async () => {
    const store = memoryStore([["1", send]]);
    const h = hooks(() => new FerryError("connection_lost", "gone"));
    await replayQueue(store, h.hooks);
    expect(h.dropped).toEqual([{ op: send, reason: "interrupted" }]);
    expect(store.map.size).toBe(0);
  });

  it("a second replay after the first finds nothing left to apply", async () => {
    const store = memoryStore([
      ["1", archive(1)],
      ["2", send],
    ]);
    const first = hooks();
    const second = hooks();
    await replayQueue(store, first.hooks);
    await replayQueue(store, second.hooks);
    expect(first.applied).toHaveLength(2);
    expect(second.applied).toHaveLength(0);
  });

  it("stops while offline and leaves the queue as it was", async () => {
    const store = memoryStore([["1", archive(1)]]);
    const h = hooks();
    expect(await replayQueue(store, { ...h.hooks, online: () => false })).toBe(0);
    expect(store.map.size).toBe(1);
  });
});
