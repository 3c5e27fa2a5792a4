/**
 * A window of conversations looks into Sent on the account's Sent connection
 * (live/sent-connection.ts), against the real Dovecot: its rows count the user's replies in Sent
 * as before, a reply another client files in Sent (or deletes from it) shows in the next window,
 * and the connection the windows run on keeps INBOX selected: no SELECT or EXAMINE between two
 * windows of INBOX (each would be a SELECT of the whole INBOX again, the cost of a window in a
 * 100,000-message folder), nor when the reader reads the rows of a conversation's Sent replies
 * (`messages.rows`) between them.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rowsForRefs } from "../src/imap/member-rows";
import { type SentConnectionHost, sentConnectionOf } from "../src/live/sent-connection";
import { type ConversationWindowResult, conversationWindow } from "../src/threads/conversations";
import { imapClient } from "./harness";
import { threadMessage } from "./thread-mail";

const EMAIL = "alice@example.test";
let mail: MailServer;
let user: { email: string; password: string };
let client: ImapFlow;
let other: ImapFlow;
const closers: Array<() => Promise<void>> = [];
const host: SentConnectionHost = {
  connect: () => imapClient(mail, user),
  onClose: (fn) => void closers.push(fn),
};
const session = { accountWatch: host };

const message = (opts: Parameters<typeof threadMessage>[1]) => threadMessage(EMAIL, opts);

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: [{ email: EMAIL }] });
  user = mail.user(EMAIL);
  other = await imapClient(mail, user);
  await other.append("INBOX", message({ from: "news@example.test", subject: "News", id: "n1@x" }));
  await other.append("INBOX", message({ from: "bob@example.test", subject: "Lisbon", id: "l1@x" }));
  await other.append(
    "Sent",
    message({ from: EMAIL, subject: "Re: Lisbon", id: "l2@x", refs: ["l1@x"] }),
    ["\\Seen"],
  );
  await other.append(
    "INBOX",
    message({
      from: "bob@example.test",
      subject: "Re: Lisbon",
      id: "l3@x",
      refs: ["l1@x", "l2@x"],
    }),
  );
  client = await imapClient(mail, user);
}, 120_000);

afterAll(async () => {
  await Promise.all(closers.map((fn) => fn()));
  await client?.logout().catch(() => undefined);
  await other?.logout().catch(() => undefined);
  await mail?.stop();
});

function inboxWindow(): Promise<ConversationWindowResult> {
  return conversationWindow(client, {
    mailbox: "INBOX",
    offset: 0,
    limit: 50,
    me: [EMAIL],
    sent: sentConnectionOf(session),
  });
}

function lisbonCount(w: ConversationWindowResult): number | undefined {
  return w.conversations.find((c) => c.subject === "Re: Lisbon")?.count;
}

/** The SELECT and EXAMINE commands `client` sends while `fn` runs. */
async function selectsDuring(fn: () => Promise<void>): Promise<string[]> {
  // imapflow's command pipeline, which every command goes through (not in its typings).
  const pipeline = client as unknown as { exec(command: string): Promise<unknown> };
  const exec = vi.spyOn(pipeline, "exec");
  try {
    await fn();
    return exec.mock.calls
      .map((c) => String(c[0]).toUpperCase())
      .filter((c) => c === "SELECT" || c === "EXAMINE");
  } finally {
    exec.mockRestore();
  }
}

describe("Sent on the account's Sent connection", () => {
  it("counts the reply in Sent, and the next window of INBOX selects nothing", async () => {
    const first = await inboxWindow();
    expect(first.total).toBe(2);
    expect(lisbonCount(first)).toBe(3);
    const selects = await selectsDuring(async () => {
      const again = await inboxWindow();
      expect(lisbonCount(again)).toBe(3);
    });
    expect(selects).toEqual([]);
  });

  it("counts a reply another client files in Sent, and not once it is deleted there", async () => {
    await inboxWindow();
    const selects = await selectsDuring(async () => {
      await other.append(
        "Sent",
        message({ from: EMAIL, subject: "Re: Lisbon", id: "l4@x", refs: ["l1@x", "l2@x", "l3@x"] }),
        ["\\Seen"],
      );
      const filed = await inboxWindow();
      expect(lisbonCount(filed)).toBe(4);
      const lock = await other.getMailboxLock("Sent");
      try {
        const found = await other.search({ header: { "message-id": "<l4@x>" } }, { uid: true });
        expect(found).toHaveLength(1);
        await other.messageDelete(found || [], { uid: true });
      } finally {
        lock.release();
      }
      const deleted = await inboxWindow();
      expect(lisbonCount(deleted)).toBe(3);
    });
    expect(selects).toEqual([]);
  });

  it("reads the rows of a conversation's replies in Sent there too: the next window selects nothing", async () => {
    const window = await inboxWindow();
    const lisbon = window.conversations.find((c) => c.subject === "Re: Lisbon");
    expect(lisbon?.elsewhere).toHaveLength(1);
    const refs = [
      ...(lisbon?.elsewhere ?? []),
      ...(lisbon?.uids ?? []).map((uid) => ({
        mailbox: "INBOX",
        uidValidity: window.uidValidity,
        uid,
      })),
    ];
    const selects = await selectsDuring(async () => {
      const read = await rowsForRefs(client, refs, () => undefined, sentConnectionOf(session));
      expect(read.missing).toEqual([]);
      expect(read.rows.map((r) => `${r.mailbox} ${r.subject}`).sort()).toEqual([
        "INBOX Lisbon",
        "INBOX Re: Lisbon",
        "Sent Re: Lisbon",
      ]);
      expect(lisbonCount(await inboxWindow())).toBe(3);
    });
    expect(selects).toEqual([]);
  });
});
