/**
 * More than one bridge: two bridge processes (src/main.ts as children, configured by
 * environment only) on one real Redis, behind a real nginx on loopback with the configuration
 * README's "Running more than one bridge" shows (sticky by the session cookie, WebSocket upgrades,
 * proxy_next_upstream). The bridge holding a signed-in user is killed with SIGKILL — no shutdown
 * code runs, as when a machine dies — and the test checks what the user would notice: the socket
 * reconnects through nginx to the other bridge within a few seconds with the same cookie (no
 * sign-in), lists a window and receives live mail; mail held for undo, mail scheduled to send
 * later and a snooze, all due during the outage, each happen exactly once; and an attachment
 * uploaded to the dead bridge still goes out from the other one.
 *
 * The bridges run on the real clock (they are other processes), so the due times are a few
 * seconds ahead; the test waits on the results (mail in the recipient's INBOX over IMAP, frames
 * on the socket), never on a timer.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import {
  freePorts,
  type ProxyServer,
  type RedisServer,
  startFerryProxy,
  startMailServer,
  startRedisServer,
} from "@ferry/mail-server";
import { SNOOZED_FOLDER, type TServerFrameOf, type TUploadInfo, uploadUrl } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { SESSION_COOKIE } from "../src/http/cookies";
import { type BridgeProcess, startBridgeProcess } from "./bridge-process";
import {
  draftTo,
  imapClient,
  inboxWindow,
  type MailServer,
  makeWebDir,
  plainMessage,
  SESSION_SECRET,
  smtpEnv,
  sourcesBySubject,
  TestSocket,
  withTimeout,
} from "./harness";

let mail: MailServer;
let redis: RedisServer;
let proxy: ProxyServer;
const bridges: BridgeProcess[] = [];
const clients: ImapFlow[] = [];
const webDirs: string[] = [];
let seq = 0;
const nextId = () => `fo${++seq}`;

beforeAll(async () => {
  [mail, redis] = await Promise.all([startMailServer(), startRedisServer()]);
  const webDir = makeWebDir();
  webDirs.push(webDir);
  // the browser's origin is the proxy's: its port is reserved first, for the bridges to allow
  const [proxyPort = 0] = await freePorts(1);
  const origin = `http://127.0.0.1:${proxyPort}`;
  const env: Record<string, string> = {
    FERRY_REDIS_URL: redis.url,
    FERRY_SESSION_SECRET: SESSION_SECRET,
    FERRY_ALLOWED_ORIGINS: origin,
    FERRY_TRUST_PROXY: "true",
    FERRY_WEB_DIR: webDir,
    FERRY_IMAP_HOST: mail.host,
    FERRY_IMAP_PORT: String(mail.imap.tlsPort),
    FERRY_IMAP_SECURITY: "tls",
    ...smtpEnv(mail),
    FERRY_CA_FILE: mail.caFile,
    FERRY_SIEVE_PORT: "0",
  };
  bridges.push(...(await Promise.all([startBridgeProcess(env), startBridgeProcess(env)])));
  proxy = await startFerryProxy({
    upstreams: bridges.map((b) => b.address),
    cookie: SESSION_COOKIE,
    showUpstream: true,
    port: proxyPort,
  });
  expect(proxy.url).toBe(origin);
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.logout().catch(() => c.close())));
  await Promise.all(bridges.map((b) => b.kill().catch(() => undefined)));
  await Promise.all([proxy?.stop(), mail?.stop(), redis?.stop()]);
  for (const dir of webDirs) rmSync(dir, { recursive: true, force: true });
});

async function imapOf(user: { email: string; password: string }): Promise<ImapFlow> {
  const client = await imapClient(mail, user);
  clients.push(client);
  return client;
}

/** Which bridge answered, from the proxy's X-Ferry-Upstream. */
function bridgeAt(upstream: string | null | undefined): BridgeProcess {
  const last = upstream?.split(",").at(-1)?.trim();
  const found = bridges.find((b) => b.address === last);
  if (!found) throw new Error(`no bridge at ${upstream}`);
  return found;
}

/** Opens the socket through the proxy with the cookie; resolves with it and who answered. */
async function openThroughProxy(cookie: string): Promise<{ s: TestSocket; bridge: BridgeProcess }> {
  const ws = new WebSocket(`${proxy.url.replace(/^http/, "ws")}/ws`, {
    headers: { cookie, origin: proxy.url },
  });
  const s = new TestSocket(ws);
  const upstream = await withTimeout(
    new Promise<string | undefined>((resolve, reject) => {
      ws.once("upgrade", (res) => resolve(res.headers["x-ferry-upstream"] as string | undefined));
      ws.once("unexpected-response", (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
      ws.once("error", reject);
    }),
    5000,
    "the socket through the proxy",
  );
  await s.waitFor((f) => f.type === "hello", "hello");
  return { s, bridge: bridgeAt(upstream) };
}

describe("two bridges on Redis behind nginx", () => {
  it("a bridge dies: its user resumes on the other without signing in; held, scheduled and snoozed mail each happen once", async () => {
    const alice = mail.user("alice@example.test");
    const bob = mail.user("bob@example.test");
    const tag = randomBytes(4).toString("hex");

    const signIn = await fetch(`${proxy.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: proxy.url },
      body: JSON.stringify({ email: alice.email, password: alice.password }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get("set-cookie")?.split(";")[0] ?? "";
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=.`));

    // sticky: every request and the socket of this cookie go to one bridge
    const first = await openThroughProxy(cookie);
    const holder = first.bridge;
    const other = bridges.find((b) => b !== holder) as BridgeProcess;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${proxy.url}/api/session`, { headers: { cookie } });
      expect(res.status).toBe(200);
      expect(bridgeAt(res.headers.get("x-ferry-upstream"))).toBe(holder);
    }

    const look = await imapOf(alice);
    const snoozeSubject = `snoozed over a failover ${tag}`;
    await look.append("INBOX", plainMessage(alice.email, snoozeSubject), ["\\Seen"]);
    const w = await inboxWindow(first.s, nextId);
    const row = w.rows.find((r) => r.subject === snoozeSubject);
    if (!row) throw new Error("the message to snooze is not listed");

    const upload = await fetch(`${proxy.url}${uploadUrl("plan.txt")}`, {
      method: "POST",
      headers: { cookie, origin: proxy.url, "content-type": "text/plain" },
      body: "uploaded to the bridge that died",
    });
    expect(upload.status).toBe(201);
    expect(bridgeAt(upload.headers.get("x-ferry-upstream"))).toBe(holder);
    const file = (await upload.json()) as TUploadInfo;

    const subjects = {
      held: `held for undo ${tag}`,
      scheduled: `scheduled for later ${tag}`,
      afterwards: `sent after the failover ${tag}`,
    };
    const draft = (subject: string, attachments: TUploadInfo[] = []) =>
      draftTo(alice.email, bob.email, subject, { text: subject, attachments });
    // all three fall due a few seconds from now: after the kill below
    const dueAt = Date.now() + 6000;
    const held = await first.s.request({
      type: "compose.send",
      id: nextId(),
      draft: draft(subjects.held),
      delaySeconds: 6,
    });
    const scheduled = await first.s.request({
      type: "compose.send",
      id: nextId(),
      draft: draft(subjects.scheduled, [file]),
      sendAt: new Date(dueAt).toISOString(),
    });
    const snoozed = await first.s.request({
      type: "snooze.set",
      id: nextId(),
      set: { mailbox: "INBOX", uidValidity: w.uidValidity, uids: [row.uid] },
      wakeAt: dueAt,
    });
    expect(held.type).toBe("compose.queued");
    expect(scheduled.type).toBe("compose.queued");
    expect(snoozed).toMatchObject({ type: "snoozes", snoozes: [{ subject: snoozeSubject }] });

    const killedAt = Date.now();
    await holder.kill();
    // the outage must begin before anything is due, or this test would prove nothing
    expect(Date.now()).toBeLessThan(dueAt - 1000);
    expect((await withTimeout(first.s.closed, 5000, "the socket to drop")).code).toBe(1006);

    // the tab reconnects through nginx with its cookie and lands on the other bridge
    const second = await openThroughProxy(cookie);
    const resumedMs = Date.now() - killedAt;
    expect(second.bridge).toBe(other);
    expect(resumedMs).toBeLessThan(5000);
    const after = await inboxWindow(second.s, nextId);
    expect(after.mailbox).toBe("INBOX");

    // live mail reaches the resumed socket
    const liveSubject = `live after the failover ${tag}`;
    await mail.deliver(plainMessage(alice.email, liveSubject), {
      from: "carol@example.test",
      to: [alice.email],
    });
    await second.s.waitFor(
      (f) => f.type === "messages.new" && f.rows.some((r) => r.subject === liveSubject),
      "new mail pushed on the resumed socket",
      15_000,
    );

    // the upload made on the dead bridge still goes out from this one
    const afterwards = await second.s.request({
      type: "compose.send",
      id: nextId(),
      draft: draft(subjects.afterwards, [file]),
      delaySeconds: 0,
    });
    expect(afterwards.type).toBe("compose.queued");

    const inbox = await imapOf(bob);
    const arrived = await vi.waitFor(
      async () => {
        const found = await Promise.all(
          Object.values(subjects).map((s) => sourcesBySubject(inbox, "INBOX", s)),
        );
        if (found.some((f) => f.length === 0)) throw new Error("not all delivered yet");
        return found;
      },
      { timeout: 60_000, interval: 200 },
    );
    const [, scheduledCopy, afterwardsCopy] = arrived;
    for (const raw of [scheduledCopy?.[0], afterwardsCopy?.[0]]) {
      const parsed = await simpleParser(raw ?? Buffer.alloc(0));
      expect(parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
        ["plan.txt", "uploaded to the bridge that died"],
      ]);
    }

    // the snooze woke on the surviving bridge: back in the Inbox, unread, gone from Snoozed
    await vi.waitFor(
      async () => {
        expect(await sourcesBySubject(look, "INBOX", snoozeSubject)).toHaveLength(1);
        expect(await sourcesBySubject(look, SNOOZED_FOLDER, snoozeSubject)).toHaveLength(0);
      },
      { timeout: 30_000, interval: 200 },
    );
    const listed = await second.s.request({ type: "snooze.list", id: nextId() });
    expect(listed).toMatchObject({ type: "snoozes", snoozes: [] });

    // exactly once: a marker sent after everything arrives, and each message is there once
    const marker = `marker ${tag}`;
    await second.s.request({
      type: "compose.send",
      id: nextId(),
      draft: draft(marker),
      delaySeconds: 0,
    });
    await vi.waitFor(
      async () => expect(await sourcesBySubject(inbox, "INBOX", marker)).toHaveLength(1),
      {
        timeout: 30_000,
        interval: 200,
      },
    );
    for (const subject of Object.values(subjects)) {
      expect(await sourcesBySubject(inbox, "INBOX", subject)).toHaveLength(1);
      expect(await sourcesBySubject(look, "Sent", subject)).toHaveLength(1);
    }
    expect(await sourcesBySubject(look, "INBOX", snoozeSubject)).toHaveLength(1);
    expect(await second.s.request({ type: "scheduled.list", id: nextId() })).toMatchObject({
      messages: [],
    });
    const sent = second.s.ofType("compose.sent") as TServerFrameOf<"compose.sent">[];
    expect(sent.filter((f) => f.sendId === (afterwards as { sendId: string }).sendId)).toHaveLength(
      1,
    );
    second.s.close();
  }, 180_000);
});
