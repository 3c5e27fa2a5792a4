/**
 * A reply to a conversation whose row the bridge served moves that row at once, against the
 * real Dovecot: its `conversations.changed` comes while the session's command connection is
 * still held by other work (no IMAP command is needed before it), says what a window read
 * afterwards says, and is not sent again when the server's rows confirm it. A guess the folder
 * contradicts (the reply also references an older conversation the rows never showed, so a
 * fresh THREAD merges the two) is corrected: the lists are asked again (`refetch`) and the next
 * window has the merged conversation. A message placed at once while the order cache is placing
 * the same message by its SEARCHes is counted once. A reply that references nothing (only
 * "Re:" and the same subject) joins a served conversation of that one base subject at once too,
 * as Dovecot's THREAD=REFERENCES then joins it; one whose conversation no row showed is placed
 * by the cache's SEARCHes, as a fresh THREAD places it, without threading the folder again.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { TServerFrame } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { uidValidityOf, withMailbox } from "../src/imap/mailbox-access";
import { AccountWatches } from "../src/live/account-watch";
import { conversationPushOf } from "../src/live/conversation-push-of";
import { MailSession } from "../src/live/mail-session";
import { Connector, captureLog, deliver } from "../src/live/test-harness";
import { conversationWindow } from "../src/threads/conversations";
import { ConversationCache } from "../src/threads/order";
import { imapClient } from "./harness";

type Changed = Extract<TServerFrame, { type: "conversations.changed" }>;

const EMAIL = "at-once@example.test";
let server: MailServer;
const sessions: MailSession[] = [];
let sequence = 0;

beforeAll(async () => {
  server = await startMailServer({ postfix: false, users: [{ email: EMAIL }] });
}, 120_000);

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
  await server?.stop();
});

/** Delivers a message with `subject` that references `refs` (oldest first); returns its id. */
async function write(subject: string, refs: string[] = []): Promise<string> {
  sequence++;
  const id = `at-once-${sequence}.${Date.now()}@example.test`;
  const raw = [
    "From: Bob Writer <bob@example.test>",
    `To: ${EMAIL}`,
    `Subject: ${subject}`,
    `Date: ${new Date(Date.now() + sequence * 1000).toUTCString()}`,
    `Message-ID: <${id}>`,
    ...(refs.length > 0
      ? [`In-Reply-To: <${refs.at(-1)}>`, `References: ${refs.map((r) => `<${r}>`).join(" ")}`]
      : []),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `About ${subject}.`,
    "",
  ].join("\r\n");
  await deliver(server, EMAIL, raw);
  return id;
}

/**
 * A session of the account with a socket listening for conversation rows; its push's jobs on
 * the command connection wait while `held` is set (as behind a long command).
 */
async function sessionWithList(limit: number) {
  const user = server.user(EMAIL);
  const connector = new Connector(server, user, { qresync: true });
  const session = new MailSession({
    connect: connector.connect,
    log: captureLog().log,
    account: `test:${EMAIL}`,
    accounts: new AccountWatches(),
    backoff: { initialMs: 20, maxMs: 200 },
  });
  sessions.push(session);
  await session.start(await connector.connect());
  const frames: Changed[] = [];
  const socket = { open: true };
  const gate = { held: null as Promise<void> | null, finished: 0 };
  conversationPushOf(session, () => ({
    run: async (fn) => {
      while (gate.held) await gate.held;
      try {
        return await session.run(fn);
      } finally {
        gate.finished++;
      }
    },
    subscribe: (fn) => session.subscribe(fn),
    me: [EMAIL],
    alive: (owner) => owner === socket && socket.open,
    log: captureLog().log,
  })).listen(socket, (frame) => {
    if (frame.type === "conversations.changed") frames.push(frame);
  });
  const window = () =>
    session.run((client) =>
      conversationWindow(client, { mailbox: "INBOX", offset: 0, limit, me: [EMAIL] }),
    );
  const first = await window();
  // The push's first job (its look at Sent) is done before anything is held.
  await expect.poll(() => gate.finished, { timeout: 20_000 }).toBeGreaterThan(0);
  let release = () => {};
  const hold = () => {
    gate.held = new Promise<void>((resolve) => {
      release = () => {
        gate.held = null;
        resolve();
      };
    });
  };
  return { session, frames, gate, first, window, hold, release: () => release() };
}

describe("a reply to a conversation the bridge served", () => {
  it("moves its row at once, as a window then shows it, and is not pushed twice", async () => {
    const root = await write("Garden fence");
    const second = await write("Re: Garden fence", [root]);
    await write("Invoice 7");
    const s = await sessionWithList(50);
    expect(s.first.conversations.map((c) => [c.subject, c.count])).toEqual([
      ["Invoice 7", 1],
      ["Re: Garden fence", 2],
    ]);

    s.hold();
    const third = await write("Re: Garden fence", [root, second]);
    await expect.poll(() => s.frames.length, { timeout: 20_000 }).toBe(1);
    // Nothing ran on the command connection meanwhile: the row moved from what was served.
    expect(s.gate.held).not.toBeNull();
    const moved = s.frames[0] as Changed;
    expect(moved.refetch).toBe(false);
    expect(moved.total).toBe(2);
    expect(moved.changes.map((c) => [c.from, c.to, c.conversation.count])).toEqual([[1, 0, 3]]);
    expect(moved.changes[0]?.conversation.newest.messageId).toBe(`<${third}>`);

    const finished = s.gate.finished;
    s.release();
    // The server's rows, read by the job that follows, say the same: nothing more is pushed.
    await expect.poll(() => s.gate.finished, { timeout: 20_000 }).toBeGreaterThan(finished);
    const after = await s.window();
    expect(after.conversations[0]).toEqual(moved.changes[0]?.conversation);
    expect(s.frames).toHaveLength(1);
  }, 90_000);

  it("moves its row at once when it joins by subject only, as the server then agrees", async () => {
    await write("Bike repair");
    await write("Invoice 9");
    const s = await sessionWithList(50);
    expect(s.first.conversations.slice(0, 2).map((c) => [c.subject, c.count])).toEqual([
      ["Invoice 9", 1],
      ["Bike repair", 1],
    ]);

    s.hold();
    // No References, no In-Reply-To: only its base subject joins it to the conversation.
    const reply = await write("Re: Bike repair");
    await expect.poll(() => s.frames.length, { timeout: 20_000 }).toBe(1);
    expect(s.gate.held).not.toBeNull();
    const moved = s.frames[0] as Changed;
    expect(moved.refetch).toBe(false);
    expect(moved.changes.map((c) => [c.from, c.to, c.conversation.count])).toEqual([[1, 0, 2]]);
    expect(moved.changes[0]?.conversation.newest.messageId).toBe(`<${reply}>`);

    const finished = s.gate.finished;
    s.release();
    await expect.poll(() => s.gate.finished, { timeout: 20_000 }).toBeGreaterThan(finished);
    const after = await s.window();
    expect(after.conversations[0]).toEqual(moved.changes[0]?.conversation);
    expect(s.frames).toHaveLength(1);
  }, 90_000);

  it("is corrected when older mail the rows never showed joins it to another conversation", async () => {
    const old = await write("Boat trip");
    for (let i = 0; i < 3; i++) await write(`Newsletter ${i}`);
    const root = await write("Cabin booking");
    await write("Invoice 8");
    // Two rows served: Invoice 8 and Cabin booking; Boat trip is further down, never read.
    const s = await sessionWithList(2);
    expect(s.first.conversations.map((c) => c.subject)).toEqual(["Invoice 8", "Cabin booking"]);

    s.hold();
    // References the boat trip too: a fresh THREAD puts all three in one conversation.
    await write("Re: Cabin booking", [old, root]);
    await expect.poll(() => s.frames.length, { timeout: 20_000 }).toBe(1);
    expect(s.frames[0]?.changes.map((c) => [c.from, c.to, c.conversation.count])).toEqual([
      [1, 0, 2],
    ]);
    s.release();

    await expect.poll(() => s.frames.some((f) => f.refetch), { timeout: 20_000 }).toBe(true);
    const after = await s.window();
    expect(after.conversations[0]?.count).toBe(3);
    expect(after.conversations[0]?.uids).toHaveLength(3);
  }, 90_000);
});

describe("a message placed at once while the cache places it by SEARCH", () => {
  it("is counted once in its conversation", async () => {
    const client = await imapClient(server, server.user(EMAIL));
    try {
      const root = await write("Ferry schedule");
      const second = await write("Re: Ferry schedule", [root]);
      const cache = new ConversationCache();
      const read = () =>
        withMailbox(client, "INBOX", {}, async (box) => ({
          order: await cache.order(client, "INBOX", box),
          box,
        }));
      const { order, box } = await read();
      const conversation = order.find((c) => c.uids.length === 2);
      const member = conversation?.uids[0] as number;
      const exists = box.exists;
      const third = await write("Re: Ferry schedule", [root, second]);
      // The live push places it just as the cache's SEARCH for it goes out.
      const search = vi.spyOn(client, "search");
      search.mockImplementationOnce(async (...args) => {
        const newest = await client.fetchOne("*", { uid: true }, {});
        const uid = newest ? newest.uid : 0;
        cache.placeKnown(
          client,
          "INBOX",
          uidValidityOf(box),
          { uid, messageId: third, refs: [root, second], subject: "Re: Ferry schedule" },
          member,
          exists + 1,
        );
        search.mockRestore();
        return client.search(...args);
      });
      const after = await read();
      search.mockRestore();
      const grown = after.order.find((c) => c.uids.includes(member));
      expect(grown?.uids).toHaveLength(3);
      expect(new Set(grown?.uids).size).toBe(3);
      expect(after.order[0]).toBe(grown);
    } finally {
      await client.logout().catch(() => undefined);
    }
  }, 90_000);
});

describe("a reply by subject only to a conversation no row showed", () => {
  it("is placed by its SEARCHes as a fresh THREAD places it, without threading the folder again", async () => {
    const client = await imapClient(server, server.user(EMAIL));
    try {
      await write("Kite festival");
      await write("Kite festival");
      const cache = new ConversationCache();
      const read = () =>
        withMailbox(client, "INBOX", {}, (box) => cache.order(client, "INBOX", box));
      const before = await read();
      expect(before[0]?.uids).toHaveLength(2);
      const threads = cache.threads;
      // Nothing links it: Dovecot's THREAD joins it to the two by their base subject.
      await write("Re: Kite festival");
      const after = await read();
      expect(cache.threads).toBe(threads);
      expect(after[0]?.uids).toHaveLength(3);
      const fresh = new ConversationCache();
      const threaded = await withMailbox(client, "INBOX", {}, (box) =>
        fresh.order(client, "INBOX", box),
      );
      expect(after.map((c) => [...c.uids].sort())).toEqual(threaded.map((c) => [...c.uids].sort()));
    } finally {
      await client.logout().catch(() => undefined);
    }
  }, 90_000);
});
