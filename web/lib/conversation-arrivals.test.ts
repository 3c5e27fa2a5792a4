import type { TConversationRow, TMessageRow } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { placeArrivals } from "./conversation-arrivals";
import { applyConversationChanges } from "./conversations";
import { type ListData, mergeWindow } from "./list-cache";
import { plainRow } from "./test-rows";

function conversation(uids: number[]): TConversationRow {
  const newest = plainRow(uids[0] ?? 1);
  return {
    newest,
    uids,
    elsewhere: [],
    count: uids.length,
    participants: [],
    subject: newest.subject,
    date: newest.date,
    unread: false,
    starred: false,
    hasAttachments: false,
    hasDraft: false,
  };
}

/** Conversations [9], [8, 3], [5, 2] at positions 0, 1, 2. */
function base(): ListData {
  return mergeWindow(
    undefined,
    {
      mailbox: "INBOX",
      query: null,
      uidValidity: 7,
      total: 3,
      offset: 0,
      rows: [plainRow(9), plainRow(8), plainRow(5)],
      conversations: [conversation([9]), conversation([8, 3]), conversation([5, 2])],
    },
    "e1",
  );
}

const arrival = (...uids: number[]) => ({ uidValidity: 7, rows: uids.map((u) => plainRow(u)) });
const uidsAt = (d: ListData) =>
  Object.keys(d.rows)
    .map(Number)
    .sort((a, b) => a - b)
    .map((i) => (d.rows[i] as TMessageRow).uid);

const changed = (conv: TConversationRow, from: number | null, total: number) => ({
  type: "conversations.changed" as const,
  mailbox: "INBOX",
  uidValidity: 7,
  total,
  changes: [{ conversation: conv, from, to: 0 }],
  refetch: false,
});

describe("placeArrivals", () => {
  it("shows a new message at the top of the conversations at once, sliding in", () => {
    const data = placeArrivals(base(), arrival(12));
    expect(uidsAt(data)).toEqual([12, 9, 8, 5]);
    expect(data.total).toBe(4);
    expect(data.arrived).toEqual([12]);
    expect(data.fetched).toEqual(base().fetched);
  });

  it("puts several at the top newest first", () => {
    expect(uidsAt(placeArrivals(base(), arrival(12, 14)))).toEqual([14, 12, 9, 8, 5]);
  });

  it("when the bridge says the message joined a conversation, that conversation shows once", () => {
    const shown = placeArrivals(base(), arrival(12));
    const data = applyConversationChanges(shown, changed(conversation([12, 5, 2]), 2, 3));
    expect(uidsAt(data)).toEqual([12, 9, 8]);
    expect(data.total).toBe(3);
    expect(data.conversations?.[12]?.count).toBe(3);
    expect(data.conversations?.[5]).toBeUndefined();
  });

  it("when the bridge says it started a conversation, its row stays at the top", () => {
    const shown = placeArrivals(base(), arrival(12));
    const data = applyConversationChanges(shown, changed(conversation([12]), null, 4));
    expect(uidsAt(data)).toEqual([12, 9, 8, 5]);
    expect(data.total).toBe(4);
    expect(data.conversations?.[12]?.count).toBe(1);
  });

  it("leaves messages already shown, older ones, flat lists, searches and another UIDVALIDITY", () => {
    const data = base();
    expect(placeArrivals(data, arrival(3))).toBe(data);
    expect(placeArrivals(data, arrival(7))).toBe(data);
    expect(placeArrivals(data, { uidValidity: 8, rows: [plainRow(12)] })).toBe(data);
    const flat = { ...data, conversations: undefined };
    expect(placeArrivals(flat, arrival(12))).toBe(flat);
    const search = { ...data, query: "from:bob" };
    expect(placeArrivals(search, arrival(12))).toBe(search);
  });
});
