import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Candidate,
  type KeptEntry,
  makeRoom,
  OFFLINE_CAP_BYTES,
  offlineBudget,
  offlineQuery,
  refKey,
  staleKeys,
  toFetch,
  usedBytes,
} from "./offline-bodies";

function candidate(uid: number, date: number, uidValidity = 1): Candidate {
  const ref = { mailbox: "INBOX", uidValidity, uid };
  return { key: refKey(ref), ref, date };
}

function entry(uid: number, date: number, bytes: number): KeptEntry {
  return { key: refKey({ mailbox: "INBOX", uidValidity: 1, uid }), date, bytes };
}

describe("toFetch", () => {
  it("asks for the candidates not kept yet, newest first", () => {
    const kept = new Set([candidate(2, 200).key]);
    const order = toFetch([candidate(1, 100), candidate(2, 200), candidate(3, 300)], kept);
    expect(order.map((c) => c.ref.uid)).toEqual([3, 1]);
  });

  it("does not take a body kept under another UIDVALIDITY for this one", () => {
    const kept = new Set([candidate(1, 100, 7).key]);
    expect(toFetch([candidate(1, 100, 8)], kept)).toHaveLength(1);
  });
});

describe("staleKeys", () => {
  it("drops what is no longer among the candidates (aged out, moved, new UIDVALIDITY)", () => {
    const entries = [entry(1, 100, 10), entry(2, 200, 10), entry(3, 300, 10)];
    const still = new Set([entries[1]?.key ?? ""]);
    expect(staleKeys(entries, still)).toEqual([entries[0]?.key, entries[2]?.key]);
  });
});

describe("makeRoom", () => {
  it("drops nothing while there is room", () => {
    expect(makeRoom([entry(1, 100, 40)], { date: 50, bytes: 60 }, 100)).toEqual([]);
  });

  it("drops the oldest first until the newer body fits", () => {
    const entries = [entry(1, 300, 30), entry(2, 100, 30), entry(3, 200, 30)];
    expect(makeRoom(entries, { date: 400, bytes: 50 }, 100)).toEqual([
      entries[1]?.key,
      entries[2]?.key,
    ]);
  });

  it("never drops a newer body for an older one: the run stops instead", () => {
    const entries = [entry(1, 300, 50), entry(2, 200, 50)];
    expect(makeRoom(entries, { date: 100, bytes: 10 }, 100)).toBeNull();
    expect(makeRoom([], { date: 100, bytes: 101 }, 100)).toBeNull();
  });

  it("keeps within the budget and drops only older bodies (any kept set within it)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ date: fc.nat(1000), bytes: fc.integer({ min: 1, max: 50 }) }), {
          maxLength: 30,
        }),
        fc.record({ date: fc.nat(1000), bytes: fc.integer({ min: 1, max: 80 }) }),
        fc.integer({ min: 1, max: 400 }),
        (raw, incoming, budget) => {
          const entries = raw.map((r, i) => entry(i + 1, r.date, r.bytes));
          fc.pre(usedBytes(entries) <= budget);
          const evict = makeRoom(entries, incoming, budget);
          if (evict === null) return;
          const gone = new Set(evict);
          const left = entries.filter((e) => !gone.has(e.key));
          expect(usedBytes(left) + incoming.bytes).toBeLessThanOrEqual(budget);
          for (const e of entries) if (gone.has(e.key)) expect(e.date).toBeLessThan(incoming.date);
        },
      ),
    );
  });
});

describe("offlineBudget", () => {
  it("is the cap, or a tenth of a small quota", () => {
    expect(offlineBudget(undefined)).toBe(OFFLINE_CAP_BYTES);
    expect(offlineBudget(10_000_000_000)).toBe(OFFLINE_CAP_BYTES);
    expect(offlineBudget(100_000_000)).toBe(10_000_000);
  });
});

describe("offlineQuery", () => {
  it("asks the bridge's search for the last N days", () => {
    expect(offlineQuery(30)).toBe("newer_than:30d");
  });
});
