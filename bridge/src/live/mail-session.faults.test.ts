/**
 * MailSession when things go wrong, against the real Dovecot fixture: connections killed
 * mid-session (resync of what changed meanwhile), a new UIDVALIDITY, a deleted open folder,
 * a changed password, a server that is gone, and close().
 */
import { once } from "node:events";
import { createServer } from "node:net";
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { ImapFlow } from "imapflow";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MailSession, type MailSessionOptions } from "./mail-session";
import {
  Connector,
  captureLog,
  deliver,
  FrameLog,
  imapClient,
  message,
  uidsOf,
} from "./test-harness";

/** The owner of the mailboxes opened here: one browser tab. */
const TAB = { tab: "one" };

let server: MailServer;
const cleanups: (() => Promise<unknown>)[] = [];
const logs: FrameLog[] = [];
let userCount = 0;

beforeAll(async () => {
  // Users are made up front: Dovecot notices a passwd-file change by its mtime (1 s
  // resolution), so a user added right after another may not log in for up to a second.
  server = await startMailServer({
    postfix: false,
    users: Array.from({ length: 20 }, (_, i) => ({ email: `fault${i}@example.test` })),
  });
});

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((fn) => fn().catch(() => undefined)));
  for (const frames of logs.splice(0)) expect(frames.invalid).toEqual([]);
});

afterAll(async () => {
  await server?.stop();
});

const FAST: Partial<MailSessionOptions> = { backoff: { initialMs: 20, maxMs: 200 } };

async function setup(
  qresync: boolean,
  opts: Partial<Omit<MailSessionOptions, "connect">> = {},
  user = server.users[userCount++],
) {
  if (!user) throw new Error("add more fixture users");
  const connector = new Connector(server, user, { qresync });
  const session = new MailSession({
    connect: connector.connect,
    log: captureLog().log,
    ...FAST,
    ...opts,
  });
  const frames = new FrameLog();
  session.subscribe(frames.push);
  logs.push(frames);
  cleanups.push(() => session.close());
  await session.start(await connector.connect());
  expect(session.state).toBe("online");
  return { user, connector, session, frames };
}

/**
 * The next fixture user, with one message in INBOX already: a test whose live delivery must not
 * be the account's first. Dovecot 2.3.19's IDLE may not announce a new user's first message when
 * it lands during the commands just before an IDLE (scripts/idle-after-status.ts), which is where
 * a delivery right after a reconnect lands.
 */
async function primedUser() {
  const user = server.users[userCount++];
  if (!user) throw new Error("add more fixture users");
  await deliver(server, user.email, message({ subject: "Already there", to: user.email }));
  return user;
}

async function device(user: { email: string; password: string }): Promise<ImapFlow> {
  const client = await imapClient(server, user);
  cleanups.push(() => client.logout());
  return client;
}

/** Kills the user's IMAP connections while the session cannot reconnect, and waits for that. */
async function disconnect(
  user: { email: string },
  connector: Connector,
  frames: FrameLog,
): Promise<void> {
  connector.hold();
  const from = frames.mark();
  const open = connector.clients.filter((c) => !c.closed);
  await server.killConnections(user.email);
  await frames.next("state", (f) => f.imap === "reconnecting", { from });
  // `doveadm kick` works from Dovecot's asynchronously updated list of connections, so under load
  // it can miss one; the test is about the resync, so kick again until every connection is gone.
  for (let attempt = 0; open.some((c) => !c.closed); attempt++) {
    if (attempt === 20) throw new Error("an IMAP connection survived doveadm kick");
    await Promise.race([
      Promise.all(open.filter((c) => !c.closed).map((c) => once(c.client, "close"))),
      new Promise((resolve) => setTimeout(resolve, 250)),
    ]);
    if (open.some((c) => !c.closed)) await server.killConnections(user.email);
  }
}

/** A port on loopback where nothing listens. */
async function deadPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe.each([
  { mode: "QRESYNC", qresync: true },
  { mode: "no QRESYNC", qresync: false },
])("connection killed mid-session ($mode)", ({ qresync }) => {
  it("reconnects and reports what changed while it was away, in both watched folders", async () => {
    const { user, connector, session, frames } = await setup(qresync);
    for (const n of [1, 2, 3]) {
      await deliver(server, user.email, message({ subject: `Before ${n}`, to: user.email }));
    }
    await frames.next("messages.new", (f) => f.mailbox === "INBOX" && f.total === 3);
    const before = await device(user);
    await before.append("Archive", message({ subject: "Archived 1", to: user.email }));
    const [u1, u2, u3] = await uidsOf(before, "INBOX");
    if (!u1 || !u2 || !u3) throw new Error("expected three messages");
    const archive = await session.openMailbox("Archive", false, TAB);

    const from = frames.mark();
    await disconnect(user, connector, frames);
    // A request made while disconnected waits for the reconnect.
    const pending = session.run(async (client) => {
      await client.noop();
      return "ran after the reconnect";
    });

    // Meanwhile, on another device:
    const other = await device(user);
    await deliver(server, user.email, message({ subject: "While away", to: user.email }));
    await other.mailboxOpen("INBOX");
    await other.messageFlagsAdd(String(u1), ["\\Flagged"], { uid: true });
    await other.messageDelete(String(u2), { uid: true });
    await other.append("Archive", message({ subject: "Archived while away", to: user.email }));

    connector.release();
    await frames.next("state", (f) => f.imap === "online", { from });
    const fresh = await frames.next(
      "messages.new",
      (f) => f.mailbox === "INBOX" && f.rows.some((r) => r.subject === "While away"),
      { from },
    );
    expect(fresh.total).toBe(3);
    expect(fresh.rows.map((r) => r.subject)).toEqual(["While away"]);
    await frames.next(
      "messages.flags",
      (f) =>
        f.mailbox === "INBOX" &&
        f.changes.some((c) => c.uid === u1 && c.flags.includes("\\Flagged")),
      { from },
    );
    await frames.next("messages.expunged", (f) => f.mailbox === "INBOX" && f.uids.includes(u2), {
      from,
    });
    const archived = await frames.next(
      "messages.new",
      (f) => f.mailbox === "Archive" && f.rows.some((r) => r.subject === "Archived while away"),
      { from },
    );
    expect(archived).toMatchObject({ uidValidity: archive.uidValidity, total: 2 });
    expect(frames.of("mailbox.reset", from)).toEqual([]);
    expect(frames.of("messages.expunged", from).flatMap((f) => f.uids)).toEqual([u2]);
    await expect(pending).resolves.toBe("ran after the reconnect");
    expect(session.openedBy(TAB)?.mailbox).toBe("Archive");

    // And live again afterwards.
    const after = frames.mark();
    await deliver(server, user.email, message({ subject: "After", to: user.email }));
    await frames.next("messages.new", (f) => f.rows.some((r) => r.subject === "After"), {
      from: after,
    });
    expect(frames.invalid).toEqual([]);
  });
});

describe("several owners' folders", () => {
  it("reconnects every folder watcher, and reports what changed in each while away", async () => {
    const { user, connector, session, frames } = await setup(true);
    const [tabA, tabB] = [{ tab: "A" }, { tab: "B" }];
    const archive = await session.openMailbox("Archive", false, tabA);
    const sent = await session.openMailbox("Sent", true, tabB);
    const from = frames.mark();
    await disconnect(user, connector, frames);
    const other = await device(user);
    await other.append("Archive", message({ subject: "Archived while away", to: user.email }));
    await other.append("Sent", message({ subject: "Sent while away", to: user.email }));
    connector.release();
    await frames.next("state", (f) => f.imap === "online", { from });
    const a = await frames.next("messages.new", (f) => f.mailbox === "Archive", { from });
    expect(a).toMatchObject({ uidValidity: archive.uidValidity, total: 1 });
    const s = await frames.next("messages.new", (f) => f.mailbox === "Sent", { from });
    expect(s).toMatchObject({ uidValidity: sent.uidValidity, total: 1 });
    expect(session.openedBy(tabA)).toEqual({ mailbox: "Archive", readOnly: false });
    expect(session.openedBy(tabB)).toEqual({ mailbox: "Sent", readOnly: true });
    expect(session.watchedMailboxes).toEqual(["INBOX", "Archive", "Sent"]);
    expect(frames.of("mailbox.reset", from)).toEqual([]);
  });
});

describe("resync edge cases", () => {
  it("sends mailbox.reset when the open folder's UIDVALIDITY changed while away", async () => {
    const { user, connector, session, frames } = await setup(true);
    const other = await device(user);
    await other.append("Archive", message({ subject: "Old generation", to: user.email }));
    const opened = await session.openMailbox("Archive", false, TAB);

    const from = frames.mark();
    await disconnect(user, connector, frames);
    const next = opened.uidValidity + 1000;
    await server.doveadm([
      "mailbox",
      "update",
      "--uid-validity",
      String(next),
      "-u",
      user.email,
      "Archive",
    ]);
    connector.release();
    const reset = await frames.next("mailbox.reset", (f) => f.mailbox === "Archive", { from });
    expect(reset.uidValidity).toBe(next);
    await frames.next("state", (f) => f.imap === "online", { from });

    const after = frames.mark();
    const third = await device(user);
    await third.append("Archive", message({ subject: "New generation", to: user.email }));
    const ev = await frames.next("messages.new", (f) => f.mailbox === "Archive", { from: after });
    expect(ev.uidValidity).toBe(next);
    expect(ev.rows[0]?.subject).toBe("New generation");
  });

  it("reports a folder set change when the open folder was deleted while away", async () => {
    const { user, connector, session, frames } = await setup(true, {}, await primedUser());
    const other = await device(user);
    await other.mailboxCreate("Temp");
    await session.openMailbox("Temp", false, TAB);

    const from = frames.mark();
    await disconnect(user, connector, frames);
    const third = await device(user);
    await third.mailboxDelete("Temp");
    connector.release();
    await frames.next("mailboxes.changed", () => true, { from });
    await frames.next("state", (f) => f.imap === "online", { from });
    expect(session.openedBy(TAB)).toBeNull();

    // INBOX is still watched.
    const after = frames.mark();
    await deliver(server, user.email, message({ subject: "Still here", to: user.email }));
    await frames.next("messages.new", (f) => f.mailbox === "INBOX", { from: after });
  });
});

describe("giving up", () => {
  it("goes offline with auth_failed and stops when the password no longer works", async () => {
    const { user, connector, session, frames } = await setup(true);
    await session.openMailbox("INBOX", false, TAB);
    connector.redirect(() => imapClient(server, { email: user.email, password: "not-any-more" }));
    const from = frames.mark();
    await server.killConnections(user.email);
    const err = await frames.next("error", () => true, { from });
    expect(err).toMatchObject({ code: "auth_failed" });
    expect(err.message).not.toMatch(/AUTHENTICATIONFAILED|NO /);
    await frames.next("state", (f) => f.imap === "offline", { from });
    expect(session.state).toBe("offline");
    await expect(session.run(async () => 1)).rejects.toMatchObject({ code: "auth_failed" });
    expect(frames.invalid).toEqual([]);
  });

  it("tries a refused login once more, so one refusal from a server going away ends nothing", async () => {
    const { user, connector, session, frames } = await setup(true, {}, await primedUser());
    await session.openMailbox("INBOX", false, TAB);
    let refused = 0;
    connector.redirect(() =>
      refused++ === 0
        ? imapClient(server, { email: user.email, password: "refused-once" })
        : imapClient(server, user),
    );
    const from = frames.mark();
    await server.killConnections(user.email);
    await frames.next("state", (f) => f.imap === "reconnecting", { from });
    await frames.next("state", (f) => f.imap === "online", { from });
    // Every connection is back, NOTIFY's too (whichever connection the refusal went to).
    await vi.waitFor(() => expect(session.accountWatch?.notify?.active).toBe(true));
    expect(refused).toBeGreaterThan(1);
    expect(frames.of("error", from)).toEqual([]);
    expect(frames.of("state", from).map((f) => f.imap)).toEqual(["reconnecting", "online"]);
    // Still live: new mail is pushed.
    await deliver(server, user.email, message({ subject: "After the refusal", to: user.email }));
    const after = (f: { rows: { subject: string }[] }) =>
      f.rows.some((r) => r.subject === "After the refusal");
    await frames.next("messages.new", after, { from });
  });

  it("ends offline, still retrying, when the server cannot be reached", async () => {
    const { user, connector, session, frames } = await setup(true, {
      backoff: { initialMs: 10, maxMs: 40 },
      offlineAfterMs: 300,
      reconnectWaitMs: 5_000,
    });
    await session.openMailbox("INBOX", false, TAB);
    const port = await deadPort();
    let tries = 0;
    let onTry: () => void = () => {};
    connector.redirect(async () => {
      tries++;
      onTry();
      return imapClient(server, user, { port });
    });
    const from = frames.mark();
    await server.killConnections(user.email);
    await frames.next("state", (f) => f.imap === "reconnecting", { from });
    await frames.next("state", (f) => f.imap === "offline", { from });
    await expect(session.run(async () => 1)).rejects.toMatchObject({ code: "connection_lost" });
    await expect(session.openMailbox("Sent", false, TAB)).rejects.toMatchObject({
      code: "connection_lost",
    });
    const seen = tries;
    await new Promise<void>((resolve) => {
      onTry = () => {
        if (tries > seen) resolve();
      };
    });
    expect(frames.of("error", from)).toEqual([]);
  });
});

describe("close()", () => {
  it("logs out every connection, is idempotent, and emits nothing afterwards", async () => {
    // Counts the watchers' connections: without the NOTIFY one (test/live-counts.test.ts).
    const { user, connector, session, frames } = await setup(
      true,
      { notify: false },
      await primedUser(),
    );
    await session.openMailbox("Archive", false, TAB);
    expect(connector.clients.length).toBe(3);

    // A second session of the same user sees the delivery below: by then the first one, had
    // it still been listening, would have seen it too.
    const observer = await setup(true, {}, user);
    await observer.session.openMailbox("INBOX", false, TAB);

    await Promise.all([session.close(), session.close()]);
    await session.close();
    expect(connector.clients.map((c) => c.closed)).toEqual([true, true, true]);
    expect(connector.clients.some((c) => c.client.usable)).toBe(false);
    const count = frames.frames.length;

    const from = observer.frames.mark();
    await deliver(server, user.email, message({ subject: "After close", to: user.email }));
    await observer.frames.next("messages.new", () => true, { from });
    expect(frames.frames.length).toBe(count);
    await expect(session.run(async () => 1)).rejects.toMatchObject({ code: "connection_lost" });
    await expect(session.openMailbox("INBOX", false, TAB)).rejects.toMatchObject({
      code: "connection_lost",
    });
    expect(connector.clients.length).toBe(3);
  });

  it("goes offline without unhandled errors when the whole server stops (last: stops the fixture)", async () => {
    const { session, frames } = await setup(true, {
      backoff: { initialMs: 10, maxMs: 40 },
      offlineAfterMs: 300,
    });
    await session.openMailbox("Trash", true, TAB);
    const from = frames.mark();
    await server.stop();
    await frames.next("state", (f) => f.imap === "reconnecting", { from });
    await frames.next("state", (f) => f.imap === "offline", { from });
    await expect(session.run(async () => 1)).rejects.toMatchObject({ code: "connection_lost" });
  });
});
