import { describe, expect, it } from "vitest";
import { openPrefetchOrder, TOP_ROWS } from "./open-prefetch";

describe("openPrefetchOrder", () => {
  it("fetches the cursor's row and the next first, then around, then the top rows", () => {
    expect(openPrefetchOrder(100, 10, null)).toEqual([10, 11, 9, 12, 0, 1, 2]);
  });

  it("adds the open message's neighbours, each position once", () => {
    expect(openPrefetchOrder(100, 1, 1)).toEqual([1, 2, 0, 3]);
    expect(openPrefetchOrder(100, 20, 40)).toEqual([20, 21, 41, 39, 19, 22, 0, 1, 2]);
  });

  it("stays inside the list", () => {
    expect(openPrefetchOrder(2, 1, null)).toEqual([1, 0]);
    expect(openPrefetchOrder(0, 0, null)).toEqual([]);
    expect(openPrefetchOrder(100, null, null)).toHaveLength(TOP_ROWS);
  });
});
