/**
 * INBOX's first window as the sign-in answer carries it: validated with the protocol's schema,
 * made into a list by the same merge as a socket reply, and brought up to date by the events and
 * windows the socket brings afterwards, in revision order.
 */
import { ZSessionInfo } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { type ListEvent, listFromSignIn, windowNeedsFetch } from "./list-cache";
import { applyOrdered, mergeOrdered } from "./list-order";
import { plainRow as row } from "./test-rows";

const EPOCH = "page:0";
const SOURCE = "modseq:3";

const answer = {
  email: "ann@example.test",
  protocolVersion: 1,
  inbox: {
    mailbox: "INBOX",
    query: null,
    uidValidity: 9,
    total: 3,
    offset: 0,
    rows: [row(12), row(11, ["\\Seen"]), row(10)],
  },
};

function signedInList() {
  const parsed = ZSessionInfo.safeParse(answer);
  if (!parsed.success || !parsed.data.inbox) throw new Error("the answer carries no window");
  return listFromSignIn(parsed.data.inbox, EPOCH);
}

describe("the sign-in answer's first window", () => {
  it("is validated with the protocol's schema", () => {
    expect(ZSessionInfo.safeParse(answer).data?.inbox?.rows.map((r) => r.uid)).toEqual([
      12, 11, 10,
    ]);
    const broken = { ...answer, inbox: { ...answer.inbox, rows: [{ uid: "12" }] } };
    expect(ZSessionInfo.safeParse(broken).success).toBe(false);
  });

  it("paints as the list's first window, counted as fetched in this epoch", () => {
    const list = signedInList();
    expect(list.total).toBe(3);
    expect(list.uidValidity).toBe(9);
    expect([0, 1, 2].map((i) => list.rows[i]?.uid)).toEqual([12, 11, 10]);
    expect(list.rev).toBeUndefined();
    expect(windowNeedsFetch(list, 0, EPOCH)).toBe(false);
    // The socket's first hello starts a new epoch: the window is asked for again then.
    expect(windowNeedsFetch(list, 0, "page:1")).toBe(true);
  });

  it("takes a later event on top, and a later window in revision order", () => {
    const arrived: ListEvent = {
      type: "messages.new",
      mailbox: "INBOX",
      uidValidity: 9,
      total: 4,
      rows: [row(13)],
      rev: { source: SOURCE, since: 4, n: 5 },
    };
    const { data, gap } = applyOrdered(signedInList(), arrived);
    expect(gap).toBe(false);
    expect([0, 1, 2, 3].map((i) => data.rows[i]?.uid)).toEqual([13, 12, 11, 10]);
    expect(data.total).toBe(4);
    expect(data.rev).toEqual({ source: SOURCE, n: 5 });

    // The socket's window read before that event (rev 4) keeps the new row, from the log.
    const older = { ...answer.inbox, rev: { source: SOURCE, n: 4 } };
    const merged = mergeOrdered(data, older, "page:1", [arrived]);
    expect(merged.complete).toBe(true);
    expect([0, 1, 2, 3].map((i) => merged.data.rows[i]?.uid)).toEqual([13, 12, 11, 10]);
    expect(merged.data.rev).toEqual({ source: SOURCE, n: 5 });
  });
});
