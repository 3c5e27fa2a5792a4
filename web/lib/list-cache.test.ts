import type { TMessageRow } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import {
  applyFlags,
  applyNew,
  applyRemoved,
  emptyList,
  findRow,
  type ListData,
  mergeWindow,
  trimForStorage,
  updateFlags,
  WINDOW_SIZE,
  windowNeedsFetch,
} from "./list-cache";

function row(uid: number, minutesAgo = uid): TMessageRow {
  return {
    uid,
    flags: [],
    date: new Date(Date.UTC(2026, 0, 1) - minutesAgo * 60_000).toISOString(),
    subject: `Subject ${uid}`,
    from: [{ name: `Sender ${uid}`, address: `s${uid}@example.test` }],
    to: [],
    size: 100,
    hasAttachments: false,
    preview: "",
    messageId: null,
  };
}

/** A list of `total` messages, newest first: position i holds uid total - i. */
function window(total: number, offset: number, limit: number, uidValidity = 7) {
  const rows: TMessageRow[] = [];
  for (let i = offset; i < Math.min(total, offset + limit); i++) rows.push(row(total - i, i));
  return { mailbox: "INBOX", query: null, uidValidity, total, offset, rows };
}

describe("mergeWindow", () => {
  it("places rows at their positions and marks the window fetched", () => {
    const w = WINDOW_SIZE;
    const d = mergeWindow(undefined, window(250, w, w), "e1");
    expect(d.total).toBe(250);
    expect(d.rows[w]?.uid).toBe(250 - w);
    expect(d.rows[0]).toBeUndefined();
    expect(windowNeedsFetch(d, 1, "e1")).toBe(false);
    expect(windowNeedsFetch(d, 0, "e1")).toBe(true);
    expect(windowNeedsFetch(d, 1, "e2")).toBe(true);
  });

  it("drops everything when UIDVALIDITY changes", () => {
    const a = mergeWindow(undefined, window(250, 0, 100), "e1");
    const b = mergeWindow(a, window(10, 0, 10, 8), "e1");
    expect(b.uidValidity).toBe(8);
    expect(Object.keys(b.rows)).toHaveLength(10);
  });

  it("moves a UID that the reply puts elsewhere", () => {
    const a = mergeWindow(undefined, window(250, 0, 100), "e1");
    const shifted = { ...window(250, 100, 100), rows: [row(250), ...window(250, 101, 99).rows] };
    const b = mergeWindow(a, shifted, "e1");
    expect(findRow(b, 250)?.index).toBe(100);
  });
});

describe("applyNew", () => {
  it("slides newer rows in at the top and shifts the rest", () => {
    const a = mergeWindow(undefined, window(150, 0, 100), "e1");
    const b = applyNew(a, { uidValidity: 7, total: 152, rows: [row(152, -2), row(151, -1)] });
    expect(b.total).toBe(152);
    expect(b.rows[0]?.uid).toBe(152);
    expect(b.rows[1]?.uid).toBe(151);
    expect(b.rows[2]?.uid).toBe(150);
    expect(b.arrived).toEqual([152, 151]);
    expect(windowNeedsFetch(b, 0, "e1")).toBe(false);
  });

  it("ignores rows it already has but takes the new total", () => {
    const a = mergeWindow(undefined, window(150, 0, 100), "e1");
    const b = applyNew(a, { uidValidity: 7, total: 150, rows: [row(150, 0)] });
    expect(b.rows[0]?.uid).toBe(150);
    expect(Object.keys(b.rows)).toHaveLength(100);
  });

  it("puts a message moved back in (a new, higher UID) at the top whatever its date", () => {
    const a = mergeWindow(undefined, window(150, 0, 100), "e1");
    const b = applyNew(a, { uidValidity: 7, total: 151, rows: [row(500, 6000)] });
    expect(b.rows[0]?.uid).toBe(500);
  });

  it("marks a search stale instead of guessing whether new mail matches", () => {
    const a = { ...mergeWindow(undefined, window(150, 0, 100), "e1"), query: "from:ann" };
    const b = applyNew(a, { uidValidity: 7, total: 151, rows: [row(151)] });
    expect(b.total).toBe(151);
    expect(windowNeedsFetch(b, 0, "e1")).toBe(true);
  });
});

describe("applyRemoved", () => {
  it("closes up the gap and keeps exact windows fetched", () => {
    const a = mergeWindow(undefined, window(50, 0, 100), "e1");
    const b = applyRemoved(a, [49, 10], 48);
    expect(b.total).toBe(48);
    expect(b.rows[0]?.uid).toBe(50);
    expect(b.rows[1]?.uid).toBe(48);
    expect(findRow(b, 10)).toBeNull();
    expect(windowNeedsFetch(b, 0, "e1")).toBe(false);
  });

  it("refetches when messages it never saw went away", () => {
    const a = mergeWindow(undefined, window(300, 0, 100), "e1");
    const b = applyRemoved(a, [250, 5], 297);
    expect(b.total).toBe(297);
    expect(windowNeedsFetch(b, 0, "e1")).toBe(true);
  });

  it("is a no-op for unknown UIDs with an unchanged total", () => {
    const a = mergeWindow(undefined, window(50, 0, 100), "e1");
    expect(applyRemoved(a, [999], 50)).toBe(a);
  });
});

describe("flags", () => {
  it("replaces and edits flags by UID", () => {
    const a = mergeWindow(undefined, window(5, 0, 5), "e1");
    const b = applyFlags(a, [{ uid: 5, flags: ["\\Seen"] }]);
    expect(b.rows[0]?.flags).toEqual(["\\Seen"]);
    const c = updateFlags(b, [5, 4], ["\\Flagged"], ["\\Seen"]);
    expect(c.rows[0]?.flags).toEqual(["\\Flagged"]);
    expect(c.rows[1]?.flags).toEqual(["\\Flagged"]);
    expect(applyFlags(c, [{ uid: 5, flags: ["\\Flagged"] }])).toBe(c);
  });
});

describe("trimForStorage", () => {
  it("keeps only the top rows and forgets fetch epochs", () => {
    const a: ListData = mergeWindow(
      emptyList("INBOX", null),
      window(3 * WINDOW_SIZE, 0, 200),
      "e1",
    );
    const t = trimForStorage(a, 50);
    expect(Object.keys(t.rows)).toHaveLength(50);
    expect(t.fetched).toEqual({});
  });
});
