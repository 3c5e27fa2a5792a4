/**
 * Opening the user's reply in Sent from a conversation of INBOX, through a real bridge against
 * the real Dovecot: the message is read on the account's Sent connection (which keeps Sent
 * selected), so the session's command connection keeps INBOX selected and the next window of
 * INBOX's conversations sends no SELECT or EXAMINE (in a 100,000-message INBOX, a SELECT costs
 * more than the window). Every IMAP command of the bridge goes through ImapFlow's exec, counted
 * here with its folder.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { TServerFrame } from "@ferry/protocol";
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  imapClient,
  inboxRows,
  inboxSocket,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";
import { appendExchange } from "./thread-mail";

const EMAIL = "alice@example.test";
let mail: MailServer;
let bridge: TestBridge;
let socket: TestSocket;

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: [{ email: EMAIL }] });
  const other = await imapClient(mail, mail.user(EMAIL));
  try {
    await appendExchange(other, EMAIL, { subject: "Oslo", key: "o" });
  } finally {
    await other.logout();
  }
  bridge = await startBridge(mail);
  socket = await inboxSocket(bridge, mail.user(EMAIL));
}, 120_000);

afterAll(async () => {
  socket?.close();
  await bridge?.close();
  await mail?.stop();
});

/** The folders the bridge SELECTs or EXAMINEs while `fn` runs. */
async function selectsDuring(fn: () => Promise<void>): Promise<string[]> {
  // imapflow's command pipeline, which every command goes through (not in its typings).
  const proto = ImapFlow.prototype as unknown as {
    exec(command: string, attributes?: unknown): Promise<unknown>;
  };
  const exec = vi.spyOn(proto, "exec");
  try {
    await fn();
    return exec.mock.calls
      .filter((c) => ["SELECT", "EXAMINE"].includes(String(c[0]).toUpperCase()))
      .map((c) => JSON.stringify(c[1]));
  } finally {
    exec.mockRestore();
  }
}

describe("a reply in Sent opened from an INBOX conversation", () => {
  it("is read on the Sent connection: the next window of INBOX selects nothing", async () => {
    const window = await inboxRows(socket, true);
    const oslo = window.conversations?.find((c) => c.subject === "Re: Oslo");
    expect(oslo?.count).toBe(3);
    const reply = oslo?.elsewhere[0];
    expect(reply?.mailbox).toBe("Sent");
    if (!reply) return;

    const selects = await selectsDuring(async () => {
      const header = await socket.request({ type: "message.open", id: "open-sent", ref: reply });
      expect(header.type).toBe("message.header");
      const end = await socket.waitFor(
        (f: TServerFrame) => f.type === "message.end" && f.id === "open-sent",
        "the reply's end",
        20_000,
      );
      expect(end.type).toBe("message.end");
      const bodies = socket
        .ofType("message.body")
        .filter((f) => f.id === "open-sent")
        .map((f) => f.chunk)
        .join("");
      expect(bodies).toContain("Body of Re: Oslo");
      const again = await inboxRows(socket, true);
      expect(again.conversations?.find((c) => c.subject === "Re: Oslo")?.count).toBe(3);
    });
    expect(selects).toEqual([]);
  }, 60_000);
});
