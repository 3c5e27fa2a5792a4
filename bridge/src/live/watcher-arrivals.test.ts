/**
 * No arrival waits for a later resync: mail that comes in while the sign-in's first window is
 * read on the connection the INBOX watcher then adopts reaches subscribers as `messages.new`,
 * against the real Dovecot (QRESYNC, as the bridge connects).
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { TServerFrameOf } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MailSession } from "./mail-session";
import {
  Connector,
  captureLog,
  deliver,
  FrameLog,
  imapClient,
  message,
  uidsOf,
} from "./test-harness";

let server: MailServer;
const cleanups: (() => Promise<unknown>)[] = [];
let userCount = 0;

beforeAll(async () => {
  server = await startMailServer({
    postfix: false,
    users: Array.from({ length: 2 }, (_, i) => ({ email: `arrivals${i}@example.test` })),
  });
});

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((fn) => fn().catch(() => undefined)));
});

afterAll(async () => {
  await server?.stop();
});

/** A session of a fresh user with three messages in INBOX, not started yet. */
async function setup() {
  const user = server.users[userCount++];
  if (!user) throw new Error("add more fixture users");
  for (let i = 1; i <= 3; i++) {
    await deliver(server, user.email, message({ subject: `Earlier ${i}`, to: user.email }));
  }
  const connector = new Connector(server, user, { qresync: true });
  const { log } = captureLog();
  const session = new MailSession({ connect: connector.connect, log });
  const frames = new FrameLog();
  session.subscribe(frames.push);
  cleanups.push(() => session.close());
  const phone = await imapClient(server, user);
  cleanups.push(() => phone.logout());
  return { user, connector, session, frames, phone };
}

const arrived =
  (subject: string) =>
  (f: TServerFrameOf<"messages.new">): boolean =>
    f.mailbox === "INBOX" && f.rows.some((r) => r.subject === subject);

describe("an arrival before the INBOX watcher starts", () => {
  it("that came while the sign-in's first window was read, and was read on another device, is pushed", async () => {
    const { user, connector, session, frames, phone } = await setup();
    const first = await connector.connect();
    const started = session.start(first);
    // What the sign-in queues on the connection that is to watch INBOX (its first window): the
    // window is read, then a message arrives and another device reads it, both announced to
    // this connection before it starts watching.
    session.prefetch("head", async (client: ImapFlow) => {
      await client.mailboxOpen("INBOX", { readOnly: true });
      const window = await client.search({ all: true }, { uid: true });
      await deliver(server, user.email, message({ subject: "During the window", to: user.email }));
      await client.noop();
      await phone.mailboxOpen("INBOX");
      const [uid] = (await uidsOf(phone, "INBOX")).slice(-1);
      await phone.messageFlagsAdd(String(uid), ["\\Seen"], { uid: true });
      await client.noop();
      return window;
    });
    await started;
    expect(session.state).toBe("online");

    const ev = await frames.next("messages.new", arrived("During the window"), { timeoutMs: 5000 });
    expect(ev.rows.map((r) => r.uid)).toEqual([4]);
    expect(ev.rows[0]?.flags).toContain("\\Seen");
    expect(frames.of("mailbox.reset")).toEqual([]);
  });
});
