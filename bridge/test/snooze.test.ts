/**
 * Snooze through the real bridge and Dovecot, with the jobs' test-only clock (jobs/test-clock.ts)
 * so that a wake time is reached without sleeping: the message leaves the Inbox for the Snoozed
 * folder, and when the clock reaches its wake time it is back at the top of the Inbox, unread,
 * pushed live to the open socket. Two bridges on one store wake each snoozed message once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMailServer } from "@ferry/mail-server";
import { SNOOZED_FOLDER, type TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClock } from "../src/jobs/test-clock";
import {
  imapClient,
  inboxWindow,
  type MailServer,
  openSocket,
  plainMessage,
  signedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
  withTimeout,
} from "./harness";

let mail: MailServer;
const bridges: TestBridge[] = [];
const sockets: TestSocket[] = [];
const clients: ImapFlow[] = [];
let dataDir: string;
let seq = 0;
const nextId = () => `snz${++seq}`;
const HOUR = 60 * 60 * 1000;

beforeAll(async () => {
  mail = await startMailServer({ postfix: false });
  dataDir = mkdtempSync(join(tmpdir(), "ferry-snooze-"));
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(bridges.map((b) => b.close()));
  for (const c of clients) await c.logout().catch(() => undefined);
  await mail?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function bridgeWith(clock: TestClock, dir = dataDir): Promise<TestBridge> {
  const b = await startBridge(mail, {
    env: { FERRY_DATA_DIR: dir },
    bridge: { clock: clock.now, jobPollMs: 200 },
  });
  bridges.push(b);
  return b;
}

async function look(email: string): Promise<ImapFlow> {
  const c = await imapClient(mail, mail.user(email));
  clients.push(c);
  return c;
}

/** UIDs in `path` whose subject is `subject`, and whether each is \Seen. */
async function find(c: ImapFlow, path: string, subject: string) {
  const lock = await c.getMailboxLock(path);
  try {
    await c.noop(); // EXPUNGEs are not sent during a FETCH: take them first
    const out: { uid: number; seen: boolean }[] = [];
    for await (const m of c.fetch("1:*", { uid: true, flags: true, envelope: true })) {
      if (m.envelope?.subject === subject)
        out.push({ uid: m.uid, seen: m.flags?.has("\\Seen") ?? false });
    }
    return out;
  } catch {
    return [];
  } finally {
    lock.release();
  }
}

async function seed(c: ImapFlow, email: string, subject: string): Promise<void> {
  await c.append("INBOX", plainMessage(email, subject), ["\\Seen"]);
}

describe("snooze", () => {
  it("moves the message to Snoozed, and at the wake time it is back at the top of the Inbox, unread, live", async () => {
    const email = mail.users[0]?.email as string;
    const c = await look(email);
    const subject = `Snooze me ${Date.now()}`;
    await seed(c, email, subject);
    await seed(c, email, `${subject} (later arrival)`);
    const clock = new TestClock();
    const b = await bridgeWith(clock);
    const s = await openSocket(b, await signedIn(b, email, mail.user(email).password));
    sockets.push(s);
    const w = await inboxWindow(s, nextId);
    const row = w.rows.find((r) => r.subject === subject);
    expect(row).toBeDefined();

    const wakeAt = clock.now() + 2 * HOUR;
    const reply = await s.request({
      type: "snooze.set",
      id: nextId(),
      set: { mailbox: "INBOX", uidValidity: w.uidValidity, uids: [row?.uid as number] },
      wakeAt,
    });
    expect(reply).toMatchObject({
      type: "snoozes",
      snoozes: [{ subject, wakeAt, mailbox: SNOOZED_FOLDER, problem: null }],
    });
    expect(await find(c, "INBOX", subject)).toEqual([]);
    expect(await find(c, SNOOZED_FOLDER, subject)).toHaveLength(1);
    const listed = await s.request({ type: "snooze.list", id: nextId() });
    expect(listed).toMatchObject({ snoozes: [{ subject, wakeAt }] });

    // Not yet: an hour early nothing moves.
    clock.advance(HOUR);
    b.bridge.jobs.poke();
    await s.request({ type: "ping", id: nextId() });
    expect(await find(c, SNOOZED_FOLDER, subject)).toHaveLength(1);

    clock.advanceTo(wakeAt + 1);
    b.bridge.jobs.poke();
    const arrived = await s.waitFor<Extract<TServerFrame, { type: "messages.new" }>>(
      (f) => f.type === "messages.new" && f.rows.some((r) => r.subject === subject),
      "the woken message pushed to the Inbox",
      10_000,
    );
    const back = arrived.rows.find((r) => r.subject === subject);
    expect(back?.flags).not.toContain("\\Seen");
    await s.waitFor((f) => f.type === "snoozes.changed" && f.snoozes.length === 0, "empty Snoozed");

    const top = await inboxWindow(s, nextId);
    expect(top.rows[0]?.subject).toBe(subject);
    expect(top.rows[0]?.flags).not.toContain("\\Seen");
    expect(await find(c, SNOOZED_FOLDER, subject)).toEqual([]);
    expect(await find(c, "INBOX", subject)).toEqual([{ uid: expect.any(Number), seen: false }]);
  });

  it("refuses a wake time in the past, or another account's snooze, with a typed error", async () => {
    const bob = mail.users[1]?.email as string;
    const clock = new TestClock();
    const b = bridges[0] ?? (await bridgeWith(clock));
    const s = await openSocket(b, await signedIn(b, bob, mail.user(bob).password));
    sockets.push(s);
    const c = await look(bob);
    await seed(c, bob, "Bob's own");
    const w = await inboxWindow(s, nextId);
    const uid = w.rows[0]?.uid as number;
    const past = await s.request({
      type: "snooze.set",
      id: nextId(),
      set: { mailbox: "INBOX", uidValidity: w.uidValidity, uids: [uid] },
      wakeAt: Date.now() - 1000,
    });
    expect(past).toMatchObject({ type: "error", code: "bad_request" });
    // an id that is not one of this account's snoozes wakes nothing
    const woken = await s.request({ type: "snooze.wake", id: nextId(), ids: ["not-bobs"] });
    expect(woken).toMatchObject({ type: "snoozes", snoozes: [] });
  });

  it("wakes each snoozed message exactly once with two bridges on one store", async () => {
    const email = mail.users[1]?.email as string;
    const c = await look(email);
    const subjects = [1, 2, 3].map((n) => `Twice-checked ${n} ${Date.now()}`);
    for (const subject of subjects) await seed(c, email, subject);
    // A store of their own: the bridges of the other tests run other clocks.
    const clock = new TestClock();
    const shared = mkdtempSync(join(dataDir, "shared-"));
    const one = await bridgeWith(clock, shared);
    const two = await bridgeWith(clock, shared);
    const s = await openSocket(one, await signedIn(one, email, mail.user(email).password));
    sockets.push(s);
    const w = await inboxWindow(s, nextId);
    const uids = w.rows.filter((r) => subjects.includes(r.subject)).map((r) => r.uid);
    expect(uids).toHaveLength(3);
    const wakeAt = clock.now() + HOUR;
    await s.request({
      type: "snooze.set",
      id: nextId(),
      set: { mailbox: "INBOX", uidValidity: w.uidValidity, uids },
      wakeAt,
    });
    const logged = (b: TestBridge) =>
      b.logs.text.split("\n").filter((l) => l.includes("snoozed message back in the Inbox")).length;
    const before = logged(one) + logged(two);

    clock.advanceTo(wakeAt + 1);
    one.bridge.jobs.poke();
    two.bridge.jobs.poke();
    await withTimeout(
      (async () => {
        while (
          (await find(c, SNOOZED_FOLDER, subjects[0] as string)).length > 0 ||
          (await find(c, SNOOZED_FOLDER, subjects[1] as string)).length > 0 ||
          (await find(c, SNOOZED_FOLDER, subjects[2] as string)).length > 0
        ) {
          await s.waitFor((f) => f.type === "messages.new", "a woken message", 10_000);
        }
      })(),
      15_000,
      "every snoozed message back",
    );
    await s.waitFor((f) => f.type === "snoozes.changed" && f.snoozes.length === 0, "none left");
    for (const subject of subjects) {
      expect(await find(c, "INBOX", subject)).toEqual([{ uid: expect.any(Number), seen: false }]);
    }
    expect(logged(one) + logged(two) - before).toBe(3);
  });
});
