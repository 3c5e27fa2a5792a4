/**
 * The first window of conversations of a session whose account has no Sent connection open yet
 * (every fresh sign-in), against the real Dovecot:
 * - it does not wait for that connection's login after reading its rows: the login starts as the
 *   window starts, beside the folder's read on the command connection, and happens once;
 * - it lists the account's folders once on the Sent connection: the LIST that warming the
 *   connection sends to find Sent also spares the window's Sent lookup the LIST imapflow sends
 *   before a SELECT of a folder it has not listed, and Sent is selected there once with no NOOP
 *   after;
 * - the window still counts the reply in Sent.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type SentConnectionHost, sentConnectionOf } from "../src/live/sent-connection";
import { conversationWindow } from "../src/threads/conversations";
import { imapClient } from "./harness";
import { commandsDuring, countOf } from "./imap-commands";
import { appendExchange } from "./thread-mail";

const EMAIL = "warm@example.test";
let mail: MailServer;
let client: ImapFlow;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: [{ email: EMAIL }] });
  const other = await imapClient(mail, mail.user(EMAIL));
  try {
    await appendExchange(other, EMAIL, { subject: "Lisbon", key: "l" });
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
  it("opens the Sent connection before it reads its rows, and logs it in once", async () => {
    // imapflow's command pipeline, which every command goes through (not in its typings).
    const pipeline = client as unknown as { exec(command: string): Promise<unknown> };
    const exec = vi.spyOn(pipeline, "exec");
    const fetchesSoFar = () => exec.mock.calls.filter((c) => /FETCH$/i.test(String(c[0]))).length;
    const connects: number[] = [];
    const host: SentConnectionHost = {
      connect: () => {
        connects.push(fetchesSoFar());
        return imapClient(mail, mail.user(EMAIL));
      },
      onClose: (fn) => void closers.push(fn),
    };
    try {
      const window = await conversationWindow(client, {
        mailbox: "INBOX",
        offset: 0,
        limit: 50,
        me: [EMAIL],
        sent: sentConnectionOf({ accountWatch: host }),
      });
      const lisbon = window.conversations.find((c) => c.subject === "Re: Lisbon");
      expect(lisbon?.count).toBe(3);
      expect(lisbon?.participants.some((p) => p.me)).toBe(true);
    } finally {
      exec.mockRestore();
    }
    // Asked for before the command connection sent any FETCH of the window's rows.
    expect(connects).toEqual([0]);
  });

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
      count = window.conversations.find((c) => c.subject === "Re: Lisbon")?.count;
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
