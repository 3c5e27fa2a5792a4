/**
 * The durable outbox against the real fixture (Dovecot, Postfix) on a SQLite file and on a real
 * Redis: mail held for undo survives a bridge restart and is sent exactly once (counted in the
 * recipient's INBOX over IMAP after delivery through Postfix, and in the sender's Sent), the
 * tab's socket resumes without a sign-in and hears the outcome; undo still works after the
 * restart; and two bridges on one store send each held message once. A TestClock (the jobs'
 * test-only clock) reaches the send times without sleeping.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RedisServer, startMailServer, startRedisServer } from "@ferry/mail-server";
import type { TServerFrameOf, TUploadInfo } from "@ferry/protocol";
import { uploadUrl } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TestClock } from "../src/jobs/test-clock";
import { sessionKey } from "../src/session/crypto";
import {
  draftTo,
  imapClient,
  type MailServer,
  openSocket,
  signedIn,
  smtpEnv,
  sourcesBySubject,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";

let mail: MailServer;
let redis: RedisServer;
const dirs: string[] = [];
const clients: ImapFlow[] = [];

beforeAll(async () => {
  [mail, redis] = await Promise.all([startMailServer(), startRedisServer()]);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.logout().catch(() => c.close())));
  await Promise.all([mail?.stop(), redis?.stop()]);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function imapOf(user: { email: string; password: string }): Promise<ImapFlow> {
  const client = await imapClient(mail, user);
  clients.push(client);
  return client;
}

async function uploadFile(b: TestBridge, cookie: string, name: string, body: string) {
  const res = await fetch(`${b.url}${uploadUrl(name)}`, {
    method: "POST",
    headers: { cookie, origin: b.origin, "content-type": "text/plain" },
    body,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as TUploadInfo;
}

let seq = 0;
const nextId = () => `r${++seq}`;

describe.each([
  [
    "SQLite",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "ferry-outbox-it-"));
      dirs.push(dir);
      return { FERRY_DATA_DIR: dir };
    },
  ],
  [
    "Redis",
    () => ({
      FERRY_REDIS_URL: `${redis.url}`,
    }),
  ],
])("the outbox on %s", (_name, storeEnv) => {
  it("sends a message held across a restart exactly once; the socket resumes and hears it", async () => {
    const env = { ...storeEnv(), ...smtpEnv(mail) };
    const clock = new TestClock();
    const opts = { env, bridge: { clock: clock.now, jobPollMs: 50 } };
    const alice = mail.user("alice@example.test");
    const bob = mail.user("bob@example.test");
    let b = await startBridge(mail, opts);
    let s: TestSocket | undefined;
    try {
      const cookie = await signedIn(b, alice.email, alice.password);
      s = await openSocket(b, cookie);
      const file = await uploadFile(b, cookie, "notes.txt", "held across a restart");
      const subject = `held over a restart ${randomBytes(4).toString("hex")}`;
      const queued = await s.request({
        type: "compose.send",
        id: nextId(),
        draft: draftTo(alice.email, bob.email, subject, { text: "Sent once", attachments: [file] }),
        delaySeconds: 30,
      });
      if (queued.type !== "compose.queued") throw new Error(JSON.stringify(queued));

      // the bridge restarts within the undo window (an upgrade): a new process on the same store
      await b.close();
      b = await startBridge(mail, opts);
      s = await openSocket(b, cookie); // the same cookie: no sign-in
      const listed = await s.request({ type: "mailbox.open", id: nextId(), path: "INBOX" });
      expect(listed.type).toBe("mailbox.opened");
      const held = await s.request({ type: "scheduled.list", id: nextId() });
      expect(held).toMatchObject({
        type: "scheduled",
        messages: [{ sendId: queued.sendId, kind: "undo", draft: { subject } }],
      });

      clock.advance(30_000);
      const sent = await s.waitFor<TServerFrameOf<"compose.sent">>(
        (f) => f.type === "compose.sent" && f.sendId === queued.sendId,
        "compose.sent after the restart",
        20_000,
      );
      expect(sent.warnings).toEqual([]);
      const inbox = await imapOf(bob);
      const arrived = await vi.waitFor(
        async () => {
          const found = await sourcesBySubject(inbox, "INBOX", subject);
          if (found.length === 0) throw new Error("not delivered yet");
          return found;
        },
        { timeout: 20_000, interval: 100 },
      );
      const parsed = await simpleParser(arrived[0] ?? Buffer.alloc(0));
      expect(parsed.messageId).toBe(sent.messageId);
      expect(parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
        ["notes.txt", "held across a restart"],
      ]);
      // the Sent copy, filed from the restarted bridge
      const sentBox = await imapOf(alice);
      expect(await sourcesBySubject(sentBox, "Sent", subject)).toHaveLength(1);
      // exactly once: a later message arrives, this one is still there once
      const marker = `marker ${randomBytes(4).toString("hex")}`;
      const markerQueued = await s.request({
        type: "compose.send",
        id: nextId(),
        draft: draftTo(alice.email, bob.email, marker, { text: "after" }),
        delaySeconds: 0,
      });
      if (markerQueued.type !== "compose.queued") throw new Error(JSON.stringify(markerQueued));
      // Listed until it is sent and filed in Sent (compose.sent), which can come after Bob has it.
      await s.waitFor(
        (f) => f.type === "compose.sent" && f.sendId === markerQueued.sendId,
        "compose.sent of the marker",
        20_000,
      );
      await vi.waitFor(
        async () => expect(await sourcesBySubject(inbox, "INBOX", marker)).toHaveLength(1),
        {
          timeout: 20_000,
          interval: 100,
        },
      );
      expect(await sourcesBySubject(inbox, "INBOX", subject)).toHaveLength(1);
      expect(await s.request({ type: "scheduled.list", id: nextId() })).toMatchObject({
        messages: [],
      });
    } finally {
      s?.close();
      await b.close();
    }
  }, 90_000);

  it("undo still works after a restart: the draft comes back with its attachment, nothing goes", async () => {
    const env = { ...storeEnv(), ...smtpEnv(mail) };
    const clock = new TestClock();
    const opts = { env, bridge: { clock: clock.now, jobPollMs: 50 } };
    const alice = mail.user("alice@example.test");
    const bob = mail.user("bob@example.test");
    let b = await startBridge(mail, opts);
    let s: TestSocket | undefined;
    try {
      const cookie = await signedIn(b, alice.email, alice.password);
      s = await openSocket(b, cookie);
      const file = await uploadFile(b, cookie, "keep.txt", "comes back");
      const subject = `undone after a restart ${randomBytes(4).toString("hex")}`;
      const queued = await s.request({
        type: "compose.send",
        id: nextId(),
        draft: draftTo(alice.email, bob.email, subject, { attachments: [file] }),
        delaySeconds: 30,
      });
      if (queued.type !== "compose.queued") throw new Error(JSON.stringify(queued));
      await b.close();
      b = await startBridge(mail, opts);
      s = await openSocket(b, cookie);
      const cancelled = await s.request({
        type: "compose.cancel",
        id: nextId(),
        sendId: queued.sendId,
      });
      if (cancelled.type !== "compose.cancelled") throw new Error(JSON.stringify(cancelled));
      expect(cancelled.draft.subject).toBe(subject);
      const [att] = cancelled.draft.attachments;
      if (!att || !("uploadId" in att)) throw new Error("attachment not given back");
      expect(att).toMatchObject({ filename: "keep.txt", size: "comes back".length });
      // the attachment is an upload of the restarted bridge: the composer can send it again
      expect(b.bridge.compose.uploads.get(sessionOf(cookie), att.uploadId)).toBeTruthy();

      clock.advance(60_000);
      const inbox = await imapOf(bob);
      const marker = `marker ${randomBytes(4).toString("hex")}`;
      await s.request({
        type: "compose.send",
        id: nextId(),
        draft: draftTo(alice.email, bob.email, marker),
        delaySeconds: 0,
      });
      await vi.waitFor(
        async () => expect(await sourcesBySubject(inbox, "INBOX", marker)).toHaveLength(1),
        {
          timeout: 20_000,
          interval: 100,
        },
      );
      expect(await sourcesBySubject(inbox, "INBOX", subject)).toHaveLength(0);
      expect(s.ofType("compose.sent").some((f) => f.sendId === queued.sendId)).toBe(false);
    } finally {
      s?.close();
      await b.close();
    }
  }, 90_000);

  it("two bridges on one store send each held message once", async () => {
    const env = { ...storeEnv(), ...smtpEnv(mail) };
    const clock = new TestClock();
    const opts = { env, bridge: { clock: clock.now, jobPollMs: 20 } };
    const alice = mail.user("alice@example.test");
    const bob = mail.user("bob@example.test");
    const one = await startBridge(mail, opts);
    const two = await startBridge(mail, opts);
    try {
      const cookie = await signedIn(one, alice.email, alice.password);
      const s = await openSocket(one, cookie);
      const tag = randomBytes(4).toString("hex");
      const subjects = Array.from({ length: 6 }, (_, i) => `pair ${tag} ${i}`);
      for (const subject of subjects) {
        const q = await s.request({
          type: "compose.send",
          id: nextId(),
          draft: draftTo(alice.email, bob.email, subject),
          delaySeconds: 5,
        });
        expect(q.type).toBe("compose.queued");
      }
      clock.advance(5000);
      const inbox = await imapOf(bob);
      await vi.waitFor(
        async () => {
          for (const subject of subjects) {
            expect(await sourcesBySubject(inbox, "INBOX", subject)).toHaveLength(1);
          }
        },
        { timeout: 30_000, interval: 200 },
      );
      // and nothing more: the queue empties once each job has filed its Sent copy (a job is
      // still finishing for a moment after SMTP accepted its message)
      await vi.waitFor(
        async () =>
          expect(await s.request({ type: "scheduled.list", id: nextId() })).toMatchObject({
            messages: [],
          }),
        { timeout: 30_000, interval: 200 },
      );
      for (const subject of subjects) {
        expect(await sourcesBySubject(inbox, "INBOX", subject)).toHaveLength(1);
      }
      s.close();
    } finally {
      await one.close();
      await two.close();
    }
  }, 90_000);
});

function sessionOf(cookie: string): string {
  return sessionKey(cookie.split("=")[1] ?? "");
}
