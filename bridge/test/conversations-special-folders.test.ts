/**
 * Which folder is Sent, as a conversation window's look into Sent finds it, through a real
 * bridge against the real Dovecot: kept per session from its last LIST (imap/mailboxes.ts,
 * specialFolder), so a window of conversations sends no LIST of its own; a folder change through
 * Ferry lists again (the folder tree it answers with), and a Sent renamed elsewhere is looked
 * for again instead of failing the window.
 */
import { describe, expect, it } from "vitest";
import { exchangeAccount } from "./exchange-account";
import { imapClient, inboxRows } from "./harness";
import { commandsDuring, countOf, onReadingConnections } from "./imap-commands";

const EMAIL = "alice@example.test";
const alice = exchangeAccount(EMAIL, { subject: "Bergen", key: "b" });

const bergen = async () =>
  (await inboxRows(alice.socket, true)).conversations?.find((c) => c.subject === "Re: Bergen");

describe("the special-use folders a session keeps", () => {
  it("let a window of conversations find Sent without a LIST", async () => {
    expect((await bergen())?.count).toBe(3);
    const commands = await commandsDuring(async () => {
      const again = await bergen();
      expect(again?.count).toBe(3);
      expect(again?.elsewhere.map((r) => r.mailbox)).toEqual(["Sent"]);
    });
    expect(countOf(onReadingConnections(commands), "LIST")).toBe(0);
  }, 60_000);

  it("are listed again with a folder change through Ferry, not by the window after it", async () => {
    const made = await alice.socket.request({
      type: "folder.create",
      id: "create",
      parent: null,
      name: "Trips",
    });
    expect(made.type).toBe("folder.done");
    const commands = await commandsDuring(async () => {
      expect((await bergen())?.count).toBe(3);
    });
    expect(countOf(onReadingConnections(commands), "LIST")).toBe(0);
  }, 60_000);

  it("look for Sent again when it was renamed elsewhere, instead of failing the window", async () => {
    const other = await imapClient(alice.mail, alice.mail.user(EMAIL));
    try {
      await other.mailboxRename("Sent", "Sent 2025");
    } finally {
      await other.logout();
    }
    // Dovecot gives \Sent to the folder named Sent only: the renamed one is a plain folder now.
    const row = await bergen();
    expect(row?.count).toBe(2);
    expect(row?.elsewhere).toEqual([]);
  }, 60_000);
});
