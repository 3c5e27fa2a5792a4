/**
 * Windows of a sorted list against the real Dovecot: a window of the order kept on the
 * connection is one UID FETCH (no NOOP or SORT before it), and it still shows what another
 * client changed meanwhile (an arrival at its sorted place, an expunge gone). The client has
 * QRESYNC on, as the bridge's command connection does (an expunge then comes as VANISHED).
 */
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { appendMessages, buildMessage, type Fixture, startFixture } from "./test-support";
import { listWindow } from "./window";

const SENDER = { key: "from", reverse: false } as const;
const NAMES = ["Kim", "Bea", "Lou", "Dan", "Ivy", "Cal", "Fay", "Gus", "Eve", "Hal", "Jo", "Max"];

let fx: Fixture;
let client: ImapFlow;
let other: ImapFlow;

beforeAll(async () => {
  fx = await startFixture();
  client = new ImapFlow({
    host: fx.server.host,
    port: fx.server.imap.tlsPort,
    secure: true,
    auth: { user: fx.email, pass: fx.password },
    tls: { ca: fx.server.ca },
    logger: false,
    disableAutoIdle: true,
    qresync: true,
  });
  client.on("error", () => undefined);
  await client.connect();
  other = await fx.connect();
  await appendMessages(
    other,
    "INBOX",
    NAMES.map((name, i) =>
      buildMessage({
        subject: `From ${name}`,
        from: `"${name} Sender" <${name.toLowerCase()}@example.test>`,
        text: `Message ${i}`,
      }),
    ),
  );
}, 120_000);

afterAll(async () => {
  await client?.logout().catch(() => client.close());
  await fx?.stop();
});

const senders = (rows: { from: { name: string }[] }[]) => rows.map((r) => r.from[0]?.name);
const sorted = (offset: number, limit = 5) =>
  listWindow(client, { mailbox: "INBOX", offset, limit, sort: SENDER });

describe("a window of a sorted list", () => {
  it("cut from the order kept on the connection is one UID FETCH: no NOOP, no SORT again", async () => {
    expect(client.enabled.has("QRESYNC")).toBe(true);
    const first = await sorted(0);
    expect(senders(first.rows)).toEqual([
      "Bea Sender",
      "Cal Sender",
      "Dan Sender",
      "Eve Sender",
      "Fay Sender",
    ]);
    // imapflow's command pipeline, which every command goes through (not in its typings).
    const pipeline = client as unknown as { exec(command: string): Promise<unknown> };
    const exec = vi.spyOn(pipeline, "exec");
    try {
      const middle = await sorted(5);
      expect(senders(middle.rows)).toEqual([
        "Gus Sender",
        "Hal Sender",
        "Ivy Sender",
        "Jo Sender",
        "Kim Sender",
      ]);
      expect(middle.total).toBe(NAMES.length);
      const commands = exec.mock.calls.map((c) => String(c[0]).toUpperCase());
      expect(commands).not.toContain("NOOP");
      expect(commands).not.toContain("UID SORT");
      expect(commands.filter((c) => c.includes("FETCH"))).toHaveLength(1);
    } finally {
      exec.mockRestore();
    }
  });

  it("shows a message another client added meanwhile at its sorted place", async () => {
    await sorted(0);
    await appendMessages(other, "INBOX", [
      buildMessage({ subject: "Early", from: '"Amy Sender" <amy@example.test>', text: "Hi" }),
    ]);
    const w = await sorted(5);
    expect(w.total).toBe(NAMES.length + 1);
    expect(senders(w.rows)).toEqual([
      "Fay Sender",
      "Gus Sender",
      "Hal Sender",
      "Ivy Sender",
      "Jo Sender",
    ]);
  });

  it("leaves out a message another client expunged meanwhile", async () => {
    const before = await sorted(0);
    const amy = before.rows[0];
    expect(amy?.from[0]?.name).toBe("Amy Sender");
    await other.mailboxOpen("INBOX");
    await other.messageDelete(String(amy?.uid), { uid: true });
    const w = await sorted(0);
    expect(w.total).toBe(NAMES.length);
    expect(senders(w.rows)[0]).toBe("Bea Sender");
  });

  it("of unread mail leaves out a message another client marked read meanwhile", async () => {
    const unread = (offset: number) =>
      listWindow(client, {
        mailbox: "INBOX",
        offset,
        limit: 5,
        sort: SENDER,
        query: { seen: false },
      });
    const before = await unread(0);
    expect(before.total).toBe(NAMES.length);
    const bea = before.rows[0];
    expect(bea?.from[0]?.name).toBe("Bea Sender");
    await other.mailboxOpen("INBOX");
    await other.messageFlagsAdd(String(bea?.uid), ["\\Seen"], { uid: true });
    const w = await unread(0);
    expect(w.total).toBe(NAMES.length - 1);
    expect(senders(w.rows)).toEqual([
      "Cal Sender",
      "Dan Sender",
      "Eve Sender",
      "Fay Sender",
      "Gus Sender",
    ]);
  });
});
