/**
 * The first window of conversations of a session whose account has no Sent connection open yet
 * (every fresh sign-in) does not wait for that connection's login after reading its rows: the
 * login starts as the window starts, beside the folder's read on the command connection, against
 * the real Dovecot. The window still counts the reply in Sent, and the account's Sent
 * connection logs in once for it.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type SentConnectionHost, sentConnectionOf } from "../src/live/sent-connection";
import { conversationWindow } from "../src/threads/conversations";
import { imapClient } from "./harness";
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
});
