/**
 * Conversation rows pushed live, through a real bridge against the real Dovecot and Postfix:
 * a socket that read a window of INBOX's conversations is sent `conversations.changed` when
 * mail arrives (a reply through Postfix: its conversation's row, one message more, moves from
 * where it was to the top; a new subject through LMTP: a new row at the top, one conversation
 * more), when another device marks a message read (the row where it is, no longer unread) and
 * when one is deleted (`refetch`), without asking for a window again. A long conversation's row
 * counts and flags all of its messages, though only its newest rows are read.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { TServerFrame, TWindow } from "@ferry/protocol";
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
const threadIds: string[] = [];

/** Bob writes to Alice through Postfix submission; `replyTo` ids make it a reply. */
async function bobWrites(subject: string, replyTo: string[]): Promise<string> {
  const messageId = `<live-${threadIds.length}.${Date.now()}@example.test>`;
  const smtp = submissionOf(mail, bob);
  try {
    await smtp.sendMail({
      from: bob.email,
      to: alice.email,
      subject,
      text: `About ${subject}`,
      messageId,
      ...(replyTo.length > 0 ? { inReplyTo: replyTo.at(-1), references: replyTo } : {}),
    });
  } finally {
    smtp.close();
  }
  return messageId;
}

async function pushed(what: string): Promise<TServerFrame> {
  return socket.waitFor((f) => f.type === "messages.new", what, 20_000);
}

beforeAll(async () => {
  mail = await startMailServer();
  alice = mail.user("alice@example.test");
  bob = mail.user("bob@example.test");
  bridge = await startBridge(mail);
  socket = await inboxSocket(bridge, alice);
  // A three-message conversation, then three single messages above it.
  threadIds.push(await bobWrites("Garden fence", []));
  await pushed("the first message");
  threadIds.push(await bobWrites("Re: Garden fence", [...threadIds]));
  await pushed("the second message");
  threadIds.push(await bobWrites("Re: Garden fence", [...threadIds]));
  await pushed("the third message");
  for (const subject of ["Invoice 1", "Invoice 2", "Invoice 3"]) {
    await mail.deliver(plainMessage(alice.email, subject), {
      from: "carol@example.test",
      to: [alice.email],
    });
    await pushed(subject);
  }
}, 120_000);

afterAll(async () => {
  socket?.close();
  await bridge?.close();
  await mail?.stop();
});

function conversations(): Promise<TWindow> {
  return inboxRows(socket, true);
}

function changed(what: string, pred: (f: Changed) => boolean = () => true): Promise<Changed> {
  return socket.waitFor<Changed>(
    (f) => f.type === "conversations.changed" && pred(f),
    what,
    20_000,
  );
}

describe("conversation rows pushed live", () => {
  it("a reply moves its conversation's row to the top; a new subject adds a row at the top", async () => {
    const before = await conversations();
    expect(before.total).toBe(4);
    expect(before.conversations?.map((c) => c.subject)).toEqual([
      "Invoice 3",
      "Invoice 2",
      "Invoice 1",
      "Re: Garden fence",
    ]);
    expect(before.conversations?.[3]?.count).toBe(3);
    const windowsBefore = socket.ofType("list.window").length;

    threadIds.push(await bobWrites("Re: Garden fence", [...threadIds]));
    const reply = await changed("the reply's conversation pushed");
    expect(reply.mailbox).toBe("INBOX");
    expect(reply.refetch).toBe(false);
    expect(reply.total).toBe(4);
    expect(reply.changes).toHaveLength(1);
    const moved = reply.changes[0];
    expect(moved?.from).toBe(3);
    expect(moved?.to).toBe(0);
    expect(moved?.conversation.count).toBe(4);
    expect(moved?.conversation.uids).toHaveLength(4);
    expect(moved?.conversation.newest.messageId).toBe(threadIds.at(-1));
    expect(moved?.conversation.unread).toBe(true);

    await mail.deliver(plainMessage(alice.email, "Parcel notice"), {
      from: "carol@example.test",
      to: [alice.email],
    });
    const added = await changed("the new conversation pushed");
    expect(added.total).toBe(5);
    expect(added.changes.map((c) => [c.from, c.to, c.conversation.subject])).toEqual([
      [null, 0, "Parcel notice"],
    ]);
    // Nothing was asked for again: the rows came with the pushes.
    expect(socket.ofType("list.window")).toHaveLength(windowsBefore);

    // And the next window agrees with what was pushed.
    const after = await conversations();
    expect(after.conversations?.map((c) => c.subject)).toEqual([
      "Parcel notice",
      "Re: Garden fence",
      "Invoice 3",
      "Invoice 2",
      "Invoice 1",
    ]);
    expect(after.conversations?.[1]).toEqual(moved?.conversation);
  }, 60_000);

  it("a long conversation's row counts, lists and flags all of its messages, not only the newest read", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const id = `<long-${i}.${Date.now()}@example.test>`;
      const raw = [
        "From: Dave <dave@example.test>",
        `To: ${alice.email}`,
        `Subject: ${i === 0 ? "" : "Re: "}Long walk`,
        `Message-ID: ${id}`,
        ...(ids.length > 0 ? [`References: ${ids.join(" ")}`, `In-Reply-To: ${ids.at(-1)}`] : []),
        "",
        `Step ${i}`,
        "",
      ].join("\r\n");
      await mail.deliver(raw, { from: "dave@example.test", to: [alice.email] });
      ids.push(id);
    }
    await changed("the long conversation pushed");
    const first = (await conversations()).conversations?.[0];
    expect(first?.count).toBe(8);
    expect(first?.uids).toHaveLength(8);
    const oldest = first?.uids.at(-1);
    const other = await imapClient(mail, alice);
    try {
      const lock = await other.getMailboxLock("INBOX");
      try {
        await other.messageFlagsAdd((first?.uids ?? []).join(","), ["\\Seen"], { uid: true });
        await other.messageFlagsRemove(String(oldest), ["\\Seen"], { uid: true });
        await other.messageFlagsAdd(String(oldest), ["\\Flagged"], { uid: true });
      } finally {
        lock.release();
      }
    } finally {
      await other.logout();
    }
    const row = (await conversations()).conversations?.[0];
    expect(row?.count).toBe(8);
    expect(row?.unread).toBe(true);
    expect(row?.starred).toBe(true);
    expect(row?.subject).toBe("Re: Long walk");
  }, 60_000);

  it("read on another device, the row is pushed where it is; a deletion asks for the windows again", async () => {
    const before = await conversations();
    const invoice = before.conversations?.find((c) => c.subject === "Invoice 2");
    const at = before.conversations?.indexOf(invoice as NonNullable<typeof invoice>);
    expect(invoice?.unread).toBe(true);
    const other = await imapClient(mail, alice);
    try {
      const lock = await other.getMailboxLock("INBOX");
      try {
        await other.messageFlagsAdd(String(invoice?.newest.uid), ["\\Seen"], { uid: true });
      } finally {
        lock.release();
      }
      const read = await changed("the read conversation pushed", (f) =>
        f.changes.some((c) => c.conversation.newest.uid === invoice?.newest.uid),
      );
      const mine = read.changes.find((c) => c.conversation.newest.uid === invoice?.newest.uid);
      expect(mine?.from).toBe(at);
      expect(mine?.to).toBe(at);
      expect(mine?.conversation.unread).toBe(false);
      expect(read.total).toBe(before.total);

      const lock2 = await other.getMailboxLock("INBOX");
      try {
        await other.messageDelete(String(invoice?.newest.uid), { uid: true });
      } finally {
        lock2.release();
      }
      const gone = await changed("the deletion pushed", (f) => f.refetch);
      expect(gone.refetch).toBe(true);
      expect(gone.total).toBe((before.total ?? 0) - 1);
    } finally {
      await other.logout();
    }
  }, 60_000);
});
