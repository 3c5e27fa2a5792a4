import type { TMessageRow } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { applyNew, mergeWindow } from "./list-cache";
import {
  effectiveSort,
  parseSortId,
  searchesAllFolders,
  searchesOtherFolders,
  sortId,
  withAllFolders,
} from "./list-sort";

function row(uid: number): TMessageRow {
  return {
    uid,
    flags: [],
    date: null,
    subject: `m${uid}`,
    from: [],
    to: [],
    size: 1,
    hasAttachments: false,
    preview: "",
    messageId: null,
  };
}

describe("list orders", () => {
  it("names orders for the URL and reads them back", () => {
    expect(sortId({ key: "from", reverse: false })).toBe("from.asc");
    expect(sortId({ key: "arrival", reverse: true })).toBe("");
    expect(parseSortId("size.desc")).toEqual({ key: "size", reverse: true });
    expect(parseSortId("size")).toBeNull();
  });

  it("falls back to date received where the server cannot sort", () => {
    const from = { key: "from", reverse: false } as const;
    expect(effectiveSort(from, null, true)).toEqual(from);
    expect(effectiveSort(null, from, true)).toEqual(from);
    expect(effectiveSort(from, null, false)).toEqual({ key: "arrival", reverse: true });
    expect(effectiveSort({ key: "arrival", reverse: false }, null, false)).toEqual({
      key: "arrival",
      reverse: false,
    });
  });

  it("adds and takes out in:anywhere", () => {
    expect(withAllFolders("lunch", true)).toBe("in:anywhere lunch");
    expect(withAllFolders("in:anywhere lunch", false)).toBe("lunch");
    expect(searchesAllFolders("lunch in:ANYWHERE")).toBe(true);
    expect(searchesOtherFolders("in:Archive x")).toBe(true);
    expect(searchesOtherFolders("lunch")).toBe(false);
  });

  it("new mail in a sorted list is not put at the top: the rows on screen are fetched again", () => {
    const reply = {
      mailbox: "INBOX",
      query: null,
      uidValidity: 1,
      total: 3,
      offset: 0,
      rows: [row(2), row(9), row(4)],
    };
    const sorted = mergeWindow(undefined, { ...reply, sort: { key: "from", reverse: false } }, "e");
    const after = applyNew(sorted, { uidValidity: 1, total: 4, rows: [row(10)] });
    expect(after.rows[0]?.uid).toBe(2);
    expect(after.total).toBe(4);
    expect(after.fetched).toEqual({});
    // The same event on the list by arrival slides the row in at the top.
    const plain = mergeWindow(undefined, reply, "e");
    expect(applyNew(plain, { uidValidity: 1, total: 4, rows: [row(10)] }).rows[0]?.uid).toBe(10);
  });
});
