import type { TRevision } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { type ListData, type ListEvent, WINDOW_SIZE, windowNeedsFetch } from "./list-cache";
import { applyOrdered, EVENT_LOG_SIZE, eventVerdict, logEvent, mergeOrdered } from "./list-order";
import { plainRow as row } from "./test-rows";

const SOURCE = "modseq:7";
const EPOCH = "page:1";

/** The window reply of a mailbox holding UIDs `uids` (newest first), at revision `n`. */
function reply(
  uids: number[],
  n: number | null,
  source = SOURCE,
  flags: Record<number, string[]> = {},
) {
  const rev: TRevision | undefined = n === null ? undefined : { source, n };
  return {
    mailbox: "INBOX",
    query: null,
    uidValidity: 7,
    total: uids.length,
    offset: 0,
    rows: uids.map((uid) => row(uid, flags[uid] ?? [])),
    ...(rev ? { rev } : {}),
  };
}

function listAt(uids: number[], n: number | null, flags: Record<number, string[]> = {}): ListData {
  return mergeOrdered(undefined, reply(uids, n, SOURCE, flags), EPOCH, []).data;
}

function flagsEvent(
  uid: number,
  flags: string[],
  since: number,
  n: number,
  source = SOURCE,
): ListEvent {
  return {
    type: "messages.flags",
    mailbox: "INBOX",
    uidValidity: 7,
    changes: [{ uid, flags }],
    rev: { source, since, n },
  };
}

function newEvent(uid: number, total: number, since: number, n: number): ListEvent {
  return {
    type: "messages.new",
    mailbox: "INBOX",
    uidValidity: 7,
    total,
    rows: [row(uid)],
    rev: { source: SOURCE, since, n },
  };
}

function expungedEvent(uid: number, total: number, since: number, n: number): ListEvent {
  return {
    type: "messages.expunged",
    mailbox: "INBOX",
    uidValidity: 7,
    total,
    uids: [uid],
    rev: { source: SOURCE, since, n },
  };
}

const uidsOf = (d: ListData) =>
  Object.keys(d.rows)
    .map(Number)
    .sort((a, b) => a - b)
    .map((i) => d.rows[i]?.uid);

describe("events in revision order", () => {
  it("ignores a flag change the list already holds a later state of", () => {
    const list = listAt([3, 2, 1], 10, { 2: ["\\Seen"] });
    const { data, gap } = applyOrdered(list, flagsEvent(2, [], 7, 9));
    expect(gap).toBe(false);
    expect(data.rows[1]?.flags).toEqual(["\\Seen"]);
    expect(data).toBe(list);
  });

  it("ignores an event numbered at the list's revision that follows on from before it", () => {
    const list = listAt([3, 2, 1], 10);
    expect(eventVerdict(list.rev, "messages.flags", { source: SOURCE, since: 8, n: 10 })).toBe(
      "stale",
    );
    // A counter's events step by one: the one at the list's number is in it.
    expect(
      eventVerdict({ source: "bridge:a", n: 4 }, "messages.new", {
        source: "bridge:a",
        since: 3,
        n: 4,
      }),
    ).toBe("stale");
  });

  it("applies an event that follows on, and moves the list's revision to it", () => {
    const list = listAt([3, 2, 1], 10);
    const { data, gap } = applyOrdered(list, flagsEvent(2, ["\\Flagged"], 10, 12));
    expect(gap).toBe(false);
    expect(data.rows[1]?.flags).toEqual(["\\Flagged"]);
    expect(data.rev).toEqual({ source: SOURCE, n: 12 });
    expect(windowNeedsFetch(data, 0, EPOCH)).toBe(false);
  });

  it("always applies an expunge (IMAP gives it no number of its own)", () => {
    const list = listAt([3, 2, 1], 10);
    const { data } = applyOrdered(list, expungedEvent(2, 2, 10, 10));
    expect(uidsOf(data)).toEqual([3, 1]);
    expect(data.total).toBe(2);
  });

  it("on a gap applies the event and refetches the windows on screen once, not again", () => {
    const list = listAt([3, 2, 1], 10);
    const first = applyOrdered(list, flagsEvent(1, ["\\Seen"], 14, 15));
    expect(first.gap).toBe(true);
    expect(first.data.rows[2]?.flags).toEqual(["\\Seen"]);
    expect(windowNeedsFetch(first.data, 0, EPOCH)).toBe(true);

    // The refetch answers at (or past) the gap: the window counts as fetched again...
    const refetched = mergeOrdered(
      first.data,
      reply([3, 2, 1], 15, SOURCE, { 1: ["\\Seen"] }),
      EPOCH,
      [],
    );
    expect(refetched.complete).toBe(true);
    expect(windowNeedsFetch(refetched.data, 0, EPOCH)).toBe(false);
    // ...and the events that follow on from it ask for nothing more.
    const next = applyOrdered(refetched.data, flagsEvent(3, ["\\Flagged"], 15, 16));
    expect(next.gap).toBe(false);
    expect(windowNeedsFetch(next.data, 0, EPOCH)).toBe(false);
  });

  it("treats events of another source (the bridge started counting over) as a gap", () => {
    const list = listAt([2, 1], 10);
    const { gap, data } = applyOrdered(list, flagsEvent(1, ["\\Seen"], 0, 1, "bridge:b"));
    expect(gap).toBe(true);
    expect(data.rev).toEqual({ source: "bridge:b", n: 1 });
  });

  it("applies every event to a list that has no revision yet, and takes the event's", () => {
    const list = listAt([2, 1], null);
    const { data, gap } = applyOrdered(list, newEvent(3, 3, 20, 21));
    expect(gap).toBe(false);
    expect(uidsOf(data)).toEqual([3, 2, 1]);
    expect(data.rev).toEqual({ source: SOURCE, n: 21 });
  });
});

describe("a window older than the events already applied", () => {
  it("keeps the new message an event brought, instead of dropping it (the old retry loop)", () => {
    // The list shows 2,1 at revision 10; mail arrives (event 10 → 11) and slides in at the top.
    const log = logEvent([], newEvent(3, 3, 10, 11));
    const list = applyOrdered(listAt([2, 1], 10), newEvent(3, 3, 10, 11)).data;
    expect(uidsOf(list)).toEqual([3, 2, 1]);
    // A window answered from a view of the mailbox from before the delivery arrives after it.
    const { data, complete } = mergeOrdered(list, reply([2, 1], 10), EPOCH, log);
    expect(complete).toBe(true);
    expect(uidsOf(data)).toEqual([3, 2, 1]);
    expect(data.total).toBe(3);
    expect(data.rev).toEqual({ source: SOURCE, n: 11 });
  });

  it("keeps a flag change an event brought", () => {
    const event = flagsEvent(2, ["\\Seen"], 10, 11);
    const list = applyOrdered(listAt([2, 1], 10), event).data;
    const { data, complete } = mergeOrdered(list, reply([2, 1], 10), EPOCH, logEvent([], event));
    expect(complete).toBe(true);
    expect(data.rows[0]?.flags).toEqual(["\\Seen"]);
  });

  it("asks for the window again when the log does not reach back to it", () => {
    const event = flagsEvent(2, ["\\Seen"], 12, 13);
    const list = applyOrdered(listAt([2, 1], 12), event).data;
    const { complete } = mergeOrdered(list, reply([2, 1], 10), EPOCH, logEvent([], event));
    expect(complete).toBe(false);
    // Nor can an empty log stand in for what the list was told.
    expect(mergeOrdered(list, reply([2, 1], 10), EPOCH, []).complete).toBe(false);
  });

  it("merges a window at or past the list's revision as it is", () => {
    const list = applyOrdered(listAt([2, 1], 10), flagsEvent(2, ["\\Seen"], 10, 11)).data;
    const { data, complete } = mergeOrdered(
      list,
      reply([3, 2, 1], 12, SOURCE, { 2: [] }),
      EPOCH,
      [],
    );
    expect(complete).toBe(true);
    expect(uidsOf(data)).toEqual([3, 2, 1]);
    expect(data.rows[1]?.flags).toEqual([]);
    expect(data.rev).toEqual({ source: SOURCE, n: 12 });
    expect(windowNeedsFetch(data, 0, EPOCH)).toBe(false);
    expect(WINDOW_SIZE).toBeGreaterThan(3);
  });
});

describe("the event log", () => {
  it("keeps the last EVENT_LOG_SIZE events that carry a revision", () => {
    let log: ListEvent[] = [];
    for (let i = 0; i < EVENT_LOG_SIZE + 10; i++) log = logEvent(log, flagsEvent(1, [], i, i + 1));
    expect(log).toHaveLength(EVENT_LOG_SIZE);
    expect(log[0]?.rev?.since).toBe(10);
    const bare: ListEvent = {
      type: "messages.flags",
      mailbox: "INBOX",
      uidValidity: 7,
      changes: [],
    };
    expect(logEvent(log, bare)).toHaveLength(EVENT_LOG_SIZE);
  });
});
