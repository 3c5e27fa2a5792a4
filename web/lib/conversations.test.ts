import type { TConversationRow, TMessageRow } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { applyConversationChanges, conversationUids, participantsLabel } from "./conversations";
import { mergeWindow } from "./list-cache";
import { listCountText } from "./list-count";

function row(uid: number): TMessageRow {
  return {
    uid,
    flags: [],
    date: new Date(Date.UTC(2026, 0, 1) - uid * 60_000).toISOString(),
    subject: `Subject ${uid}`,
    from: [{ name: `Sender ${uid}`, address: `s${uid}@example.test` }],
    to: [],
    size: 100,
    hasAttachments: false,
    preview: "",
    messageId: null,
  };
}

function conversation(uids: number[], elsewhere = 0): TConversationRow {
  const newest = row(uids[0] ?? 1);
  return {
    newest,
    uids,
    elsewhere: Array.from({ length: elsewhere }, (_, i) => ({
      mailbox: "Sent",
      uidValidity: 3,
      uid: i + 1,
    })),
    count: uids.length + elsewhere,
    participants: [
      { name: "Bob Stone", address: "bob@example.test", me: false },
      { name: "Alice", address: "alice@example.test", me: true },
    ],
    subject: newest.subject,
    date: newest.date,
    unread: false,
    starred: false,
    hasAttachments: false,
    hasDraft: false,
  };
}

const reply = (rows: TMessageRow[], conversations: TConversationRow[], offset = 0) => ({
  mailbox: "INBOX",
  query: null,
  uidValidity: 7,
  total: 2,
  offset,
  rows,
  conversations,
});

describe("conversation lists", () => {
  it("keep each conversation by its newest UID, and a refetch replaces it", () => {
    const first = mergeWindow(
      undefined,
      reply([row(9), row(5)], [conversation([9, 7, 4], 2), conversation([5])]),
      "e1",
    );
    expect(first.conversations?.[9]?.count).toBe(5);
    expect(first.conversations?.[5]?.count).toBe(1);
    // A reply to the second conversation arrived (UID 10): it is now the top row.
    const next = mergeWindow(
      first,
      reply([row(10), row(9)], [conversation([10, 5]), conversation([9, 7, 4], 2)]),
      "e1",
    );
    expect(next.rows[0]?.uid).toBe(10);
    expect(next.rows[1]?.uid).toBe(9);
    expect(Object.keys(next.conversations ?? {}).sort()).toEqual(["10", "9"]);
  });

  it("list actions act on every member of a conversation row in the folder", () => {
    const data = mergeWindow(
      undefined,
      reply([row(9), row(5)], [conversation([9, 7, 4], 2), conversation([5])]),
      "e1",
    );
    expect(conversationUids(data, [9])).toEqual([9, 7, 4]);
    expect(conversationUids(data, [5, 9])).toEqual([5, 9, 7, 4]);
    // A list of messages: each UID stands for itself.
    const flat = mergeWindow(undefined, { ...reply([row(9)], []), conversations: undefined }, "e1");
    expect(flat.conversations).toBeUndefined();
    expect(conversationUids(flat, [9])).toEqual([9]);
  });

  it("names participants by first name, the user as me", () => {
    expect(participantsLabel(conversation([1]))).toBe("Bob, me");
    expect(
      participantsLabel({
        participants: [{ name: "", address: "x@example.test", me: false }],
      }),
    ).toBe("x@example.test");
    expect(
      participantsLabel({
        participants: [{ name: "Zoë Example", address: "zoe@example.test", me: false }],
      }),
    ).toBe("Zoë Example");
  });
});

describe("pushed conversation changes", () => {
  const base = () =>
    mergeWindow(
      undefined,
      {
        ...reply(
          [row(9), row(8), row(5)],
          [conversation([9]), conversation([8, 3]), conversation([5, 2])],
        ),
        total: 3,
      },
      "e1",
    );
  const changed = (
    changes: Array<{ conversation: TConversationRow; from: number | null; to: number }>,
    total = 3,
    refetch = false,
  ) => ({
    type: "conversations.changed" as const,
    mailbox: "INBOX",
    uidValidity: 7,
    total,
    changes,
    refetch,
  });

  it("a new message's conversation moves to the top, the rows above it close up, no window is asked for", () => {
    const data = applyConversationChanges(
      base(),
      changed([{ conversation: conversation([12, 5, 2]), from: 2, to: 0 }]),
    );
    expect([0, 1, 2].map((i) => data.rows[i]?.uid)).toEqual([12, 9, 8]);
    expect(data.conversations?.[12]?.count).toBe(3);
    expect(data.conversations?.[5]).toBeUndefined();
    expect(data.fetched).toEqual(base().fetched);
    expect(data.arrived).toEqual([12]);
  });

  it("a new conversation goes in at the top and the list grows; a flag change stays where it is", () => {
    const grown = applyConversationChanges(
      base(),
      changed([{ conversation: conversation([13]), from: null, to: 0 }], 4),
    );
    expect(grown.total).toBe(4);
    expect([0, 1, 2, 3].map((i) => grown.rows[i]?.uid)).toEqual([13, 9, 8, 5]);
    const read = { ...conversation([8, 3]), unread: true };
    const flagged = applyConversationChanges(
      grown,
      changed([{ conversation: read, from: 2, to: 2 }], 4),
    );
    expect([0, 1, 2, 3].map((i) => flagged.rows[i]?.uid)).toEqual([13, 9, 8, 5]);
    expect(flagged.conversations?.[8]?.unread).toBe(true);
  });

  it("a conversation from a window not loaded leaves that position; refetch marks every window", () => {
    const data = mergeWindow(
      undefined,
      {
        ...reply([row(9), row(8)], [conversation([9]), conversation([8])]),
        total: 200,
      },
      "e1",
    );
    const moved = applyConversationChanges(
      data,
      changed([{ conversation: conversation([300, 40]), from: 150, to: 0 }], 200),
    );
    expect([0, 1, 2].map((i) => moved.rows[i]?.uid)).toEqual([300, 9, 8]);
    expect(moved.fetched).toEqual(data.fetched);
    const again = applyConversationChanges(moved, changed([], 180, true));
    expect(again.total).toBe(180);
    expect(again.fetched).toEqual({});
  });

  it("a refetch while the count is an estimate keeps the estimate until the next window", () => {
    const head = mergeWindow(
      undefined,
      { ...reply([row(9), row(8)], [conversation([9]), conversation([8])]), total: 31_850 },
      "e1",
    );
    const estimated = { ...head, estimated: true as const };
    expect(listCountText(estimated, { search: false, conversations: true })).toBe(
      "About 31,850 conversations",
    );
    const told = applyConversationChanges(estimated, changed([], 17_449, true));
    expect(told.fetched).toEqual({});
    expect(listCountText(told, { search: false, conversations: true })).toBe(
      "About 31,850 conversations",
    );
    const exact = mergeWindow(
      told,
      { ...reply([row(9), row(8)], [conversation([9]), conversation([8])]), total: 17_449 },
      "e1",
    );
    expect(listCountText(exact, { search: false, conversations: true })).toBe(
      "17,449 conversations",
    );
  });
});
