/**
 * MailSession against the real Dovecot fixture: what the server announces reaches subscribers
 * as protocol events, with QRESYNC on (UIDs in every announcement) and off (sequence numbers
 * mapped through the session's UID list).
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { ImapFlow } from "imapflow";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MailSession, type MailSessionOptions, PREFETCH_TTL_MS } from "./mail-session";
import {
  Connector,
  captureLog,
  deliver,
  FrameLog,
  imapClient,
  message,
  percentile,
  uidsOf,
} from "./test-harness";

/** The owner of the mailboxes opened here: one browser tab. */
const TAB = { tab: "one" };

let server: MailServer;
const cleanups: (() => Promise<unknown>)[] = [];
let userCount = 0;

beforeAll(async () => {
  // Users are made up front: Dovecot notices a passwd-file change by its mtime (1 s
  // resolution), so a user added right after another may not log in for up to a second. Each
  // test takes a fresh one (19 in all), a retried test another: there are some to spare.
  server = await startMailServer({
    postfix: false,
    users: Array.from({ length: 26 }, (_, i) => ({ email: `live${i}@example.test` })),
  });
});

/** Sessions of the running test: checked afterwards for what should never happen. */
const sessions: { frames: FrameLog; lines: Record<string, unknown>[]; quiet: boolean }[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((fn) => fn().catch(() => undefined)));
  for (const { frames, lines, quiet } of sessions.splice(0)) {
    expect(frames.invalid).toEqual([]);
    // Nothing here should need the browser to start over.
    expect(frames.of("mailbox.reset")).toEqual([]);
    if (quiet) expect(lines.filter((l) => Number(l.level) >= 40)).toEqual([]);
  }
});

afterAll(async () => {
  await server?.stop();
});

async function setup(
  qresync: boolean,
  opts: Partial<Omit<MailSessionOptions, "connect" | "log">> = {},
  /** Nothing at warn level or above is logged (checked after the test). */
  quiet = true,
) {
  const user = server.users[userCount++];
  if (!user) throw new Error("add more fixture users");
  const connector = new Connector(server, user, { qresync });
  const { log, lines } = captureLog();
  const session = new MailSession({ connect: connector.connect, log, ...opts });
  const frames = new FrameLog();
  session.subscribe(frames.push);
  sessions.push({ frames, lines, quiet });
  cleanups.push(() => session.close());
  await session.start(await connector.connect());
  expect(session.state).toBe("online");
  return { user, connector, session, frames, lines };
}

/** A second device of `user` (closed after the test). */
async function device(user: { email: string; password: string }): Promise<ImapFlow> {
  const client = await imapClient(server, user);
  cleanups.push(() => client.logout());
  return client;
}

describe.each([
  { mode: "QRESYNC", qresync: true },
  { mode: "no QRESYNC", qresync: false },
])("live events ($mode)", ({ qresync }) => {
  it("pushes new INBOX mail with its row while INBOX is open", async () => {
    const { user, session, frames } = await setup(qresync);
    const opened = await session.openMailbox("INBOX", false, TAB);
    expect(opened).toMatchObject({ mailbox: "INBOX", exists: 0, readOnly: false });
    expect(opened.permanentFlags).toContain("\\Seen");
    expect(session.openedBy(TAB)?.mailbox).toBe("INBOX");

    const from = frames.mark();
    await deliver(server, user.email, message({ subject: "Hello live", to: user.email }));
    const ev = await frames.next("messages.new", (f) => f.mailbox === "INBOX", { from });
    expect(ev).toMatchObject({ uidValidity: opened.uidValidity, total: 1 });
    expect(ev.rows).toHaveLength(1);
    expect(ev.rows[0]).toMatchObject({
      subject: "Hello live",
      from: [{ name: "Ann Sender", address: "ann@example.test" }],
      to: [{ address: user.email }],
      flags: [],
      hasAttachments: false,
    });
    const status = await frames.next(
      "mailbox.status",
      (f) => f.mailbox === "INBOX" && f.messages === 1,
      { from },
    );
    expect(status.unseen).toBe(1);
    expect(frames.invalid).toEqual([]);
  });

  it("pushes INBOX mail while another folder is open, and that folder's changes too", async () => {
    const { user, session, frames } = await setup(qresync);
    const opened = await session.openMailbox("Archive", false, TAB);
    expect(opened).toMatchObject({ mailbox: "Archive", readOnly: false });
    expect(session.openedBy(TAB)?.mailbox).toBe("Archive");

    const from = frames.mark();
    await deliver(server, user.email, message({ subject: "To the inbox", to: user.email }));
    const inbox = await frames.next("messages.new", (f) => f.mailbox === "INBOX", { from });
    expect(inbox.rows[0]?.subject).toBe("To the inbox");

    const other = await device(user);
    await other.append("Archive", message({ subject: "Filed away", to: user.email }), ["\\Seen"]);
    const archive = await frames.next("messages.new", (f) => f.mailbox === "Archive", { from });
    expect(archive).toMatchObject({ total: 1, uidValidity: opened.uidValidity });
    expect(archive.rows[0]).toMatchObject({ subject: "Filed away", flags: ["\\Seen"] });
    await frames.next("mailbox.status", (f) => f.mailbox === "Archive" && f.messages === 1, {
      from,
    });

    // INBOX, examined in the background, still reports other devices' flag changes.
    const [uid] = await uidsOf(other, "INBOX");
    if (!uid) throw new Error("no INBOX message");
    await other.mailboxOpen("INBOX");
    await other.messageFlagsAdd(String(uid), ["\\Answered"], { uid: true });
    await frames.next(
      "messages.flags",
      (f) => f.mailbox === "INBOX" && f.changes.some((c) => c.flags.includes("\\Answered")),
      { from },
    );
    expect(frames.invalid).toEqual([]);
  });

  it("reports expunges and flag changes made by another client", async () => {
    const { user, session, frames } = await setup(qresync);
    for (const n of [1, 2, 3, 4]) {
      await deliver(server, user.email, message({ subject: `Old ${n}`, to: user.email }));
    }
    const opened = await session.openMailbox("INBOX", false, TAB);
    expect(opened.exists).toBe(4);
    const other = await device(user);
    const [u1, u2, u3, u4] = await uidsOf(other, "INBOX");
    if (!u1 || !u2 || !u3 || !u4) throw new Error("expected four messages");
    await other.mailboxOpen("INBOX");

    let from = frames.mark();
    await other.messageFlagsAdd(String(u1), ["\\Flagged"], { uid: true });
    const flagged = await frames.next(
      "messages.flags",
      (f) => f.changes.some((c) => c.uid === u1 && c.flags.includes("\\Flagged")),
      { from },
    );
    expect(flagged).toMatchObject({ mailbox: "INBOX", uidValidity: opened.uidValidity });

    from = frames.mark();
    await other.messageDelete(String(u2), { uid: true });
    const gone = await frames.next("messages.expunged", (f) => f.uids.includes(u2), { from });
    expect(gone).toMatchObject({ mailbox: "INBOX", total: 3, uids: [u2] });

    // After the expunge, sequence numbers shifted: a change to the third message (now the
    // second) must still be reported under its own UID.
    from = frames.mark();
    await other.messageFlagsAdd(String(u3), ["\\Seen", "$Work"], { uid: true });
    const seen = await frames.next("messages.flags", (f) => f.changes.some((c) => c.uid === u3), {
      from,
    });
    expect(seen.changes.find((c) => c.uid === u3)?.flags.sort()).toEqual(["$Work", "\\Seen"]);
    expect(seen.changes.some((c) => c.uid !== u3)).toBe(false);
    const status = await frames.next(
      "mailbox.status",
      (f) => f.mailbox === "INBOX" && f.unseen === 2,
      { from },
    );
    expect(status.messages).toBe(3);

    // Two at once, the last one included.
    from = frames.mark();
    await other.messageDelete(`${u1},${u4}`, { uid: true });
    const last = await frames.next("messages.expunged", (f) => f.total === 1, { from });
    const reported = frames.of("messages.expunged", from).flatMap((f) => f.uids);
    expect(reported.sort((a, b) => a - b)).toEqual([u1, u4]);
    expect(last.uidValidity).toBe(opened.uidValidity);
    expect(frames.invalid).toEqual([]);
  });

  it("pushes changes made through the session's own command connection", async () => {
    const { user, session, frames } = await setup(qresync);
    await deliver(server, user.email, message({ subject: "Read me", to: user.email }));
    await session.openMailbox("INBOX", false, TAB);
    const from = frames.mark();
    const uid = await session.run(async (client) => {
      const lock = await client.getMailboxLock("INBOX");
      try {
        const [first] = (await client.search({ all: true }, { uid: true })) || [];
        if (!first) throw new Error("no message");
        await client.messageFlagsAdd(String(first), ["\\Seen"], { uid: true });
        return first;
      } finally {
        lock.release();
      }
    });
    const ev = await frames.next("messages.flags", (f) => f.changes.some((c) => c.uid === uid), {
      from,
    });
    expect(ev.changes[0]?.flags).toContain("\\Seen");
    await frames.next("mailbox.status", (f) => f.mailbox === "INBOX" && f.unseen === 0, { from });
  });

  it("reports other folders' counts and changes to the folder set", async () => {
    const { user, session, frames } = await setup(qresync, { countsIntervalMs: 100 });
    await session.openMailbox("INBOX", false, TAB);
    // run() queues behind the baseline poll start() began, so that poll is done after this.
    await session.run(async () => undefined);
    const from = frames.mark();
    const other = await device(user);
    await other.append("Drafts", message({ subject: "Draft", to: user.email }));
    const drafts = await frames.next("mailbox.status", (f) => f.mailbox === "Drafts", { from });
    expect(drafts).toMatchObject({ messages: 1, unseen: 1 });

    await other.mailboxCreate("Projects");
    await frames.next("mailboxes.changed", () => true, { from });
    expect(frames.of("mailbox.status", from).filter((f) => f.mailbox === "Drafts")).toHaveLength(1);
  });

  it("opens read-only, refuses a missing folder and keeps watching the one open before", async () => {
    const { user, session, frames } = await setup(qresync);
    const ro = await session.openMailbox("INBOX", true, TAB);
    expect(ro).toMatchObject({ mailbox: "INBOX", readOnly: true, permanentFlags: [] });
    expect(session.openedBy(TAB)?.readOnly).toBe(true);

    await session.openMailbox("Sent", false, TAB);
    await expect(session.openMailbox("Nope", false, TAB)).rejects.toMatchObject({
      code: "mailbox_not_found",
    });
    expect(session.openedBy(TAB)?.mailbox).toBe("Sent");

    const from = frames.mark();
    const other = await device(user);
    await other.append("Sent", message({ subject: "Still watched", to: user.email }));
    const ev = await frames.next("messages.new", (f) => f.mailbox === "Sent", { from });
    expect(ev.rows[0]?.subject).toBe("Still watched");
  });
});

describe("prefetch", () => {
  it("hands a prefetched result to one request, and never one older than a change or its time", async () => {
    const { user, session, frames } = await setup(true);
    // Not the account's first message below: Dovecot 2.3.19's IDLE may not announce a new
    // user's first delivery that lands while commands run just before it (scripts/
    // idle-after-status.ts: 10 of 950 rounds; 0 of 2,400 on a mailbox with mail in it).
    await deliver(server, user.email, message({ subject: "already there", to: user.email }));
    await session.openMailbox("INBOX", false, TAB);
    let calls = 0;
    const countInbox = async (client: ImapFlow) => {
      calls += 1;
      const status = await client.status("INBOX", { messages: true });
      return status === false ? null : status.messages;
    };

    session.prefetch("count", countInbox);
    const taken = session.takePrefetched<number>("count");
    expect(await taken).toBe(1);
    expect(session.takePrefetched("count")).toBeNull();
    expect(calls).toBe(1);

    // New mail pushed after the prefetch was queued: its result may be stale, so none is given.
    session.prefetch("count", countInbox);
    const from = frames.mark();
    await deliver(server, user.email, message({ subject: "after the prefetch", to: user.email }));
    await frames.next("messages.new", () => true, { from });
    expect(session.takePrefetched("count")).toBeNull();

    // Nobody asked within PREFETCH_TTL_MS: dropped.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      session.prefetch("count", countInbox);
      vi.advanceTimersByTime(PREFETCH_TTL_MS);
    } finally {
      vi.useRealTimers();
    }
    expect(session.takePrefetched("count")).toBeNull();
    expect(session.takePrefetched("never asked for")).toBeNull();
  });
});

describe("robustness", () => {
  it("pushes a row for a message with nothing usable in it, and survives a subscriber that throws", async () => {
    const { user, session, frames } = await setup(true, {}, false);
    session.subscribe(() => {
      throw new Error("a broken subscriber");
    });
    await session.openMailbox("INBOX", false, TAB);
    const from = frames.mark();
    const junk =
      "X-Junk: \u0001\r\nSubject: =?utf-8?B?!!!?=\r\nContent-Type: multipart/mixed\r\n\r\n--\r\n";
    await deliver(server, user.email, junk);
    const ev = await frames.next("messages.new", () => true, { from });
    expect(ev.rows).toHaveLength(1);
    expect(ev.rows[0]?.preview).toBe("");
    expect(frames.invalid).toEqual([]);
  });

  it("measures delivery → messages.new", async () => {
    const { user, session, frames, lines } = await setup(true);
    await session.openMailbox("INBOX", false, TAB);
    const deliveryToEvent: number[] = [];
    for (let i = 0; i < 20; i++) {
      const subject = `Latency ${i}`;
      const from = frames.mark();
      const t0 = performance.now();
      await deliver(server, user.email, message({ subject, to: user.email }));
      await frames.next("messages.new", (f) => f.rows.some((r) => r.subject === subject), {
        from,
      });
      deliveryToEvent.push(performance.now() - t0);
    }
    const existsToEvent = lines
      .filter((l) => l.msg === "live: messages.new" && typeof l.existsToEventMs === "number")
      .map((l) => l.existsToEventMs as number);
    expect(existsToEvent.length).toBe(20);
    const fmt = (v: number) => v.toFixed(1);
    console.log(
      `live latency over 20 deliveries: delivery→event p50 ${fmt(percentile(deliveryToEvent, 50))} ms, p95 ${fmt(percentile(deliveryToEvent, 95))} ms; IDLE EXISTS→event p50 ${fmt(percentile(existsToEvent, 50))} ms, p95 ${fmt(percentile(existsToEvent, 95))} ms`,
    );
  });
});

describe("open mailboxes per owner (one per browser tab)", () => {
  /** Connections of the session still usable. */
  const usable = (connector: Connector) => connector.clients.filter((c) => c.client.usable).length;

  it("watches each owner's folder at once, keeps each owner's mode, and stops when released", async () => {
    // Counts the watchers' connections: without the NOTIFY one (test/live-counts.test.ts).
    const { user, connector, session, frames } = await setup(true, { notify: false });
    const tabA = { tab: "A" };
    const tabB = { tab: "B" };
    const a = await session.openMailbox("Archive", true, tabA);
    expect(a).toMatchObject({ mailbox: "Archive", readOnly: true, permanentFlags: [] });
    const b = await session.openMailbox("Sent", false, tabB);
    expect(b).toMatchObject({ mailbox: "Sent", readOnly: false });
    expect(b.permanentFlags).toContain("\\Seen");
    expect(session.openedBy(tabA)).toEqual({ mailbox: "Archive", readOnly: true });
    expect(session.openedBy(tabB)).toEqual({ mailbox: "Sent", readOnly: false });
    expect(session.watchedMailboxes).toEqual(["INBOX", "Archive", "Sent"]);
    expect(usable(connector)).toBe(4); // command, INBOX, Archive, Sent

    // Changes in both folders, by another device, are pushed.
    const other = await device(user);
    let from = frames.mark();
    await other.append("Archive", message({ subject: "For tab A", to: user.email }));
    await other.append("Sent", message({ subject: "For tab B", to: user.email }));
    await frames.next("messages.new", (f) => f.mailbox === "Archive", { from });
    await frames.next("messages.new", (f) => f.mailbox === "Sent", { from });

    // B moves to Archive, read-write: its watcher is SELECTed now; A's mode stays read-only,
    // and Sent, open nowhere any more, is no longer watched.
    const rw = await session.openMailbox("Archive", false, tabB);
    expect(rw).toMatchObject({ mailbox: "Archive", readOnly: false, exists: 1 });
    expect(rw.permanentFlags).toContain("\\Seen");
    expect(session.openedBy(tabA)).toEqual({ mailbox: "Archive", readOnly: true });
    expect(session.watchedMailboxes).toEqual(["INBOX", "Archive"]);
    await vi.waitFor(() => expect(usable(connector)).toBe(3)); // Sent logged out
    // A read-only open again does not downgrade the watcher, and answers read-only.
    expect(await session.openMailbox("Archive", true, tabA)).toMatchObject({
      readOnly: true,
      permanentFlags: [],
    });

    from = frames.mark();
    await other.append("Archive", message({ subject: "After the switch", to: user.email }));
    const ev = await frames.next("messages.new", (f) => f.mailbox === "Archive", { from });
    expect(ev).toMatchObject({ uidValidity: a.uidValidity, total: 2 });
    expect(ev.rows.map((r) => r.subject)).toEqual(["After the switch"]);

    // A lets go: B still has Archive open. B lets go: only INBOX is left.
    await session.releaseMailbox(tabA);
    expect(session.openedBy(tabA)).toBeNull();
    expect(session.watchedMailboxes).toEqual(["INBOX", "Archive"]);
    await session.releaseMailbox(tabB);
    expect(session.watchedMailboxes).toEqual(["INBOX"]);
    expect(usable(connector)).toBe(2);
    await session.releaseMailbox(tabB); // twice: nothing to do
    from = frames.mark();
    await deliver(server, user.email, message({ subject: "Still INBOX", to: user.email }));
    await frames.next("messages.new", (f) => f.mailbox === "INBOX", { from });
  });

  it("opens INBOX read-only for one owner and read-write for another", async () => {
    const { user, session, frames } = await setup(false);
    const reader = { tab: "reader" };
    const writer = { tab: "writer" };
    expect(await session.openMailbox("inbox", true, reader)).toMatchObject({
      mailbox: "INBOX",
      readOnly: true,
    });
    const rw = await session.openMailbox("INBOX", false, writer);
    expect(rw).toMatchObject({ mailbox: "INBOX", readOnly: false });
    expect(rw.permanentFlags).toContain("\\Seen");
    expect(session.openedBy(reader)).toEqual({ mailbox: "INBOX", readOnly: true });
    expect(session.openedBy(writer)).toEqual({ mailbox: "INBOX", readOnly: false });
    await session.releaseMailbox(writer);
    expect(session.watchedMailboxes).toEqual(["INBOX"]);
    const from = frames.mark();
    await deliver(server, user.email, message({ subject: "Both see it", to: user.email }));
    await frames.next("messages.new", (f) => f.mailbox === "INBOX", { from });
  });

  it("watches at most maxWatchedFolders folders, dropping the least recently opened", async () => {
    // Counts the watchers' connections: without the NOTIFY one (test/live-counts.test.ts).
    const { user, connector, session, frames } = await setup(true, {
      maxWatchedFolders: 3,
      notify: false,
    });
    const [t1, t2, t3] = [{ n: 1 }, { n: 2 }, { n: 3 }];
    await session.openMailbox("Archive", false, t1);
    await session.openMailbox("Sent", true, t2);
    await session.openMailbox("Archive", false, t1); // opened again: now the most recent
    await session.openMailbox("Drafts", false, t3);
    expect(session.watchedMailboxes).toEqual(["INBOX", "Archive", "Drafts"]);
    await vi.waitFor(() => expect(usable(connector)).toBe(4)); // Sent logged out
    // t2 still has Sent open (and read-only) as far as its requests go.
    expect(session.openedBy(t2)).toEqual({ mailbox: "Sent", readOnly: true });

    // Opening Sent again watches it again, at the expense of the least recently opened.
    await session.openMailbox("Sent", true, t2);
    expect(session.watchedMailboxes).toEqual(["INBOX", "Drafts", "Sent"]);
    expect(session.openedBy(t1)).toEqual({ mailbox: "Archive", readOnly: false });
    const other = await device(user);
    const from = frames.mark();
    await other.append("Sent", message({ subject: "Watched again", to: user.email }));
    await frames.next("messages.new", (f) => f.mailbox === "Sent", { from });
    // Letting go of a folder that is no longer watched is fine too.
    await session.releaseMailbox(t1);
    expect(session.watchedMailboxes).toEqual(["INBOX", "Drafts", "Sent"]);
    await vi.waitFor(() => expect(usable(connector)).toBe(4));
  });

  it("lets go of a folder whose open was still in progress when its owner left", async () => {
    // Counts the watchers' connections: without the NOTIFY one (test/live-counts.test.ts).
    const { connector, session } = await setup(true, { notify: false });
    const tab = { tab: "closing" };
    connector.hold();
    const opening = session.openMailbox("Archive", false, tab);
    const released = session.releaseMailbox(tab);
    connector.release();
    await expect(opening).resolves.toMatchObject({ mailbox: "Archive" });
    await released;
    expect(session.openedBy(tab)).toBeNull();
    expect(session.watchedMailboxes).toEqual(["INBOX"]);
    expect(usable(connector)).toBe(2);
  });
});
