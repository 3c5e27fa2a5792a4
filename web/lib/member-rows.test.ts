/**
 * lib/member-rows.ts with a fake socket: opening a 50-message conversation asks for its lines in
 * one `messages.rows`, and opens the unread messages at the top of the stack as read-ahead once
 * the lines are in, never before; lines read ahead (before a click) are asked as background, and
 * a click asks again in the foreground for the lines and unread opens read ahead and not
 * answered yet.
 */
import type { TConversationRow, TMemberRow, TMessageRef } from "@ferry/protocol";
import { QueryClient } from "@tanstack/react-query";
import { beforeEach, describe, expect, it, vi } from "vitest";

/** What the page sends over its socket, and the answers the test gives. */
const socket = {
  sent: [] as Array<{ type: string; ref?: TMessageRef; background?: boolean; refs?: unknown[] }>,
  rows: [] as TMemberRow[],
  answerRows: (): void => undefined,
  getStatus: () => "online" as const,
  onEvent: () => () => undefined,
  subscribe: () => () => undefined,
  request(frame: { type: string; refs: TMessageRef[] }) {
    this.sent.push(frame);
    return new Promise((resolve) => {
      this.answerRows = () => resolve({ type: "messages.rows", rows: this.rows, missing: [] });
    });
  },
  /** Opens not answered yet (each test's are answered before the next, freeing the queue). */
  opening: [] as Array<() => void>,
  openMessage(ref: TMessageRef, _handlers: unknown, opts: { background?: boolean }) {
    this.sent.push({ type: "message.open", ref, ...opts });
    return new Promise<unknown>((resolve) =>
      this.opening.push(() => resolve({ bodies: [], complete: true })),
    );
  },
};
const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: Number.POSITIVE_INFINITY, retry: false } },
});

vi.mock("./mail-client", () => ({
  socket,
  queryClient,
  keys: {
    message: (ref: TMessageRef) => ["message", ref.mailbox, ref.uidValidity, ref.uid] as const,
    lists: (mailbox: string) => ["list", mailbox] as const,
  },
  fetchMessage: async (ref: TMessageRef, opts: { background?: boolean } = {}) =>
    socket.openMessage(ref, {}, opts),
}));
vi.mock("./offline-bodies-task", () => ({ readKept: async () => null }));
vi.mock("./actions", () => ({ SEEN: "\\Seen" }));

const { conversationReadAhead, prefetchConversationMembers, readAheadConversation } = await import(
  "./member-rows"
);
const { prefetchMessage } = await import("./message-fetch");

const UIDV = 9;
const ref = (uid: number): TMessageRef => ({ mailbox: "INBOX", uidValidity: UIDV, uid });

/** A conversation of `count` messages in INBOX (UIDs 1…count, the newest last). */
function conversation(count: number): TConversationRow {
  const uids = Array.from({ length: count }, (_, i) => count - i);
  return {
    newest: {
      uid: count,
      flags: [],
      date: null,
      subject: "Plans",
      from: [],
      to: [],
      size: 1,
      hasAttachments: false,
      preview: "",
      messageId: null,
    },
    uids,
    elsewhere: [],
    count,
    participants: [],
    subject: "Plans",
    date: null,
    unread: true,
    starred: false,
    hasAttachments: false,
    hasDraft: false,
  };
}

/** The line of message `uid`: sent a minute after the one before; read unless `unread`. */
function line(uid: number, unread: boolean): TMemberRow {
  return {
    mailbox: "INBOX",
    uidValidity: UIDV,
    uid,
    flags: unread ? [] : ["\\Seen"],
    date: new Date(Date.UTC(2026, 0, 1, 0, uid)).toISOString(),
    subject: "Re: Plans",
    from: [{ name: "Ann", address: "ann@example.test" }],
    to: [],
    size: 1,
    hasAttachments: false,
    preview: `Message ${uid}`,
    messageId: `<m${uid}@example.test>`,
    inReplyTo: uid > 1 ? `<m${uid - 1}@example.test>` : null,
  };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

beforeEach(async () => {
  for (const answer of socket.opening.splice(0)) answer();
  await settle();
  queryClient.clear();
  socket.sent = [];
});

describe("opening a 50-message conversation", () => {
  it("asks for its 49 other lines in one request, and opens none of them before the answer", async () => {
    socket.rows = Array.from({ length: 49 }, (_, i) => line(i + 1, i + 1 >= 48));
    prefetchConversationMembers(conversation(50), ref(50));
    await settle();
    expect(socket.sent.map((f) => f.type)).toEqual(["messages.rows"]);
    expect(socket.sent[0]?.refs).toHaveLength(49);
    // The user is waiting for them: not background.
    expect(socket.sent[0]?.background).toBeUndefined();
  });

  it("opens the unread ones as soon as the lines come, before the stack renders, as read-ahead", async () => {
    // The 3 newest unread, as figure 12 has it: 50 is the one the reader shows; 48 and 49 are
    // expanded in the stack above it.
    socket.rows = Array.from({ length: 49 }, (_, i) => line(i + 1, i + 1 >= 48));
    prefetchConversationMembers(conversation(50), ref(50));
    socket.answerRows();
    await settle();
    const opens = socket.sent.filter((f) => f.type === "message.open");
    expect(opens).toEqual([
      { type: "message.open", ref: ref(48), background: true },
      { type: "message.open", ref: ref(49), background: true },
    ]);
  });

  it("opens ahead only the first few unread from the top; the read lines open nothing", async () => {
    // All unread but the oldest: only the top of the stack is opened before it is laid out.
    socket.rows = Array.from({ length: 49 }, (_, i) => line(i + 1, i > 0));
    prefetchConversationMembers(conversation(50), ref(50));
    socket.answerRows();
    await settle();
    const opened = socket.sent.filter((f) => f.type === "message.open").map((f) => f.ref?.uid);
    expect(opened).toEqual([2, 3, 4, 5]);
  });
});

describe("reading a conversation ahead, before its click", () => {
  it("asks for its lines, then opens only the unread at the top, and settles once they are in", async () => {
    socket.rows = Array.from({ length: 49 }, (_, i) => line(i + 1, i + 1 >= 48));
    expect(conversationReadAhead(conversation(50), ref(50))).toBe(false);
    let settled = false;
    void readAheadConversation(conversation(50), ref(50)).then(() => {
      settled = true;
    });
    await settle();
    expect(socket.sent.map((f) => [f.type, f.background])).toEqual([["messages.rows", true]]);
    expect(conversationReadAhead(conversation(50), ref(50))).toBe(true);
    socket.answerRows();
    await settle();
    expect(socket.sent.slice(1)).toEqual([
      { type: "message.open", ref: ref(48), background: true },
      { type: "message.open", ref: ref(49), background: true },
    ]);
    expect(settled).toBe(false);
    for (const answer of socket.opening.splice(0)) answer();
    await settle();
    expect(settled).toBe(true);
  });

  it("sends nothing again when the conversation is then clicked", async () => {
    socket.rows = Array.from({ length: 49 }, (_, i) => line(i + 1, i + 1 >= 48));
    const ahead = readAheadConversation(conversation(50), ref(50));
    socket.answerRows();
    await settle();
    for (const answer of socket.opening.splice(0)) answer();
    await ahead;
    const before = socket.sent.length;
    prefetchConversationMembers(conversation(50), ref(50));
    await settle();
    expect(socket.sent.length).toBe(before);
  });

  it("asks again in the foreground for lines read ahead and still waiting when the click comes", async () => {
    socket.rows = Array.from({ length: 49 }, (_, i) => line(i + 1, i + 1 >= 48));
    void readAheadConversation(conversation(50), ref(50));
    await settle();
    prefetchConversationMembers(conversation(50), ref(50));
    await settle();
    expect(socket.sent.map((f) => [f.type, f.refs?.length, f.background])).toEqual([
      ["messages.rows", 49, true],
      ["messages.rows", 49, undefined],
    ]);
    // The foreground answer fills the stack's lines (the background one is still waiting).
    socket.answerRows();
    await settle();
    expect(conversationReadAhead(conversation(50), ref(50))).toBe(true);
    expect(socket.sent.slice(2).map((f) => [f.type, f.ref?.uid])).toEqual([
      ["message.open", 48],
      ["message.open", 49],
    ]);
  });

  it("asks again in the foreground for unread messages still waiting when the click comes", async () => {
    socket.rows = Array.from({ length: 49 }, (_, i) => line(i + 1, i + 1 >= 48));
    void readAheadConversation(conversation(50), ref(50));
    socket.answerRows();
    await settle();
    const before = socket.sent.length;
    // The two background opens are not answered (the bridge is busy with other read-ahead).
    prefetchConversationMembers(conversation(50), ref(50));
    await settle();
    expect(socket.sent.slice(before)).toEqual([
      { type: "message.open", ref: ref(48) },
      { type: "message.open", ref: ref(49) },
    ]);
    // Clicked again before any answer: not asked a third time.
    prefetchConversationMembers(conversation(50), ref(50));
    await settle();
    expect(socket.sent).toHaveLength(before + 2);
  });

  it("asks nothing, and has nothing left to ask, while the bridge cannot be reached", async () => {
    const online = socket.getStatus;
    (socket as { getStatus: () => string }).getStatus = () => "reconnecting";
    try {
      expect(conversationReadAhead(conversation(50), ref(50))).toBe(true);
      await readAheadConversation(conversation(50), ref(50));
      expect(socket.sent).toEqual([]);
    } finally {
      socket.getStatus = online;
    }
  });

  it("asks nothing for a conversation of one message", async () => {
    await readAheadConversation(conversation(1), ref(1));
    expect(socket.sent).toEqual([]);
    expect(conversationReadAhead(conversation(1), ref(1))).toBe(true);
  });

  it("reads a hovered conversation's stack ahead with its newest message", async () => {
    socket.rows = Array.from({ length: 49 }, (_, i) => line(i + 1, i + 1 >= 48));
    queryClient.setQueryData(["list", "INBOX", "", "arrival", "conversations"], {
      uidValidity: UIDV,
      conversations: { 50: conversation(50) },
    });
    prefetchMessage(ref(50));
    await settle();
    expect(socket.sent.map((f) => [f.type, f.ref?.uid ?? f.refs?.length, f.background])).toEqual([
      ["message.open", 50, undefined],
      // Read ahead: the bridge answers the user's requests first.
      ["messages.rows", 49, true],
    ]);
    socket.answerRows();
    await settle();
    expect(socket.sent.slice(2).map((f) => [f.type, f.ref?.uid, f.background])).toEqual([
      ["message.open", 48, true],
      ["message.open", 49, true],
    ]);
  });

  it("leaves a click's lines in the foreground: the click fetches its message as a hover does", async () => {
    socket.rows = Array.from({ length: 49 }, (_, i) => line(i + 1, i + 1 >= 48));
    queryClient.setQueryData(["list", "INBOX", "", "arrival", "conversations"], {
      uidValidity: UIDV,
      conversations: { 50: conversation(50) },
    });
    // What hooks/use-open-message does on a click, in one task.
    prefetchMessage(ref(50));
    prefetchConversationMembers(conversation(50), ref(50));
    await settle();
    expect(socket.sent.map((f) => [f.type, f.ref?.uid ?? f.refs?.length, f.background])).toEqual([
      ["message.open", 50, undefined],
      ["messages.rows", 49, undefined],
    ]);
  });

  it("reads nothing more ahead for a message that heads no conversation", async () => {
    queryClient.setQueryData(["list", "INBOX", "", "arrival"], { uidValidity: UIDV, rows: {} });
    prefetchMessage(ref(7));
    await settle();
    expect(socket.sent.map((f) => f.type)).toEqual(["message.open"]);
  });
});
