/**
 * Conversation windows through a real bridge against the real Dovecot and Postfix: Alice and Bob
 * exchange four messages through Postfix submission, each filing their own copy in Sent as a
 * mail client does. `list.window` with `conversations` then gives each of them one row for the
 * exchange, counting 4 (their own replies in Sent included, found by Message-ID), beside the
 * unrelated mail; a fifth message arrives and the next window has it in the same row, at the top.
 * Without `conversations` the same list is one row per message.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { TWindow } from "@ferry/protocol";
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

let mail: MailServer;
let bridge: TestBridge;
const sockets = new Map<string, TestSocket>();
let alice: { email: string; password: string };
let bob: { email: string; password: string };

beforeAll(async () => {
  mail = await startMailServer();
  alice = mail.user("alice@example.test");
  bob = mail.user("bob@example.test");
  bridge = await startBridge(mail);
  for (const u of [alice, bob]) {
    sockets.set(u.email, await inboxSocket(bridge, u));
  }
}, 120_000);

afterAll(async () => {
  for (const s of sockets.values()) s.close();
  await bridge?.close();
  await mail?.stop();
});

const sent: string[] = [];

/**
 * `from` writes to `to` through Postfix, replying to everything sent before; the copy goes to
 * `from`'s Sent. Resolves once the bridge pushed it to `to`'s open INBOX.
 */
async function exchange(
  from: { email: string; password: string },
  to: { email: string; password: string },
  text: string,
): Promise<void> {
  const messageId = `<conv-${sent.length + 1}.${Date.now()}@example.test>`;
  const subject = sent.length === 0 ? "Trip to Lisbon" : "Re: Trip to Lisbon";
  const built = await nodemailer.createTransport({ streamTransport: true, buffer: true }).sendMail({
    from: from.email,
    to: to.email,
    subject,
    text,
    messageId,
    ...(sent.length > 0 ? { inReplyTo: sent.at(-1), references: sent.slice() } : {}),
  });
  const raw = built.message as Buffer;
  const smtp = submissionOf(mail, from);
  await smtp.sendMail({ envelope: { from: from.email, to: [to.email] }, raw });
  smtp.close();
  const client = await imapClient(mail, from);
  try {
    await client.append("Sent", raw, ["\\Seen"]);
  } finally {
    await client.logout();
  }
  sent.push(messageId);
  await (sockets.get(to.email) as TestSocket).waitFor(
    (f) => f.type === "messages.new" && f.rows.some((r) => r.messageId === messageId),
    `${messageId} pushed to ${to.email}`,
    15_000,
  );
}

function windowOf(user: { email: string }, conversations: boolean): Promise<TWindow> {
  return inboxRows(sockets.get(user.email) as TestSocket, conversations);
}

describe("conversations", () => {
  it("Alice and Bob each see one row for their four-message exchange, Sent replies counted", async () => {
    for (const u of [alice, bob]) {
      await mail.deliver(plainMessage(u.email, "Unrelated newsletter"), {
        from: "news@example.test",
        to: [u.email],
      });
    }
    await exchange(alice, bob, "Shall we go in May?");
    await exchange(bob, alice, "May works.");
    await exchange(alice, bob, "Booking flights.");
    await exchange(bob, alice, "Great, thanks!");

    for (const u of [alice, bob]) {
      const w = await windowOf(u, true);
      expect(w.total).toBe(2);
      expect(w.conversations).toHaveLength(2);
      const [top, other] = w.conversations ?? [];
      expect(top?.count).toBe(4);
      expect(top?.uids).toHaveLength(2);
      expect(top?.elsewhere).toHaveLength(2);
      expect(top?.elsewhere.every((m) => m.mailbox === "Sent")).toBe(true);
      expect(top?.subject).toBe("Re: Trip to Lisbon");
      expect(top?.unread).toBe(true);
      const participants = top?.participants.map((p) => [p.address, p.me]) ?? [];
      expect(participants.sort()).toEqual([
        [alice.email, u === alice],
        [bob.email, u === bob],
      ]);
      expect(w.rows[0]?.uid).toBe(top?.newest.uid);
      expect(other?.count).toBe(1);
      expect(other?.subject).toBe("Unrelated newsletter");

      const flat = await windowOf(u, false);
      expect(flat.total).toBe(3);
      expect(flat.conversations).toBeUndefined();
    }
  }, 120_000);

  it("a fifth message joins the same row, which moves to the top", async () => {
    await mail.deliver(plainMessage(alice.email, "Something newer"), {
      from: "news@example.test",
      to: [alice.email],
    });
    const before = await windowOf(alice, true);
    expect(before.conversations?.[0]?.subject).toBe("Something newer");
    expect(before.total).toBe(3);

    await exchange(bob, alice, "One more thing: the hotel.");
    const after = await windowOf(alice, true);
    expect(after.total).toBe(3);
    expect(after.conversations?.[0]?.count).toBe(5);
    expect(after.conversations?.[0]?.uids).toHaveLength(3);
    expect(after.conversations?.[1]?.subject).toBe("Something newer");
  }, 60_000);
});
