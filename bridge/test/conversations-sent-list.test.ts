/**
 * A session's first window of conversations (every sign-in in conversation view) lists the
 * account's folders once on the Sent connection, against the real Dovecot: the LIST that
 * warming that connection sends to find Sent also spares the window's Sent lookup the LIST
 * imapflow sends before a SELECT of a folder it has not listed, and Sent is selected there once
 * with no NOOP after: nothing more than the search sits between the rows and the answer.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SentConnectionHost, sentConnectionOf } from "../src/live/sent-connection";
import { conversationWindow } from "../src/threads/conversations";
import { imapClient } from "./harness";
import { commandsDuring, countOf } from "./imap-commands";
import { appendExchange } from "./thread-mail";

const EMAIL = "sentlist@example.test";
let mail: MailServer;
let client: ImapFlow;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: [{ email: EMAIL }] });
  const other = await imapClient(mail, mail.user(EMAIL));
  try {
    await appendExchange(other, EMAIL, { subject: "Porto", key: "p" });
  } finally {
    await other.logout().catch(() => other.close());
  }
  client = await imapClient(mail, mail.user(EMAIL));
}, 120_000);

afterAll(async () => {
  await Promise.all(closers.map((fn) => fn()));
  await client?.logout().catch(() => undefined);
  await mail?.stop();
});

describe("a session's first window of conversations", () => {
  it("lists the folders once on its Sent connection, and still counts the reply in Sent", async () => {
    const sentClients: ImapFlow[] = [];
    const host: SentConnectionHost = {
      connect: async () => {
        const made = await imapClient(mail, mail.user(EMAIL));
        sentClients.push(made);
        return made;
      },
      onClose: (fn) => void closers.push(fn),
    };
    let count: number | undefined;
    const commands = await commandsDuring(async () => {
      const window = await conversationWindow(client, {
        mailbox: "INBOX",
        offset: 0,
        limit: 50,
        me: [EMAIL],
        sent: sentConnectionOf({ accountWatch: host }),
      });
      count = window.conversations.find((c) => c.subject === "Re: Porto")?.count;
    });
    expect(count).toBe(3);
    expect(sentClients).toHaveLength(1);
    const onSent = commands.filter((c) => c.connection === sentClients[0]);
    expect({
      list: countOf(onSent, "LIST"),
      examine: countOf(onSent, "EXAMINE"),
      noop: countOf(onSent, "NOOP"),
    }).toEqual({ list: 1, examine: 1, noop: 0 });
  });
});
