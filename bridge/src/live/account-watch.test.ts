/**
 * Sessions of one account sharing their watch connections (account-watch.ts), as MailSessions
 * against the real Dovecot fixture: what one session does to the shared watch (opening folders
 * past the cap, losing its password, closing) leaves the others' pushes as they were.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { ImapFlow } from "imapflow";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AccountWatches } from "./account-watch";
import { MailSession, type MailSessionOptions } from "./mail-session";
import { Connector, captureLog, deliver, FrameLog, imapClient, message } from "./test-harness";

let server: MailServer;
const cleanups: (() => Promise<unknown>)[] = [];
let userCount = 0;

beforeAll(async () => {
  server = await startMailServer({
    postfix: false,
    users: Array.from({ length: 6 }, (_, i) => ({ email: `share${i}@example.test` })),
  });
});

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((fn) => fn().catch(() => undefined)));
});

afterAll(async () => {
  await server?.stop();
});

const FAST: Partial<MailSessionOptions> = { backoff: { initialMs: 20, maxMs: 200 } };

/** Two sessions of one fresh user, sharing (the same account key and table). */
async function twoSessions(opts: Partial<MailSessionOptions> = {}) {
  const user = server.users[userCount++];
  if (!user) throw new Error("add more fixture users");
  const accounts = new AccountWatches();
  const make = async () => {
    const connector = new Connector(server, user, { qresync: true });
    const session = new MailSession({
      connect: connector.connect,
      log: captureLog().log,
      account: `test:${user.email}`,
      accounts,
      ...FAST,
      ...opts,
    });
    const frames = new FrameLog();
    session.subscribe(frames.push);
    cleanups.push(() => session.close());
    await session.start(await connector.connect());
    expect(session.state).toBe("online");
    return { connector, session, frames };
  };
  const a = await make();
  const b = await make();
  return { user, accounts, a, b };
}

async function device(user: { email: string; password: string }): Promise<ImapFlow> {
  const client = await imapClient(server, user);
  cleanups.push(() => client.logout());
  return client;
}

describe("sessions sharing an account's watch", () => {
  it("drops the capped session's own folders first, not a folder another session has open", async () => {
    const { user, a, b } = await twoSessions({ maxWatchedFolders: 3 });
    const other = await device(user);
    for (const path of ["One", "Two", "Three"]) await other.mailboxCreate(path);
    const bTab = { tab: "b" };
    await b.session.openMailbox("One", false, bTab);
    // Session a opens two more folders in two tabs: one folder too many for the cap of 3.
    await a.session.openMailbox("Two", false, { tab: "a1" });
    await a.session.openMailbox("Three", false, { tab: "a2" });
    // The union of both sessions' folders, minus a's own least recently opened one.
    expect(a.session.watchedMailboxes).toEqual(["INBOX", "One", "Three"]);
    expect(b.session.watchedMailboxes).toEqual(["INBOX", "One", "Three"]);
    expect(b.session.openedBy(bTab)).toEqual({ mailbox: "One", readOnly: false });
    // ...and what b has open is still pushed to it.
    const from = b.frames.mark();
    await other.append("One", message({ subject: "Into One", to: user.email }));
    await b.frames.next("messages.new", (f) => f.mailbox === "One", { from });
  });

  it("keeps the other session live when one session's password is refused", async () => {
    const { user, accounts, a, b } = await twoSessions();
    expect(accounts.get(`test:${user.email}`)?.size).toBe(2);
    a.connector.redirect(() => imapClient(server, { email: user.email, password: "changed" }));
    const fromA = a.frames.mark();
    const fromB = b.frames.mark();
    await server.killConnections(user.email);
    await a.frames.next("error", (f) => f.code === "auth_failed", { from: fromA });
    await b.frames.next("state", (f) => f.imap === "online", { from: fromB });
    expect(b.session.state).toBe("online");
    expect(accounts.get(`test:${user.email}`)?.size).toBe(1);
    // Mail now reaches b, and nothing reaches a any more.
    await deliver(server, user.email, message({ subject: "After a left", to: user.email }));
    await b.frames.next("messages.new", (f) => f.rows.some((r) => r.subject === "After a left"), {
      from: fromB,
    });
    expect(a.frames.of("messages.new", fromA)).toEqual([]);
  });

  it("closes the shared connections with the last session, not before", async () => {
    const { user, accounts, a, b } = await twoSessions();
    const watch = accounts.get(`test:${user.email}`);
    const inbox = watch?.pool.inbox.client;
    expect(inbox?.usable).toBe(true);
    // b signed in while INBOX was watched already: its sign-in connection is its command one.
    expect(b.connector.clients.length).toBe(1);
    await a.session.close();
    expect(inbox?.usable).toBe(true);
    const from = b.frames.mark();
    await deliver(server, user.email, message({ subject: "Only b", to: user.email }));
    await b.frames.next("messages.new", (f) => f.rows.some((r) => r.subject === "Only b"), {
      from,
    });
    await b.session.close();
    expect(inbox?.usable).toBe(false);
    expect(accounts.get(`test:${user.email}`)).toBeUndefined();
  });
});
