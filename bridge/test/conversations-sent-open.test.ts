/**
 * Opening the user's reply in Sent from a conversation of INBOX, through a real bridge against
 * the real Dovecot: the message is read on the account's Sent connection (which keeps Sent
 * selected), so the session's command connection keeps INBOX selected and the next window of
 * INBOX's conversations sends no SELECT or EXAMINE (in a 100,000-message INBOX, a SELECT costs
 * more than the window). Every IMAP command of the bridge goes through ImapFlow's exec, counted
 * here with its folder.
 */
import type { TServerFrame } from "@ferry/protocol";
import { ImapFlow } from "imapflow";
import { describe, expect, it, vi } from "vitest";
import { exchangeAccount } from "./exchange-account";
import { inboxRows } from "./harness";

const EMAIL = "alice@example.test";
const alice = exchangeAccount(EMAIL, { subject: "Oslo", key: "o" });

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
    const window = await inboxRows(alice.socket, true);
    const oslo = window.conversations?.find((c) => c.subject === "Re: Oslo");
    expect(oslo?.count).toBe(3);
    const reply = oslo?.elsewhere[0];
    expect(reply?.mailbox).toBe("Sent");
    if (!reply) return;

    const selects = await selectsDuring(async () => {
      const header = await alice.socket.request({
        type: "message.open",
        id: "open-sent",
        ref: reply,
      });
      expect(header.type).toBe("message.header");
      const end = await alice.socket.waitFor(
        (f: TServerFrame) => f.type === "message.end" && f.id === "open-sent",
        "the reply's end",
        20_000,
      );
      expect(end.type).toBe("message.end");
      const bodies = alice.socket
        .ofType("message.body")
        .filter((f) => f.id === "open-sent")
        .map((f) => f.chunk)
        .join("");
      expect(bodies).toContain("Body of Re: Oslo");
      const again = await inboxRows(alice.socket, true);
      expect(again.conversations?.find((c) => c.subject === "Re: Oslo")?.count).toBe(3);
    });
    expect(selects).toEqual([]);
  }, 60_000);
});
