/**
 * Which folder is Sent, as a conversation window's look into Sent finds it, through a real
 * bridge against the real Dovecot: kept per session from its last LIST (imap/mailboxes.ts,
 * specialFolder), so a window of conversations sends no LIST of its own; a folder change through
 * Ferry lists again (the folder tree it answers with), and a Sent renamed elsewhere is looked
 * for again instead of failing the window. Dovecot's NOTIFY reports every folder change back,
 * Ferry's own too, about half a second later: the tests wait for the bridge's line about that
 * report (live/account-watch.ts) so that they look after it, whenever it comes.
 */
import { describe, expect, it, vi } from "vitest";
import { exchangeAccount } from "./exchange-account";
import { imapClient, inboxRows } from "./harness";
import { commandsDuring, countOf, onReadingConnections } from "./imap-commands";

const EMAIL = "alice@example.test";
const alice = exchangeAccount(EMAIL, { subject: "Bergen", key: "b" });

/**
 * What the account's watch did with NOTIFY's report of `path` ("echo" or "announced"), the first
 * one logged after `since` (a length of the bridge's log text).
 */
async function notifyReportOf(path: string, since = 0): Promise<"echo" | "announced"> {
  const found = await vi.waitFor(
    () => {
      for (const line of alice.bridge.logs.text.slice(since).split("\n")) {
        if (!line.includes("live: NOTIFY")) continue;
        const entry = JSON.parse(line) as { msg?: string; paths?: string[] };
        if (!entry.paths?.includes(path)) continue;
        if (entry.msg === "live: NOTIFY echo of a folder change through Ferry") return "echo";
        if (entry.msg === "live: NOTIFY folder change announced") return "announced";
      }
      throw new Error(`no NOTIFY report of ${path} yet`);
    },
    { timeout: 10_000, interval: 20 },
  );
  return found;
}

const changed = (f: { type: string }) => f.type === "mailboxes.changed";

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
    const from = alice.socket.mark();
    const made = await alice.socket.request({
      type: "folder.create",
      id: "create",
      parent: null,
      name: "Trips",
    });
    expect(made.type).toBe("folder.done");
    await alice.socket.waitFor(changed, "mailboxes.changed", 5000, from);
    // NOTIFY's report of Ferry's own change is not announced again, nor does it make the
    // session forget the special-use folders the change's own LIST has just noted.
    expect(await notifyReportOf("Trips")).toBe("echo");
    const commands = await commandsDuring(async () => {
      expect((await bergen())?.count).toBe(3);
    });
    expect(countOf(onReadingConnections(commands), "LIST")).toBe(0);
    expect(alice.socket.frames.slice(from).filter(changed)).toHaveLength(1);
  }, 60_000);

  it("are not forgotten by the echo of a rename or a delete through Ferry either", async () => {
    for (const frame of [
      { type: "folder.rename", id: "rename", path: "Trips", parent: null, name: "Journeys" },
      { type: "folder.delete", id: "delete", path: "Journeys" },
    ] as const) {
      const from = alice.socket.mark();
      const since = alice.bridge.logs.text.length;
      expect((await alice.socket.request(frame)).type).toBe("folder.done");
      await alice.socket.waitFor(changed, "mailboxes.changed", 5000, from);
      expect(await notifyReportOf("Journeys", since)).toBe("echo");
      const commands = await commandsDuring(async () => {
        expect((await bergen())?.count).toBe(3);
      });
      expect(countOf(onReadingConnections(commands), "LIST")).toBe(0);
      expect(alice.socket.frames.slice(from).filter(changed)).toHaveLength(1);
    }
  }, 60_000);

  it("are listed again after a folder change elsewhere, which is announced once", async () => {
    const from = alice.socket.mark();
    const other = await imapClient(alice.mail, alice.mail.user(EMAIL));
    try {
      await other.mailboxCreate("Elsewhere");
    } finally {
      await other.logout();
    }
    await alice.socket.waitFor(changed, "mailboxes.changed", 5000, from);
    expect(await notifyReportOf("Elsewhere")).toBe("announced");
    const commands = await commandsDuring(async () => {
      expect((await bergen())?.count).toBe(3);
    });
    expect(countOf(onReadingConnections(commands), "LIST")).toBeGreaterThan(0);
    expect(alice.socket.frames.slice(from).filter(changed)).toHaveLength(1);
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
