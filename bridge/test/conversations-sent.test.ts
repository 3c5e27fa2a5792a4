/**
 * A conversation's row counts the user's own replies in Sent while its list is open, through a
 * real bridge against the real Dovecot and Postfix: Alice's INBOX list of conversations is open
 * while she and Bob exchange four messages (hers filed in Sent by another client, Bob's arriving
 * live), and each pushed row counts what is in INBOX and in Sent at that moment; a reply deleted
 * from Sent is pushed to the row too. A list whose order the session no longer keeps (pushed out
 * of its cache by other folders) is told to ask again at the next event instead of missing it.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { TServerFrame } from "@ferry/protocol";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  imapClient,
  inboxRows,
  inboxSocket,
  plainMessage,
  startBridge,
  submissionOf,
  type TestBridge,
  type TestSocket,
} from "./harness";

type Changed = Extract<TServerFrame, { type: "conversations.changed" }>;

let mail: MailServer;
let bridge: TestBridge;
let socket: TestSocket;
let alice: { email: string; password: string };
let bob: { email: string; password: string };
const thread: string[] = [];

beforeAll(async () => {
  mail = await startMailServer();
  alice = mail.user("alice@example.test");
  bob = mail.user("bob@example.test");
  bridge = await startBridge(mail);
  await mail.deliver(plainMessage(alice.email, "Unrelated newsletter"), {
    from: "news@example.test",
    to: [alice.email],
  });
  socket = await inboxSocket(bridge, alice);
  const first = await inboxRows(socket, true);
  expect(first.total).toBe(1);
}, 120_000);

afterAll(async () => {
  socket?.close();
  await bridge?.close();
  await mail?.stop();
});

/** The next message of the thread, replying to everything before it. */
async function nextMessage(from: string, to: string, text: string) {
  const messageId = `<sent-${thread.length + 1}.${Date.now()}@example.test>`;
  const built = await nodemailer.createTransport({ streamTransport: true, buffer: true }).sendMail({
    from,
    to,
    subject: thread.length === 0 ? "Trip to Lisbon" : "Re: Trip to Lisbon",
    text,
    messageId,
    ...(thread.length > 0 ? { inReplyTo: thread.at(-1), references: thread.slice() } : {}),
  });
  thread.push(messageId);
  return { raw: built.message as Buffer, messageId };
}

/** Alice replies from another client: through Postfix to Bob, her copy appended to Sent. */
async function aliceWrites(text: string): Promise<string> {
  const { raw, messageId } = await nextMessage(alice.email, bob.email, text);
  const smtp = submissionOf(mail, alice);
  try {
    await smtp.sendMail({ envelope: { from: alice.email, to: [bob.email] }, raw });
  } finally {
    smtp.close();
  }
  const client = await imapClient(mail, alice);
  try {
    await client.append("Sent", raw, ["\\Seen"]);
  } finally {
    await client.logout();
  }
  return messageId;
}

/** Bob writes to Alice through Postfix. */
async function bobWrites(text: string): Promise<string> {
  const { raw, messageId } = await nextMessage(bob.email, alice.email, text);
  const smtp = submissionOf(mail, bob);
  try {
    await smtp.sendMail({ envelope: { from: bob.email, to: [alice.email] }, raw });
  } finally {
    smtp.close();
  }
  return messageId;
}

/** The next row of the thread pushed to Alice's open list that counts `count` messages. */
function rowPushed(count: number, what: string): Promise<Changed> {
  return socket.waitFor<Changed>(
    (f) =>
      f.type === "conversations.changed" &&
      f.changes.some(
        (c) => c.conversation.subject.endsWith("Trip to Lisbon") && c.conversation.count === count,
      ),
    what,
    20_000,
  );
}

function rowOf(f: Changed) {
  return f.changes.find((c) => c.conversation.subject.endsWith("Trip to Lisbon"));
}

describe("conversation rows and Sent, live", () => {
  it("a reply filed in Sent while the list is open is pushed to its row, counted, where it stands", async () => {
    await bobWrites("Shall we go in May?");
    await rowPushed(1, "Bob's first message pushed");
    await aliceWrites("May works for me.");
    // Only Sent changed: the row is pushed where it is, counting her reply.
    const second = rowOf(await rowPushed(2, "Alice's reply in Sent pushed to the row"));
    expect(second?.from).toBe(0);
    expect(second?.to).toBe(0);
    expect(second?.conversation.uids).toHaveLength(1);
    expect(second?.conversation.elsewhere.map((m) => m.mailbox)).toEqual(["Sent"]);
    expect(second?.conversation.participants.map((p) => p.me).sort()).toEqual([false, true]);

    await bobWrites("I will book the flights.");
    await rowPushed(3, "Bob's second message pushed");
    const last = await aliceWrites("Great, I take the hotel.");
    const fourth = rowOf(await rowPushed(4, "Alice's second reply in Sent pushed to the row"));
    expect(fourth?.conversation.uids).toHaveLength(2);
    expect(fourth?.conversation.elsewhere).toHaveLength(2);

    const w = await inboxRows(socket, true);
    expect(w.total).toBe(2);
    expect(w.conversations?.[0]?.count).toBe(4);

    // Deleted from Sent on another device.
    const deletedAt = socket.frames.length;
    const other = await imapClient(mail, alice);
    try {
      const lock = await other.getMailboxLock("Sent");
      try {
        const uids = await other.search({ header: { "message-id": last } }, { uid: true });
        expect(uids).toHaveLength(1);
        await other.messageDelete((uids || []).join(","), { uid: true });
      } finally {
        lock.release();
      }
    } finally {
      await other.logout();
    }
    // Deleted from Sent: the row that counted it is pushed where it stands, counting 3.
    const fewer = rowOf(
      await socket.waitFor<Changed>(
        (f) =>
          socket.frames.indexOf(f) >= deletedAt &&
          f.type === "conversations.changed" &&
          rowOf(f)?.conversation.count === 3,
        "the deletion in Sent pushed to the row",
        20_000,
      ),
    );
    expect(fewer?.conversation.elsewhere).toHaveLength(1);
    expect((await inboxRows(socket, true)).conversations?.[0]?.count).toBe(3);
  }, 120_000);
});

/** A window of `mailbox`'s conversations read on Alice's socket. */
async function conversationsOf(mailbox: string): Promise<void> {
  const reply = await socket.request(
    {
      type: "list.window",
      id: `window-${mailbox}`,
      mailbox,
      offset: 0,
      limit: 50,
      query: null,
      conversations: true,
    },
    30_000,
  );
  expect(reply.type).toBe("list.window");
}

describe("a list whose conversation order the session no longer keeps", () => {
  it("is told to ask again at the next event, and is pushed rows again once it did", async () => {
    await inboxRows(socket, true);
    // Three other folders' conversations read since: INBOX's order is pushed out of the cache.
    for (const mailbox of ["Archive", "Trash", "Junk"]) await conversationsOf(mailbox);
    const refetches = socket.ofType("conversations.changed").filter((f) => f.refetch).length;
    await mail.deliver(plainMessage(alice.email, "Parcel notice"), {
      from: "carol@example.test",
      to: [alice.email],
    });
    const told = await socket.waitFor<Changed>(
      (f) => f.type === "conversations.changed" && f.mailbox === "INBOX" && f.refetch,
      "the INBOX list told to ask again",
      20_000,
    );
    expect(told.total).toBeGreaterThan(0);
    expect(socket.ofType("conversations.changed").filter((f) => f.refetch)).toHaveLength(
      refetches + 1,
    );

    // The list asks again; the next arrival is pushed as a row.
    expect((await inboxRows(socket, true)).conversations?.[0]?.subject).toBe("Parcel notice");
    await mail.deliver(plainMessage(alice.email, "Second parcel"), {
      from: "carol@example.test",
      to: [alice.email],
    });
    const row = await socket.waitFor<Changed>(
      (f) =>
        f.type === "conversations.changed" &&
        f.changes.some((c) => c.conversation.subject === "Second parcel"),
      "the next arrival pushed as a row",
      20_000,
    );
    expect(row.refetch).toBe(false);
    expect(row.changes[0]?.from).toBeNull();
    expect(row.changes[0]?.to).toBe(0);
  }, 60_000);
});
