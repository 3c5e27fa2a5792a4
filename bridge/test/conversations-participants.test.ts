/**
 * A long conversation's row names everyone who wrote in it and marks its attachments, though
 * only its newest messages' rows are read (threads/conversations.ts SENDERS_READ), against the
 * real Dovecot: Erin starts a thread with a PDF attached, Frank answers, then Dave writes six
 * more. The row names Erin, Frank and Dave, in the order they joined, and has the attachment.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationWindow, ROWS_READ } from "../src/threads/conversations";
import { imapClient } from "./harness";

const EMAIL = "long-thread@example.test";
let mail: MailServer;
let client: ImapFlow;

/** One message of the thread, `i` minutes after the first, replying to `refs`. */
function threadMessage(i: number, from: string, refs: string[], pdf: boolean): string {
  const date = new Date(Date.UTC(2026, 0, 5, 9, i)).toUTCString();
  const head = [
    `From: ${from}`,
    `To: ${EMAIL}`,
    `Subject: ${i === 0 ? "" : "Re: "}Roof repair`,
    `Date: ${date}`,
    `Message-ID: <roof-${i}@example.test>`,
    ...(refs.length > 0 ? [`References: ${refs.join(" ")}`, `In-Reply-To: ${refs.at(-1)}`] : []),
    "MIME-Version: 1.0",
  ];
  if (!pdf) {
    return [...head, "Content-Type: text/plain; charset=utf-8", "", `Note ${i}`, ""].join("\r\n");
  }
  return [
    ...head,
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "The quote is attached.",
    "--b1",
    "Content-Type: application/pdf",
    'Content-Disposition: attachment; filename="quote.pdf"',
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from("%PDF-1.4 quote").toString("base64"),
    "--b1--",
    "",
  ].join("\r\n");
}

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: [{ email: EMAIL }] });
  const writers = [
    "Erin Builder <erin@example.test>",
    "Frank Roofer <frank@example.test>",
    ...Array.from({ length: 6 }, () => "Dave Neighbour <dave@example.test>"),
  ];
  const ids: string[] = [];
  for (const [i, from] of writers.entries()) {
    await mail.deliver(threadMessage(i, from, ids, i === 0), {
      from: "someone@example.test",
      to: [EMAIL],
    });
    ids.push(`<roof-${i}@example.test>`);
  }
  client = await imapClient(mail, mail.user(EMAIL));
}, 120_000);

afterAll(async () => {
  await client?.logout();
  await mail?.stop();
});

describe("a long conversation's row", () => {
  it("names who started and joined it, and marks the attachment of an older message", async () => {
    const w = await conversationWindow(client, {
      mailbox: "INBOX",
      offset: 0,
      limit: 10,
      me: [EMAIL],
    });
    const row = w.conversations[0];
    expect(w.conversations).toHaveLength(1);
    expect(row?.count).toBe(8);
    expect(row?.count).toBeGreaterThan(ROWS_READ + 2);
    expect(row?.participants.map((p) => p.address)).toEqual([
      "erin@example.test",
      "frank@example.test",
      "dave@example.test",
    ]);
    expect(row?.participants[0]?.name).toBe("Erin Builder");
    expect(row?.hasAttachments).toBe(true);
    // The newest message, on which the row sits, has none of its own.
    expect(row?.newest.hasAttachments).toBe(false);
  }, 60_000);
});
