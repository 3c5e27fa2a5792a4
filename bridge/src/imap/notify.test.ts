import { describe, expect, it } from "vitest";
import { changedPaths } from "./notify";

describe("changedPaths", () => {
  const listing = (entries: Record<string, string>) => new Map(Object.entries(entries));

  it("names the folders that came, went or changed state, a rename's both paths", () => {
    const before = listing({ INBOX: "a", Trips: "a", Old: "a", Work: "a" });
    const after = listing({ INBOX: "a", Trips: "b", New: "a", Work: "a" });
    expect(changedPaths(before, after).sort()).toEqual(["New", "Old", "Trips"]);
  });

  it("names none when the listing is the same", () => {
    const same = listing({ INBOX: "a", Drafts: "b" });
    expect(changedPaths(same, listing({ Drafts: "b", INBOX: "a" }))).toEqual([]);
  });
});
