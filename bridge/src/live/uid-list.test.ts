import { describe, expect, it } from "vitest";
import { packUids } from "../imap/mailbox-access";
import { UidList } from "./uid-list";
import { iterateSequenceSet } from "./uid-set";

describe("UidList", () => {
  it("maps sequence numbers to UIDs through expunges", () => {
    const list = UidList.from([3, 5, 9, 10]);
    expect(list.at(1)).toBe(5);
    expect(list.removeAt(1)).toBe(5);
    expect([0, 1, 2].map((i) => list.at(i))).toEqual([3, 9, 10]);
    expect(list.removeAt(7)).toBeUndefined();
    expect(list.length).toBe(3);
  });

  it("keeps messages announced by EXISTS as pending until their UIDs are filled in", () => {
    const list = UidList.from([1, 2]);
    list.addPending(2);
    expect(list.length).toBe(4);
    expect(list.at(2)).toBe(0);
    // One of the new messages is expunged before its UID was known.
    expect(list.removeAt(3)).toBe(0);
    expect(list.fill([7])).toBe(true);
    expect(list.pending).toBe(0);
    expect(list.at(2)).toBe(7);
  });

  it("refuses a fill that does not fit (the numbering drifted)", () => {
    const list = UidList.from([4]);
    list.addPending(1);
    expect(list.fill([5, 6])).toBe(false);
    expect(list.fill([3])).toBe(false);
    expect(list.length).toBe(2);
    expect(list.fill([5])).toBe(true);
  });

  it("sorts and deduplicates input that is not ascending, and grows past its capacity", () => {
    const list = UidList.from([9, 1, 5, 5, 3]);
    expect([...Array(list.length).keys()].map((i) => list.at(i))).toEqual([1, 3, 5, 9]);
    const big = UidList.from(Array.from({ length: 1000 }, (_, i) => i * 2 + 1));
    expect(big.length).toBe(1000);
    expect(big.indexOf(999)).toBe(499);
    expect(big.has(1000)).toBe(false);
  });

  it("lists what another list lost, and UIDs from a point on", () => {
    const before = UidList.from([1, 2, 3, 7, 8]);
    const after = UidList.from([2, 7, 9]);
    expect(before.missingFrom(after)).toEqual([1, 3, 8]);
    expect(after.from(7)).toEqual([7, 9]);
    expect(before.removeUid(7)).toBe(true);
    expect(before.removeUid(7)).toBe(false);
  });
});

describe("sequence sets", () => {
  it("compacts UIDs into ranges", () => {
    expect(packUids([5, 1, 2, 3, 9, 10, 3])).toBe("1:3,5,9:10");
    expect(packUids([])).toBe("");
  });

  it("walks a server's set and skips nonsense", () => {
    expect([...iterateSequenceSet("1:3,7,12:10")]).toEqual([1, 2, 3, 7, 10, 11, 12]);
    expect([...iterateSequenceSet("x,0,4,*,99999999999,5:")]).toEqual([4]);
  });
});
