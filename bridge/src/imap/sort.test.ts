import { describe, expect, it } from "vitest";
import { expandOrderedSet } from "./sort";

describe("expandOrderedSet", () => {
  it("keeps the server's order, ranges in either direction", () => {
    expect([...expandOrderedSet("5,3,17:19,9:7")]).toEqual([5, 3, 17, 18, 19, 9, 8, 7]);
  });
  it("skips parts that are not UIDs", () => {
    expect([...expandOrderedSet("0,x,4,2:*,6")]).toEqual([4, 6]);
  });
});
