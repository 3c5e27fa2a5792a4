/**
 * Flags changed in Sent reach the conversation rows that count those messages, through a real
 * bridge against the real Dovecot: Alice's INBOX list of conversations is open (Sent is not, so
 * no IDLE watches it) when another client stars, then marks unread, her reply in Sent. Dovecot's
 * NOTIFY reports each change (a star moves no count), and the row is pushed where it stands,
 * starred and then unread, with a `messages.flags` of Sent for the reader's collapsed lines.
 * When the reply is then deleted from Sent, the row that counted it is pushed where it stands,
 * counting one less, instead of every list being asked again.
 */
import type { TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { describe, expect, it } from "vitest";
import { exchangeAccount } from "./exchange-account";
import { imapClient, inboxRows } from "./harness";

type Changed = Extract<TServerFrame, { type: "conversations.changed" }>;
type Flags = Extract<TServerFrame, { type: "messages.flags" }>;

const EMAIL = "alice@example.test";
const alice = exchangeAccount(EMAIL, {
  subject: "Tromsø",
  key: "t",
  inboxFlags: ["\\Seen"],
});

/** Changes the flags of Alice's reply in Sent from another client. */
async function inSent(fn: (client: ImapFlow) => Promise<unknown>): Promise<void> {
  const other = await imapClient(alice.mail, alice.mail.user(EMAIL));
  try {
    const lock = await other.getMailboxLock("Sent");
    try {
      await fn(other);
    } finally {
      lock.release();
    }
  } finally {
    await other.logout();
  }
}

const tromso = (f: Changed) => f.changes.find((c) => c.conversation.subject === "Re: Tromsø");

describe("a flag change in Sent, which no IDLE watches", () => {
  it("is pushed to the row counting that message, and to its collapsed line", async () => {
    const window = await inboxRows(alice.socket, true);
    const row = window.conversations?.find((c) => c.subject === "Re: Tromsø");
    expect(row).toMatchObject({ count: 3, starred: false, unread: false });
    expect(row?.elsewhere).toEqual([
      expect.objectContaining({ mailbox: "Sent", uid: alice.replyUid }),
    ]);

    await inSent((c) => c.messageFlagsAdd(String(alice.replyUid), ["\\Flagged"], { uid: true }));
    const starred = await alice.socket.waitFor<Changed>(
      (f) => f.type === "conversations.changed" && tromso(f)?.conversation.starred === true,
      "the row pushed starred",
      20_000,
    );
    expect(starred.refetch).toBe(false);
    expect(tromso(starred)).toMatchObject({ from: 0, to: 0, conversation: { count: 3 } });
    const line = await alice.socket.waitFor<Flags>(
      (f) =>
        f.type === "messages.flags" &&
        f.mailbox === "Sent" &&
        f.changes.some((c) => c.uid === alice.replyUid && c.flags.includes("\\Flagged")),
      "the reply's collapsed line told it is starred",
      20_000,
    );
    expect(line.changes).toHaveLength(1);

    await inSent((c) => c.messageFlagsRemove(String(alice.replyUid), ["\\Seen"], { uid: true }));
    const unread = await alice.socket.waitFor<Changed>(
      (f) => f.type === "conversations.changed" && tromso(f)?.conversation.unread === true,
      "the row pushed unread",
      20_000,
    );
    expect(tromso(unread)?.conversation).toMatchObject({ starred: true, count: 3 });
  }, 90_000);

  it("a deletion in Sent pushes the row that counted the message, not a refetch", async () => {
    const before = alice.socket.ofType("conversations.changed").length;
    await inSent((c) => c.messageDelete(String(alice.replyUid), { uid: true }));
    const fewer = await alice.socket.waitFor<Changed>(
      (f) => f.type === "conversations.changed" && tromso(f)?.conversation.count === 2,
      "the row pushed counting one less",
      20_000,
    );
    expect(fewer.refetch).toBe(false);
    expect(tromso(fewer)).toMatchObject({ from: 0, to: 0, conversation: { elsewhere: [] } });
    const since = alice.socket.ofType("conversations.changed").slice(before);
    expect(since.filter((f) => f.refetch)).toEqual([]);
  }, 60_000);
});
