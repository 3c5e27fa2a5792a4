/**
 * The user's quota through a real bridge against the real Dovecot (its quota plugin, with a
 * per-user limit set by the fixture): `quota.get` answers what the server counts, a user without
 * a limit has none, and mail that arrives or goes away is pushed (`messages.new`,
 * `messages.expunged`) with the new quota (`quota.changed`).
 */
import { startMailServer } from "@ferry/mail-server";
import type { TServerFrameOf } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  imapClient,
  type MailServer,
  openSocket,
  signedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";

const LIMIT_KB = 100;

let mail: MailServer;
let b: TestBridge;
const devices: ImapFlow[] = [];
const sockets: TestSocket[] = [];
let ids = 0;

beforeAll(async () => {
  mail = await startMailServer({
    postfix: false,
    users: [
      { email: "limited@example.test", quotaKb: LIMIT_KB },
      { email: "pushed@example.test", quotaKb: LIMIT_KB },
      { email: "unlimited@example.test" },
    ],
  });
  b = await startBridge(mail);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(devices.map((d) => d.logout().catch(() => d.close())));
  await b?.close();
  await mail?.stop();
});

/** A message of about `kb` KiB for `to`. */
function messageOf(to: string, kb: number, subject = "Big"): string {
  const line = `${"x".repeat(76)}\r\n`;
  const body = line.repeat(Math.ceil((kb * 1024) / line.length));
  return `From: Carol <carol@example.test>\r\nTo: ${to}\r\nSubject: ${subject}\r\n\r\n${body}`;
}

async function socketOf(email: string): Promise<TestSocket> {
  const u = mail.user(email);
  const s = await openSocket(b, await signedIn(b, u.email, u.password));
  sockets.push(s);
  return s;
}

async function device(email: string): Promise<ImapFlow> {
  const d = await imapClient(mail, mail.user(email));
  devices.push(d);
  return d;
}

async function quotaOf(s: TestSocket): Promise<TServerFrameOf<"quota">["quota"]> {
  const reply = await s.request({ type: "quota.get", id: `q${++ids}` });
  if (reply.type !== "quota") throw new Error(`expected quota: ${JSON.stringify(reply)}`);
  return reply.quota;
}

describe("quota", () => {
  it("answers the storage used and the limit the server counts", async () => {
    const email = "limited@example.test";
    await mail.deliver(messageOf(email, 40), { from: "carol@example.test", to: [email] });
    const quota = await quotaOf(await socketOf(email));
    const server = await (await device(email)).getQuota("INBOX");
    if (server === false || !server.storage) throw new Error("the fixture has no quota");
    expect(quota).toEqual({
      storage: { used: server.storage.usage, limit: LIMIT_KB * 1024 },
      messages: null,
    });
    expect(quota?.storage?.used).toBeGreaterThan(40 * 1024);
  });

  it("is null for a user without a limit", async () => {
    expect(await quotaOf(await socketOf("unlimited@example.test"))).toBeNull();
  });

  it("pushes the new quota when mail arrives and when it is deleted", async () => {
    const email = "pushed@example.test";
    const s = await socketOf(email);
    // As the web app does: INBOX open, its first window read.
    await s.request({ type: "mailbox.open", id: `q${++ids}`, path: "INBOX" });
    await s.request({
      type: "list.window",
      id: `q${++ids}`,
      mailbox: "INBOX",
      offset: 0,
      limit: 50,
    });
    const before = await quotaOf(s);
    expect(before?.storage?.used).toBe(0);

    // Only frames after each change count: the session pushed a quota.changed at its start.
    const delivered = s.mark();
    await mail.deliver(messageOf(email, 30), { from: "carol@example.test", to: [email] });
    const arrived = await s.waitFor<TServerFrameOf<"messages.new">>(
      (f) => f.type === "messages.new" && f.mailbox === "INBOX",
      "messages.new after a delivery",
      5000,
      delivered,
    );
    const grown = await s.waitFor<TServerFrameOf<"quota.changed">>(
      (f) => f.type === "quota.changed" && (f.quota?.storage?.used ?? 0) > 30 * 1024,
      "quota.changed after a delivery",
      5000,
      delivered,
    );
    expect(grown.quota?.storage?.limit).toBe(LIMIT_KB * 1024);

    const other = await device(email);
    await other.mailboxOpen("INBOX");
    const deleted = s.mark();
    await other.messageDelete("1:*");
    const gone = await s.waitFor<TServerFrameOf<"messages.expunged">>(
      (f) => f.type === "messages.expunged" && f.mailbox === "INBOX",
      "messages.expunged after the message was deleted",
      5000,
      deleted,
    );
    expect(gone.uids).toEqual(arrived.rows.map((r) => r.uid));
    await s.waitFor(
      (f) => f.type === "quota.changed" && f.quota?.storage?.used === 0,
      "quota.changed after the message was deleted",
      5000,
      deleted,
    );
  });
});
