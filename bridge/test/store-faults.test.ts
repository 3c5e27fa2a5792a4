/**
 * Redis going down while a bridge runs, against the real fixture: the fixture's redis-server is
 * shut down (its data saved) during a signed-in session and started again on the same port. While
 * it is down the user sees a clear state — what needs the store answers `store_unavailable`
 * (socket frames, the session check, a sign-in), never "signed out" or a bare internal error, and
 * the open socket keeps reading mail — and nothing held is lost: once Redis is back the bridge
 * recovers by itself (session lookups, a new socket, the job runner) and the message held for
 * undo is sent exactly once. The jobs' TestClock reaches its send time without sleeping.
 */
import { randomBytes } from "node:crypto";
import { type RedisServer, startMailServer, startRedisServer } from "@ferry/mail-server";
import type { TServerFrameOf } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TestClock } from "../src/jobs/test-clock";
import {
  draftTo,
  imapClient,
  type MailServer,
  openSocket,
  signedIn,
  signIn,
  smtpEnv,
  startBridge,
  type TestSocket,
} from "./harness";

let mail: MailServer;
let redis: RedisServer;
const clients: ImapFlow[] = [];
let seq = 0;
const nextId = () => `sf${++seq}`;

beforeAll(async () => {
  [mail, redis] = await Promise.all([startMailServer(), startRedisServer()]);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.logout().catch(() => c.close())));
  await Promise.all([mail?.stop(), redis?.stop()]);
});

async function count(client: ImapFlow, subject: string): Promise<number> {
  const lock = await client.getMailboxLock("INBOX");
  try {
    await client.noop();
    const uids = await client.search({ subject }, { uid: true });
    return Array.isArray(uids) ? uids.length : 0;
  } finally {
    lock.release();
  }
}

function windowOf(s: TestSocket) {
  return s.request({ type: "list.window", id: nextId(), mailbox: "INBOX", offset: 0, limit: 20 });
}

describe("Redis down while the bridge runs", () => {
  it("answers store_unavailable meanwhile, keeps the held message, and recovers when Redis returns", async () => {
    const alice = mail.user("alice@example.test");
    const bob = mail.user("bob@example.test");
    const clock = new TestClock();
    const b = await startBridge(mail, {
      env: {
        FERRY_REDIS_URL: redis.url,
        ...smtpEnv(mail),
      },
      bridge: { clock: clock.now, jobPollMs: 50 },
    });
    const sockets: TestSocket[] = [];
    try {
      const cookie = await signedIn(b, alice.email, alice.password);
      const s = await openSocket(b, cookie);
      sockets.push(s);
      await s.request({ type: "mailbox.open", id: nextId(), path: "INBOX" });
      expect((await windowOf(s)).type).toBe("list.window");
      const subject = `held through a Redis outage ${randomBytes(4).toString("hex")}`;
      const queued = await s.request({
        type: "compose.send",
        id: nextId(),
        draft: draftTo(alice.email, bob.email, subject, { text: "once" }),
        delaySeconds: 10,
      });
      if (queued.type !== "compose.queued") throw new Error(JSON.stringify(queued));

      await redis.halt();

      // the open socket still reads mail (IMAP needs no store)
      expect((await windowOf(s)).type).toBe("list.window");
      // what needs the store says so, with its own code
      expect(await s.request({ type: "identities.list", id: nextId() })).toMatchObject({
        type: "error",
        code: "store_unavailable",
      });
      expect(await s.request({ type: "scheduled.list", id: nextId() })).toMatchObject({
        type: "error",
        code: "store_unavailable",
      });
      // the session check is not "signed out": the page keeps its session and tries again
      const check = await fetch(`${b.url}/api/session`, { headers: { cookie } });
      expect(check.status).toBe(503);
      expect(await check.json()).toMatchObject({ error: { code: "store_unavailable" } });
      const another = await signIn(b, { email: bob.email, password: bob.password });
      expect(another.status).toBe(503);
      expect(another.body).toMatchObject({ error: { code: "store_unavailable" } });
      // its send time passes while the store is down: nothing is sent, nothing is dropped
      clock.advance(15_000);
      b.bridge.jobs.poke();
      expect(s.ofType("compose.sent")).toEqual([]);

      await redis.resume();

      // the bridge reconnects by itself: session lookups, a new socket and the runner recover
      await vi.waitFor(
        async () => {
          const res = await fetch(`${b.url}/api/session`, { headers: { cookie } });
          expect(res.status).toBe(200);
        },
        { timeout: 20_000, interval: 100 },
      );
      const again = await openSocket(b, cookie);
      sockets.push(again);
      expect(await again.request({ type: "identities.list", id: nextId() })).toMatchObject({
        type: "identities",
      });
      b.bridge.jobs.poke();
      const sent = await s.waitFor<TServerFrameOf<"compose.sent">>(
        (f) => f.type === "compose.sent" && f.sendId === queued.sendId,
        "the held message sent after Redis returned",
        30_000,
      );
      expect(sent.sendId).toBe(queued.sendId);
      const inbox = await imapClient(mail, bob);
      clients.push(inbox);
      await vi.waitFor(async () => expect(await count(inbox, subject)).toBe(1), {
        timeout: 20_000,
        interval: 100,
      });
      const marker = `marker ${randomBytes(4).toString("hex")}`;
      await again.request({
        type: "compose.send",
        id: nextId(),
        draft: draftTo(alice.email, bob.email, marker),
        delaySeconds: 0,
      });
      await vi.waitFor(async () => expect(await count(inbox, marker)).toBe(1), {
        timeout: 20_000,
        interval: 100,
      });
      expect(await count(inbox, subject)).toBe(1);
      expect(s.ofType("compose.sent").filter((f) => f.sendId === queued.sendId)).toHaveLength(1);
    } finally {
      for (const s of sockets) s.close();
      await redis.resume();
      await b.close();
    }
  }, 120_000);
});
