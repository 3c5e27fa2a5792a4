/**
 * A watched mailbox stays watched when something other than the watcher's own work ends its
 * IDLE or moves its connection, against the real Dovecot (with and without QRESYNC): a NOOP on
 * the connection (what imapflow sends by itself after a quiet spell), a SELECT of another
 * folder, and the mailbox closed under it. Each time, mail that arrives afterwards and a
 * deletion made by another client are pushed within seconds, not after imapflow's own
 * auto-IDLE (15 s) or never.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import { ImapFlow } from "imapflow";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MailSession } from "./mail-session";
import { captureLog, deliver, FrameLog, imapClient, message, uidsOf } from "./test-harness";

/** Well under imapflow's auto-IDLE delay (15 s), which would otherwise hide a watcher not idling. */
const PUSHED_WITHIN_MS = 6_000;

const TAB = { tab: "one" };

let server: MailServer;
const cleanups: (() => Promise<unknown>)[] = [];
let userCount = 0;

beforeAll(async () => {
  server = await startMailServer({
    postfix: false,
    users: Array.from({ length: 8 }, (_, i) => ({ email: `idle${i}@example.test` })),
  });
});

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((fn) => fn().catch(() => undefined)));
});

afterAll(async () => {
  await server?.stop();
});

/**
 * A started session of a fresh user (one message in INBOX) with INBOX open, whose connections
 * report when they start IDLE (imapflow's `emitLogs`), and the INBOX watcher's connection once
 * it IDLEs.
 */
async function watching(qresync: boolean) {
  const user = server.users[userCount++];
  if (!user) throw new Error("add more fixture users");
  // The deliveries below are not the account's first: Dovecot 2.3.19's IDLE may not announce a
  // new user's first message when it lands during the commands just before an IDLE
  // (scripts/idle-after-status.ts), which is where each test here delivers.
  await deliver(server, user.email, message({ subject: "Already there", to: user.email }));
  const idling = new WeakMap<ImapFlow, () => void>();
  const connect = async (): Promise<ImapFlow> => {
    const client = new ImapFlow({
      host: server.host,
      port: server.imap.tlsPort,
      secure: true,
      auth: { user: user.email, pass: user.password },
      tls: { ca: server.ca },
      logger: false,
      emitLogs: true,
      qresync,
    });
    client.on("error", () => {});
    client.on("log", (entry: { msg?: unknown }) => {
      if (typeof entry.msg === "string" && entry.msg.startsWith("Initiated IDLE")) {
        idling.get(client)?.();
      }
    });
    await client.connect();
    return client;
  };
  const { log } = captureLog();
  const session = new MailSession({ connect, log });
  const frames = new FrameLog();
  session.subscribe(frames.push);
  cleanups.push(() => session.close());
  await session.start(await connect());
  await session.openMailbox("INBOX", false, TAB);
  const inbox = session.accountWatch?.pool.inbox;
  const client = inbox?.client;
  if (!inbox || !client) throw new Error("INBOX is not watched");
  /** Resolves when `client` next starts IDLE (at once when it is idling now). */
  const idles = (): Promise<void> =>
    client.idling ? Promise.resolve() : new Promise<void>((resolve) => idling.set(client, resolve));
  await idles();
  const phone = await imapClient(server, user);
  cleanups.push(() => phone.logout());
  return { user, session, frames, client, idles, phone };
}

/** Delivers a message, then deletes it from `phone`; both must be pushed in time. */
async function arrivalAndDeletionPushed(
  w: Awaited<ReturnType<typeof watching>>,
  subject: string,
): Promise<void> {
  const { user, frames, phone } = w;
  const from = frames.mark();
  await deliver(server, user.email, message({ subject, to: user.email }));
  const arrived = await frames.next(
    "messages.new",
    (f) => f.mailbox === "INBOX" && f.rows.some((r) => r.subject === subject),
    { from, timeoutMs: PUSHED_WITHIN_MS },
  );
  const uid = arrived.rows[0]?.uid;
  expect(uid).toBeGreaterThan(0);
  await phone.mailboxOpen("INBOX");
  expect(await uidsOf(phone, "INBOX")).toContain(uid);
  const gone = frames.mark();
  await phone.messageDelete(String(uid), { uid: true });
  await frames.next(
    "messages.expunged",
    (f) => f.mailbox === "INBOX" && f.uids.includes(uid as number),
    { from: gone, timeoutMs: PUSHED_WITHIN_MS },
  );
  expect(frames.of("mailbox.reset", from)).toEqual([]);
}

describe.each([
  { mode: "QRESYNC", qresync: true },
  { mode: "no QRESYNC", qresync: false },
])("INBOX stays watched ($mode)", ({ qresync }) => {
  it("after a NOOP on its connection ended the IDLE", async () => {
    const w = await watching(qresync);
    await w.client.noop();
    await arrivalAndDeletionPushed(w, "After a NOOP");
  });

  it("after another folder was selected on its connection", async () => {
    const w = await watching(qresync);
    await w.client.mailboxOpen("Archive", { readOnly: true });
    await arrivalAndDeletionPushed(w, "After a SELECT elsewhere");
  });

  it("after its mailbox was closed on its connection", async () => {
    const w = await watching(qresync);
    await w.client.mailboxClose();
    await arrivalAndDeletionPushed(w, "After a CLOSE");
  });
});
