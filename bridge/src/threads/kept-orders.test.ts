import { describe, expect, it } from "vitest";
import { conversationsOf, type KeptOrder, KeptOrders, packed } from "./kept-orders";

const order = (uidValidity: number, ...conversations: number[][]): KeptOrder => ({
  uidValidity,
  exists: conversations.flat().length,
  uidNext: Math.max(0, ...conversations.flat()) + 1,
  head: null,
  headCount: 0,
  ...packed(conversations),
});

const uidsOf = (kept: KeptOrder | undefined) =>
  kept ? conversationsOf(kept).map((c) => c.uids) : undefined;

describe("KeptOrders", () => {
  it("keeps each account's folders apart (INBOX in any case is one)", () => {
    const kept = new KeptOrders();
    kept.put("alice", "INBOX", order(1, [3, 1], [2]));
    kept.put("alice", "Archive", order(2, [5]));
    kept.put("bob", "INBOX", order(1, [9]));
    expect(uidsOf(kept.get("alice", "inbox"))).toEqual([[3, 1], [2]]);
    expect(uidsOf(kept.get("alice", "Archive"))).toEqual([[5]]);
    expect(uidsOf(kept.get("bob", "INBOX"))).toEqual([[9]]);
    expect(kept.get("carol", "INBOX")).toBeUndefined();
    kept.drop("alice", "INBOX");
    expect(kept.get("alice", "INBOX")).toBeUndefined();
    expect(kept.size).toBe(2);
  });

  it("forgets the least recently used orders past its bound of UIDs", () => {
    const kept = new KeptOrders(6);
    kept.put("a", "INBOX", order(1, [1, 2]));
    kept.put("b", "INBOX", order(1, [1, 2]));
    kept.put("c", "INBOX", order(1, [1, 2]));
    expect(kept.get("a", "INBOX")).toBeDefined();
    kept.put("d", "INBOX", order(1, [1, 2]));
    expect(kept.get("b", "INBOX")).toBeUndefined();
    expect(kept.get("a", "INBOX")).toBeDefined();
    expect(kept.size).toBe(6);
    // One order larger than the whole bound is not kept, and pushes nothing out.
    kept.put("e", "INBOX", order(1, [1, 2, 3, 4, 5, 6, 7]));
    expect(kept.get("e", "INBOX")).toBeUndefined();
    expect(kept.size).toBe(6);
    // Replacing an order counts its UIDs once.
    kept.put("a", "INBOX", order(2, [7]));
    expect(kept.size).toBe(5);
  });

  it("tells whether a folder's whole order is kept, not only its head, without using it", () => {
    const kept = new KeptOrders(4);
    kept.put("a", "INBOX", order(1, [9, 8]));
    kept.put("h", "INBOX", { ...order(1, [9]), head: 9, headCount: 1 });
    expect([kept.whole("h", "INBOX"), kept.whole("a", "inbox"), kept.whole("c", "INBOX")]).toEqual([
      false,
      true,
      false,
    ]);
    // Asking did not make a's the most recently used: it goes first past the bound.
    kept.put("c", "INBOX", order(1, [1, 2]));
    expect([kept.whole("a", "INBOX"), kept.get("h", "INBOX") !== undefined]).toEqual([false, true]);
  });
});
