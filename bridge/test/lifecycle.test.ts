/**
 * A session's lifetime against the real fixture: its IMAP connections close a grace period
 * after its last socket closed (the user stays signed in, and the next socket or HTTP request
 * reconnects), what the outbox holds is still sent meanwhile, and no session outlives its
 * absolute lifetime, however much it is used. IMAP connections are counted by Dovecot itself
 * (`doveadm who`).
 */
import { startMailServer } from "@ferry/mail-server";
import { partUrl, type TUploadInfo, uploadUrl } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sessionKey } from "../src/session/crypto";
import { MemorySessionStore, type SessionStore } from "../src/session/store";
import {
  imapClient,
  type MailServer,
  openSocket,
  plainMessage,
  signedIn,
  smtpEnv,
  startBridge,
  type TestBridge,
  type TestSocket,
  upgradeRefusal,
  withTimeout,
} from "./harness";

let mail: MailServer;
const bridges: TestBridge[] = [];
const sockets: TestSocket[] = [];
const clients: ImapFlow[] = [];
/** Grace period of the test bridges: short, so the tests wait for it rather than for minutes. */
const DETACH_MS = 300;

beforeAll(async () => {
  mail = await startMailServer({
    users: Array.from({ length: 6 }, (_, i) => ({ email: `life${i}@example.test` })),
  });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(clients.map((c) => c.logout().catch(() => c.close())));
  await Promise.all(bridges.map((x) => x.close()));
  await mail?.stop();
});

function user(i: number) {
  const u = mail.users[i];
  if (!u) throw new Error("add more fixture users");
  return u;
}

async function bridge(opts: Parameters<typeof startBridge>[1] = {}): Promise<TestBridge> {
  const b = await startBridge(mail, opts);
  bridges.push(b);
  return b;
}

async function socket(b: TestBridge, cookie: string): Promise<TestSocket> {
  const s = await openSocket(b, cookie);
  sockets.push(s);
  await s.waitFor((f) => f.type === "state" && f.imap === "online", "state online");
  return s;
}

async function closeSocket(s: TestSocket): Promise<void> {
  s.close();
  await withTimeout(s.closed, 5000, "socket closed");
}

const keyOf = (cookie: string) => sessionKey(cookie.split("=")[1] ?? "");

/** IMAP connections Dovecot has for `email` (one line per connection). */
async function imapConnections(email: string): Promise<number> {
  const { stdout } = await mail.doveadm(["who", "-1", email]);
  return stdout.split("\n").filter((line) => line.startsWith(`${email} `)).length;
}

/** Waits (polling, with a timeout) until Dovecot counts `n` connections of `email`. */
async function untilConnections(email: string, n: number): Promise<void> {
  await vi.waitFor(async () => expect(await imapConnections(email)).toBe(n), {
    timeout: 10_000,
    interval: 50,
  });
}

async function imapAs(u: { email: string; password: string }): Promise<ImapFlow> {
  const client = await imapClient(mail, u);
  clients.push(client);
  return client;
}

async function sessionStatus(b: TestBridge, cookie: string): Promise<number> {
  return (await fetch(`${b.url}/api/session`, { headers: { cookie } })).status;
}

describe("after the last socket closes", () => {
  it("closes the session's IMAP connections after the grace period; the cookie still works and a new socket reconnects", async () => {
    const b = await bridge({ config: { sessionDetachMs: DETACH_MS } });
    const u = user(0);
    const cookie = await signedIn(b, u.email, u.password);
    const key = keyOf(cookie);
    const one = await socket(b, cookie);
    const two = await socket(b, cookie);
    expect(await one.request({ type: "mailbox.open", id: "open", path: "Archive" })).toMatchObject({
      type: "mailbox.opened",
      mailbox: "Archive",
    });
    await untilConnections(u.email, 4); // command, INBOX, NOTIFY (other folders' counts), Archive

    // One tab closes: its folder is let go of, the session keeps the rest for the other tab.
    await closeSocket(one);
    await untilConnections(u.email, 3);
    const live = b.bridge.sessions.live.get(key);
    expect(live).toBeDefined();

    // The last one closes: after the grace period nothing is connected, yet still signed in.
    await closeSocket(two);
    await untilConnections(u.email, 0);
    expect(b.bridge.sessions.live.get(key)).toBeUndefined();
    expect(b.bridge.sessions.manager.isActive(key)).toBe(true);
    expect(b.logs.text).toContain("session unused: IMAP connections closed");
    expect(await sessionStatus(b, cookie)).toBe(200);

    // The tab comes back: hello, online, a mailbox list, on new connections.
    const back = await socket(b, cookie);
    expect(back.frames[0]).toMatchObject({ type: "hello", email: u.email });
    const list = await back.request({ type: "mailboxes.list", id: "list-again" });
    expect(list).toMatchObject({ type: "mailboxes" });
    if (list.type === "mailboxes") {
      expect(list.mailboxes.map((m) => m.path)).toEqual(expect.arrayContaining(["INBOX"]));
    }
    expect(b.bridge.sessions.live.get(key)).not.toBe(live);
    await untilConnections(u.email, 3);
    // New mail is pushed on the rebuilt session.
    await mail.deliver(plainMessage(u.email, "after the rebuild"), {
      from: "carol@example.test",
      to: [u.email],
    });
    await back.waitFor(
      (f) => f.type === "messages.new" && f.rows.some((r) => r.subject === "after the rebuild"),
      "new mail after the rebuild",
    );
    await closeSocket(back);
    await untilConnections(u.email, 0);
  });

  it("keeps the connections of a tab that comes back within the grace period", async () => {
    const b = await bridge(); // the default grace period: minutes
    const u = user(1);
    const cookie = await signedIn(b, u.email, u.password);
    const key = keyOf(cookie);
    const s = await socket(b, cookie);
    const live = b.bridge.sessions.live.get(key);
    await closeSocket(s);
    await vi.waitFor(() => expect(live?.sockets.size).toBe(0));
    const reloaded = await socket(b, cookie);
    expect(b.bridge.sessions.live.get(key)).toBe(live);
    expect(live?.sockets.size).toBe(1);
    await closeSocket(reloaded);
  });

  it("an HTTP request reconnects a detached session, which detaches again afterwards", async () => {
    const b = await bridge({ config: { sessionDetachMs: DETACH_MS } });
    const u = user(2);
    await mail.deliver(plainMessage(u.email, "fetched over HTTP"), {
      from: "carol@example.test",
      to: [u.email],
    });
    const cookie = await signedIn(b, u.email, u.password);
    const key = keyOf(cookie);
    const s = await socket(b, cookie);
    const win = await s.request({
      type: "list.window",
      id: "w",
      mailbox: "INBOX",
      offset: 0,
      limit: 10,
    });
    if (win.type !== "list.window") throw new Error(JSON.stringify(win));
    const row = win.rows[0];
    if (!row) throw new Error("nothing listed");
    await closeSocket(s);
    await untilConnections(u.email, 0);
    expect(b.bridge.sessions.live.get(key)).toBeUndefined();

    const ref = { mailbox: "INBOX", uidValidity: win.uidValidity, uid: row.uid };
    const res = await fetch(`${b.url}${partUrl(ref, "raw")}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Subject: fetched over HTTP");
    expect(b.bridge.sessions.live.get(key)).toBeDefined();
    // Nobody uses it after the request: it goes again, download connection included.
    await vi.waitFor(() => expect(b.bridge.sessions.live.get(key)).toBeUndefined(), {
      timeout: 10_000,
    });
    await untilConnections(u.email, 0);
    expect(await sessionStatus(b, cookie)).toBe(200);
  });

  it("still sends what the outbox holds, and keeps the session's uploads", async () => {
    const b = await bridge({
      config: { sessionDetachMs: DETACH_MS },
      env: {
        ...smtpEnv(mail),
      },
    });
    const sender = user(3);
    const recipient = user(4);
    const cookie = await signedIn(b, sender.email, sender.password);
    const key = keyOf(cookie);
    const s = await socket(b, cookie);
    const upload = async (name: string): Promise<TUploadInfo> => {
      const res = await fetch(`${b.url}${uploadUrl(name)}`, {
        method: "POST",
        headers: { cookie, origin: b.origin, "content-type": "text/plain" },
        body: `contents of ${name}`,
      });
      expect(res.status).toBe(201);
      return (await res.json()) as TUploadInfo;
    };
    const attached = await upload("attached.txt");
    const spare = await upload("spare.txt");
    const subject = `held while detached ${Date.now()}`;
    const queued = await s.request({
      type: "compose.send",
      id: "send",
      draft: {
        from: { name: "", address: sender.email },
        to: [{ name: "", address: recipient.email }],
        subject,
        text: "Sent by the outbox",
        attachments: [attached],
      },
      delaySeconds: 5,
    });
    expect(queued).toMatchObject({ type: "compose.queued" });
    if (queued.type !== "compose.queued") return;
    await closeSocket(s);

    // Detached while the message is still held.
    await vi.waitFor(() => expect(b.bridge.sessions.live.get(key)).toBeUndefined(), {
      timeout: 10_000,
    });
    expect(b.bridge.compose.pendingCount(key)).toBe(1);

    // It arrives all the same, attachment included.
    const inbox = await imapAs(recipient);
    const found = await vi.waitFor(
      async () => {
        const lock = await inbox.getMailboxLock("INBOX");
        try {
          const uids = await inbox.search({ subject }, { uid: true });
          const uid = Array.isArray(uids) ? uids[0] : undefined;
          if (uid === undefined) throw new Error("not there yet");
          const msg = await inbox.fetchOne(String(uid), { source: true }, { uid: true });
          const source = msg === false ? undefined : msg.source;
          if (!source) throw new Error("no source");
          return source;
        } finally {
          lock.release();
        }
      },
      { timeout: 20_000, interval: 100 },
    );
    const parsed = await simpleParser(found);
    expect(parsed.attachments.map((a) => a.filename)).toEqual(["attached.txt"]);
    expect(b.bridge.compose.pendingCount(key)).toBe(0);
    // Still signed in: what the user uploaded and did not send yet is kept.
    expect(b.bridge.sessions.manager.isActive(key)).toBe(true);
    expect(b.bridge.compose.uploads.get(key, spare.uploadId)).toBeTruthy();
    expect(await sessionStatus(b, cookie)).toBe(200);
  });
});

describe("absolute lifetime", () => {
  const HOUR = 60 * 60 * 1000;

  /** A store that keeps records forever: only the bridge's own lifetime check ends them. */
  function foreverStore(): SessionStore {
    const inner = new MemorySessionStore();
    return {
      get: (key) => inner.get(key),
      set: (key, record) => inner.set(key, record, 1000 * HOUR),
      delete: (key) => inner.delete(key),
      close: () => inner.close(),
    };
  }

  it("signs out a session in use once it reaches its absolute lifetime", async () => {
    let now = Date.now();
    const b = await bridge({
      config: { sessionMaxAgeMs: HOUR },
      bridge: { store: foreverStore(), now: () => now },
    });
    const u = user(5);
    const cookie = await signedIn(b, u.email, u.password);
    const s = await socket(b, cookie);
    now += HOUR - 60_000;
    await b.bridge.sessions.manager.sweep();
    expect(await s.request({ type: "mailboxes.list", id: "in-use" })).toMatchObject({
      type: "mailboxes",
    });
    expect(await sessionStatus(b, cookie)).toBe(200);

    now += 60_000;
    await b.bridge.sessions.manager.sweep();
    expect(await withTimeout(s.closed, 5000, "socket closed")).toMatchObject({
      code: 4001,
      reason: "session expired",
    });
    expect(await sessionStatus(b, cookie)).toBe(401);
    expect(await upgradeRefusal(b, { cookie, origin: b.origin })).toBe(401);
    await untilConnections(u.email, 0);
  });

  it("refuses a session past its lifetime at its next request, before any sweep", async () => {
    let now = Date.now();
    const b = await bridge({
      config: { sessionMaxAgeMs: HOUR },
      bridge: { store: foreverStore(), now: () => now },
    });
    const u = user(5);
    const cookie = await signedIn(b, u.email, u.password);
    const s = await socket(b, cookie);
    now += HOUR;
    expect(await sessionStatus(b, cookie)).toBe(401);
    expect((await withTimeout(s.closed, 5000, "socket closed")).code).toBe(4001);
    expect(b.bridge.sessions.live.get(keyOf(cookie))).toBeUndefined();
  });

  it("lets the store forget a session at its lifetime even if it was used just before", async () => {
    let now = Date.now();
    const store = new MemorySessionStore({ now: () => now });
    const b = await bridge({
      config: { sessionMaxAgeMs: HOUR },
      bridge: { store, now: () => now },
    });
    const u = user(5);
    const cookie = await signedIn(b, u.email, u.password);
    now += HOUR - 2 * 60_000;
    expect(await sessionStatus(b, cookie)).toBe(200); // refreshes the record: idle TTL is 12 h
    now += 2 * 60_000;
    expect(await store.get(keyOf(cookie))).toBeUndefined();
    expect(await sessionStatus(b, cookie)).toBe(401);
    await store.close();
  });
});
