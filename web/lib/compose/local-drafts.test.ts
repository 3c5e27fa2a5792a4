/** Drafts kept on this device: saved to Drafts once, never by two tabs, never while held. */
import type { TMessageRef } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { FerryError } from "../errors";
import { draftKey, type QueuedDraft, type QueuedOp, replayQueue } from "../offline-queue";
import { memoryQueueStore as memoryStore } from "../test-queue-store";
import { type DraftLocks, restorableDraft, syncLocalDrafts } from "./local-drafts";

/** Web Locks as one origin has them: a held name is not available to anyone else. */
function memoryLocks(): DraftLocks & { held: Set<string> } {
  const held = new Set<string>();
  return {
    held,
    async tryHold(localId, fn) {
      if (held.has(localId)) return;
      held.add(localId);
      try {
        await fn();
      } finally {
        held.delete(localId);
      }
    },
  };
}

const local = (localId: string, subject: string): QueuedDraft => ({
  type: "draft.save",
  localId,
  draft: { from: { name: "", address: "a@example.test" }, subject, html: "<p>x</p>", text: "x" },
  replaceUid: { uidValidity: 3, uid: 9 },
  draftMailbox: "Drafts",
  savedAt: 1,
});

function server() {
  const saved: QueuedDraft[] = [];
  let uid = 100;
  return {
    saved,
    async save(d: QueuedDraft): Promise<TMessageRef> {
      // a request takes a while: another tab's sync runs meanwhile
      await new Promise((resolve) => setTimeout(resolve, 5));
      saved.push(d);
      return { mailbox: "Drafts", uidValidity: 3, uid: uid++ };
    },
  };
}

describe("drafts kept on this device", () => {
  it("two tabs syncing at once save each draft once, replacing its server copy", async () => {
    const store = memoryStore();
    await store.put(draftKey("a"), local("a", "First"));
    await store.put(draftKey("b"), local("b", "Second"));
    const locks = memoryLocks();
    const s = server();
    const hooks = { save: s.save, refused: () => undefined, online: () => true };
    const counts = await Promise.all([
      syncLocalDrafts(store, locks, hooks),
      syncLocalDrafts(store, locks, hooks),
    ]);
    expect(counts[0] + counts[1]).toBe(2);
    expect(s.saved.map((d) => d.draft.subject).sort()).toEqual(["First", "Second"]);
    expect(s.saved.every((d) => d.replaceUid?.uid === 9)).toBe(true);
    expect(store.map.size).toBe(0);
  });

  it("leaves alone a draft an open composer holds", async () => {
    const store = memoryStore();
    await store.put(draftKey("a"), local("a", "Open"));
    const locks = memoryLocks();
    locks.held.add("a");
    const s = server();
    expect(
      await syncLocalDrafts(store, locks, {
        save: s.save,
        refused: () => undefined,
        online: () => true,
      }),
    ).toBe(0);
    expect(s.saved).toEqual([]);
    expect(store.map.has(draftKey("a"))).toBe(true);
  });

  it("keeps a draft whose save was cut off or refused", async () => {
    const store = memoryStore();
    await store.put(draftKey("a"), local("a", "Cut"));
    const refused: unknown[] = [];
    const lost = await syncLocalDrafts(store, memoryLocks(), {
      save: async () => {
        throw new FerryError("connection_lost", "gone");
      },
      refused: (_d, e) => refused.push(e),
      online: () => true,
    });
    expect(lost).toBe(0);
    expect(refused).toEqual([]);
    expect(store.map.has(draftKey("a"))).toBe(true);
    await syncLocalDrafts(store, memoryLocks(), {
      save: async () => {
        throw new FerryError("bad_request", "no such upload");
      },
      refused: (_d, e) => refused.push(e),
      online: () => true,
    });
    expect(refused).toHaveLength(1);
    expect(store.map.has(draftKey("a"))).toBe(true);
  });

  it("is not replayed as an action", async () => {
    const store = memoryStore();
    await store.put(draftKey("a"), local("a", "Mine"));
    const applied: QueuedOp[] = [];
    expect(
      await replayQueue(store, {
        apply: async (op) => {
          applied.push(op);
        },
        dropped: () => undefined,
        online: () => true,
      }),
    ).toBe(0);
    expect(applied).toEqual([]);
    expect(store.map.has(draftKey("a"))).toBe(true);
  });

  it("reopens with the recipients that are addresses", () => {
    const draft = restorableDraft({
      ...local("a", "Hi").draft,
      to: [
        { name: "", address: "bob@example.test" },
        { name: "", address: "not an address" },
      ],
    });
    expect(draft?.to).toEqual([{ name: "", address: "bob@example.test" }]);
    expect(draft?.subject).toBe("Hi");
  });
});
