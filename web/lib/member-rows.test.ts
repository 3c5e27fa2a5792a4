/**
 * lib/member-rows.ts with a fake socket: opening a 50-message conversation asks for its lines in
 * one `messages.rows`, and opens the unread messages at the top of the stack as read-ahead once
 * the lines are in, never before.
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
  },
  fetchMessage: async (ref: TMessageRef, opts: { background?: boolean } = {}) =>
    socket.openMessage(ref, {}, opts),
}));
vi.mock("./offline-bodies-task", () => ({ readKept: async () => null }));
vi.mock("./actions", () => ({ SEEN: "\\Seen" }));

const { prefetchConversationMembers } = await import("./member-rows");

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
