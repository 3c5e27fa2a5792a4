/**
 * The live read path through a real bridge, as a browser sees it: events pushed to every socket
 * of the user whichever folder is open, changes made by another IMAP client, list windows that
 * agree with what was pushed, the connection state across a killed IMAP connection, and the
 * server going away. Everything against the real Dovecot fixture.
 */
import { startMailServer } from "@ferry/mail-server";
import { LIST_WINDOW_SIZE, type TServerFrame, type TServerFrameOf } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rowsForUids } from "../src/imap/window";
import { MailSession } from "../src/live";
import { sentConnectionOf } from "../src/live/sent-connection";
import { sessionKey } from "../src/session/crypto";
import {
  imapClient,
  type MailServer,
  openSocket,
  plainMessage,
  signedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
  withTimeout,
} from "./harness";

let windowCounter = 0;
let mail: MailServer;
let b: TestBridge;
/** A bridge whose sessions poll other folders' counts every 200 ms instead of every 30 s. */
let fastCounts: TestBridge;
const devices: ImapFlow[] = [];
const sockets: TestSocket[] = [];

beforeAll(async () => {
  mail = await startMailServer({
    postfix: false,
    users: Array.from({ length: 9 }, (_, i) => ({ email: `live${i}@example.test` })),
  });
  b = await startBridge(mail);
  fastCounts = await startBridge(mail, {
    bridge: {
      createMailSession: (opts) =>
        new MailSession({ ...opts, rowsFetcher: rowsForUids, countsIntervalMs: 200 }),
    },
  });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(devices.map((d) => d.logout().catch(() => d.close())));
  await Promise.all([b?.close(), fastCounts?.close()]);
  await mail?.stop();
});

function user(i: number) {
  const u = mail.users[i];
  if (!u) throw new Error("add more fixture users");
  return u;
}

async function deliver(to: string, subject: string): Promise<void> {
  await mail.deliver(plainMessage(to, subject), { from: "carol@example.test", to: [to] });
}

/** A second device of the user: a plain IMAP client, as a phone would be. */
async function device(u: { email: string; password: string }): Promise<ImapFlow> {
  const client = await imapClient(mail, u);
  devices.push(client);
  return client;
}

async function socketFor(cookie: string): Promise<TestSocket> {
  const s = await openSocket(b, cookie);
  sockets.push(s);
  await s.waitFor((f) => f.type === "state" && f.imap === "online", "state online");
  return s;
}

const newWith =
  (mailbox: string, subject: string) =>
  (f: TServerFrame): boolean =>
    f.type === "messages.new" && f.mailbox === mailbox && f.rows.some((r) => r.subject === subject);

async function window(
  s: TestSocket,
  mailbox: string,
  offset = 0,
  limit = 50,
): Promise<TServerFrameOf<"list.window">> {
  const reply = await s.request({
    type: "list.window",
    id: `w-${++windowCounter}`,
    mailbox,
    offset,
    limit,
  });
  if (reply.type !== "list.window") throw new Error(`list.window failed: ${JSON.stringify(reply)}`);
  return reply;
}

describe("live events through the bridge", () => {
  it("new INBOX mail reaches every socket of the user, whichever folder each has open", async () => {
    const u = user(0);
    const cookie = await signedIn(b, u.email, u.password);
    const reading = await socketFor(cookie);
    const elsewhere = await socketFor(cookie);
    expect(
      await reading.request({ type: "mailbox.open", id: "o-inbox", path: "INBOX" }),
    ).toMatchObject({ type: "mailbox.opened", mailbox: "INBOX" });
    expect(
      await elsewhere.request({ type: "mailbox.open", id: "o-archive", path: "Archive" }),
    ).toMatchObject({ type: "mailbox.opened", mailbox: "Archive" });

    await deliver(u.email, "while Archive is open");
    await reading.waitFor(newWith("INBOX", "while Archive is open"), "new mail on socket one");
    await elsewhere.waitFor(newWith("INBOX", "while Archive is open"), "new mail on socket two");

    // The open folder's own changes, made by another device, arrive too.
    const phone = await device(u);
    await phone.append("Archive", plainMessage(u.email, "filed by the phone"));
    await elsewhere.waitFor(newWith("Archive", "filed by the phone"), "Archive news");
  });

  it("flag changes and expunges made by another IMAP client arrive on the open mailbox", async () => {
    const u = user(1);
    const cookie = await signedIn(b, u.email, u.password);
    const s = await socketFor(cookie);
    const opened = await s.request({ type: "mailbox.open", id: "o1", path: "INBOX" });
    if (opened.type !== "mailbox.opened") throw new Error("open failed");
    await deliver(u.email, "to be flagged");
    await deliver(u.email, "to be deleted");
    await s.waitFor(newWith("INBOX", "to be deleted"), "second message");
    const rows = (await window(s, "INBOX")).rows;
    const flagged = rows.find((r) => r.subject === "to be flagged");
    const deleted = rows.find((r) => r.subject === "to be deleted");
    if (!flagged || !deleted) throw new Error("messages not listed");

    const phone = await device(u);
    await phone.mailboxOpen("INBOX");
    await phone.messageFlagsAdd(String(flagged.uid), ["\\Flagged"], { uid: true });
    const flags = await s.waitFor<TServerFrameOf<"messages.flags">>(
      (f) =>
        f.type === "messages.flags" &&
        f.changes.some((c) => c.uid === flagged.uid && c.flags.includes("\\Flagged")),
      "messages.flags from the phone",
    );
    expect(flags.uidValidity).toBe(opened.uidValidity);

    await phone.messageDelete(String(deleted.uid), { uid: true });
    const gone = await s.waitFor<TServerFrameOf<"messages.expunged">>(
      (f) => f.type === "messages.expunged" && f.uids.includes(deleted.uid),
      "messages.expunged from the phone",
    );
    expect(gone.total).toBe(1);
  });

  it("a list window asked for after new mail was pushed agrees with the push", async () => {
    const u = user(2);
    const cookie = await signedIn(b, u.email, u.password);
    const s = await socketFor(cookie);
    for (const n of [1, 2, 3]) await deliver(u.email, `old ${n}`);
    await s.request({ type: "mailbox.open", id: "o2", path: "INBOX" });
    const first = await window(s, "INBOX");
    expect(first.total).toBe(3);
    // A search window too: it is cached per mailbox state, which must not go stale either.
    const search = await s.request({
      type: "list.window",
      id: "s-before",
      mailbox: "INBOX",
      offset: 0,
      limit: 50,
      query: "from:carol",
    });
    expect(search).toMatchObject({ type: "list.window", total: 3 });

    await deliver(u.email, "just arrived");
    const pushed = await s.waitFor<TServerFrameOf<"messages.new">>(
      newWith("INBOX", "just arrived"),
      "messages.new",
    );
    expect(pushed.total).toBe(4);

    // What the user sees when scrolling or reloading the list right after the push.
    const after = await window(s, "INBOX");
    expect(after.total).toBe(4);
    expect(after.rows.map((r) => r.subject)).toEqual(["just arrived", "old 3", "old 2", "old 1"]);
    const tail = await window(s, "INBOX", 2, 2);
    expect(tail.rows.map((r) => r.subject)).toEqual(["old 2", "old 1"]);
    const searched = await s.request({
      type: "list.window",
      id: "s-after",
      mailbox: "INBOX",
      offset: 0,
      limit: 50,
      query: "from:carol",
    });
    expect(searched).toMatchObject({ type: "list.window", total: 4 });
    // A message pushed while the request connection was quiet opens at once, and can be flagged.
    await deliver(u.email, "second arrival");
    const second = await s.waitFor<TServerFrameOf<"messages.new">>(
      newWith("INBOX", "second arrival"),
      "second messages.new",
    );
    const row = second.rows[0];
    if (!row) throw new Error("no row pushed");
    const ref = { mailbox: "INBOX", uidValidity: second.uidValidity, uid: row.uid };
    expect(await s.request({ type: "message.open", id: "open-new", ref })).toMatchObject({
      type: "message.header",
      ref,
    });
    await s.waitFor((f) => f.type === "message.end" && f.id === "open-new", "message.end");
    expect(
      await s.request({
        type: "flags.update",
        id: "flag-new",
        set: { mailbox: "INBOX", uidValidity: second.uidValidity, uids: [row.uid] },
        add: ["\\Flagged"],
      }),
    ).toEqual({ type: "ok", id: "flag-new" });
  });

  it("after the IMAP connections are killed, every socket sees reconnecting then online, and mail that came meanwhile", async () => {
    const u = user(3);
    const cookie = await signedIn(b, u.email, u.password);
    const one = await socketFor(cookie);
    const two = await socketFor(cookie);
    await one.request({ type: "mailbox.open", id: "o3", path: "INBOX" });
    const mark = (s: TestSocket) => s.frames.length;
    const from = [mark(one), mark(two)];

    await mail.killConnections(u.email);
    await deliver(u.email, "delivered around the drop");
    for (const [i, s] of [one, two].entries()) {
      const since = (f: TServerFrame) => s.frames.indexOf(f) >= (from[i] ?? 0);
      await s.waitFor(
        (f) => since(f) && f.type === "state" && f.imap === "reconnecting",
        `reconnecting on socket ${i}`,
      );
      await s.waitFor(
        (f) => since(f) && f.type === "state" && f.imap === "online",
        `online again on socket ${i}`,
        15_000,
      );
      await s.waitFor(newWith("INBOX", "delivered around the drop"), `resynced mail on ${i}`);
    }
    // And requests work again.
    expect(await one.request({ type: "mailboxes.list", id: "after-drop" })).toMatchObject({
      type: "mailboxes",
    });
  });
});

/** IMAP connections Dovecot has for `email` (`doveadm who`: one line per connection). */
async function imapConnections(email: string): Promise<number> {
  const { stdout } = await mail.doveadm(["who", "-1", email]);
  return stdout.split("\n").filter((line) => line.startsWith(`${email} `)).length;
}

describe("the first window after signing in", () => {
  it("is the top of INBOX, and includes mail that arrived after the sign-in", async () => {
    const u = user(8);
    await deliver(u.email, "before signing in 1");
    await deliver(u.email, "before signing in 2");
    // The bridge starts fetching INBOX's first window at sign-in, for the request that follows.
    const first = await socketFor(await signedIn(b, u.email, u.password));
    const head = await window(first, "INBOX", 0, LIST_WINDOW_SIZE);
    expect(head.total).toBe(2);
    expect(head.rows.map((r) => r.subject)).toEqual(["before signing in 2", "before signing in 1"]);

    // Mail that arrives between the sign-in and the socket's request is in the window asked
    // for: what was fetched at sign-in is not handed out once it may be stale.
    const cookie = await signedIn(b, u.email, u.password);
    const s = await socketFor(cookie);
    await deliver(u.email, "right after signing in");
    await s.waitFor(newWith("INBOX", "right after signing in"), "new mail pushed");
    const fresh = await window(s, "INBOX", 0, LIST_WINDOW_SIZE);
    expect(fresh.total).toBe(3);
    expect(fresh.rows[0]?.subject).toBe("right after signing in");
  });
});

describe("two tabs of one user, each with its own open folder", () => {
  it("pushes both folders' changes, keeps each tab's read-only mode, and stops watching a closed tab's folder", async () => {
    const u = user(7);
    const phone = await device(u);
    await phone.append("Archive", plainMessage(u.email, "archived before"));
    await phone.append("Sent", plainMessage(u.email, "sent before"));
    const cookie = await signedIn(b, u.email, u.password);
    const reader = await socketFor(cookie);
    const writer = await socketFor(cookie);
    const mailOf = () => {
      const live = b.bridge.sessions.live.get(sessionKey(cookie.split("=")[1] ?? ""));
      if (!live) throw new Error("no live session");
      return live.mail as MailSession;
    };

    const archive = await reader.request({
      type: "mailbox.open",
      id: "open-archive",
      path: "Archive",
      readOnly: true,
    });
    expect(archive).toMatchObject({ type: "mailbox.opened", readOnly: true, permanentFlags: [] });
    const sent = await writer.request({ type: "mailbox.open", id: "open-sent", path: "Sent" });
    expect(sent).toMatchObject({ type: "mailbox.opened", mailbox: "Sent", readOnly: false });
    if (archive.type !== "mailbox.opened" || sent.type !== "mailbox.opened") return;
    expect(mailOf().watchedMailboxes).toEqual(["INBOX", "Archive", "Sent"]);
    // Conversation rows look Sent up on one more connection of the account, opened at its first
    // lookup and kept open between lookups (live/sent-connection.ts); when that first lookup
    // comes depends on the mail, so it is opened here to be counted for certain.
    await sentConnectionOf(mailOf())?.run((client) => client.noop());
    // command, INBOX, NOTIFY (other folders' counts; opened just after the sign-in), Archive,
    // Sent, Sent's lookups, and the phone
    await vi.waitFor(async () => expect(await imapConnections(u.email)).toBe(7));

    // Another device changes each folder: both changes reach both tabs, live.
    await phone.append("Archive", plainMessage(u.email, "archived by the phone"));
    await phone.append("Sent", plainMessage(u.email, "sent by the phone"));
    for (const s of [reader, writer]) {
      await s.waitFor(newWith("Archive", "archived by the phone"), "Archive news");
      await s.waitFor(newWith("Sent", "sent by the phone"), "Sent news");
    }

    // Read-only is the reader's alone: its actions in Archive are refused, the writer's are not,
    // in either folder.
    const [archived] = (await window(reader, "Archive")).rows;
    const [inSent] = (await window(writer, "Sent")).rows;
    if (!archived || !inSent) throw new Error("nothing listed");
    const archiveSet = {
      mailbox: "Archive",
      uidValidity: archive.uidValidity,
      uids: [archived.uid],
    };
    const sentSet = { mailbox: "Sent", uidValidity: sent.uidValidity, uids: [inSent.uid] };
    expect(
      await reader.request({ type: "flags.update", id: "ro", set: archiveSet, add: ["\\Flagged"] }),
    ).toMatchObject({ type: "error", id: "ro", code: "read_only" });
    expect(
      await reader.request({ type: "messages.archive", id: "ro-archive", set: archiveSet }),
    ).toMatchObject({ type: "error", id: "ro-archive", code: "read_only" });
    expect(
      await writer.request({ type: "flags.update", id: "rw", set: archiveSet, add: ["\\Flagged"] }),
    ).toEqual({ type: "ok", id: "rw" });
    expect(
      await writer.request({ type: "flags.update", id: "rw-sent", set: sentSet, add: ["\\Seen"] }),
    ).toEqual({ type: "ok", id: "rw-sent" });
    // The reader may change what it did not open read-only.
    expect(
      await reader.request({ type: "flags.update", id: "ro-sent", set: sentSet, add: ["$Work"] }),
    ).toEqual({ type: "ok", id: "ro-sent" });
    // The writer's change in Archive is pushed to the reader, whose tab shows Archive.
    await reader.waitFor(
      (f) =>
        f.type === "messages.flags" &&
        f.mailbox === "Archive" &&
        f.changes.some((c) => c.uid === archived.uid && c.flags.includes("\\Flagged")),
      "the writer's flag in Archive",
    );

    // The reader's tab closes: Archive is no longer watched; Sent still is, for the writer.
    reader.close();
    await withTimeout(reader.closed, 5000, "reader closed");
    await vi.waitFor(() => expect(mailOf().watchedMailboxes).toEqual(["INBOX", "Sent"]));
    await vi.waitFor(async () => expect(await imapConnections(u.email)).toBe(6));
    await phone.append("Sent", plainMessage(u.email, "sent after the reader left"));
    await writer.waitFor(newWith("Sent", "sent after the reader left"), "Sent news after");
  });
});

describe("other folders", () => {
  it("their counts reach the browser without asking, and so does a new folder", async () => {
    const u = user(6);
    const cookie = await signedIn(fastCounts, u.email, u.password);
    const s = await openSocket(fastCounts, cookie);
    sockets.push(s);
    await s.request({ type: "mailbox.open", id: "o6", path: "INBOX" });
    const phone = await device(u);
    await phone.append("Junk", plainMessage(u.email, "spam one"));
    await phone.append("Junk", plainMessage(u.email, "spam two"), ["\\Seen"]);
    await s.waitFor(
      (f) => f.type === "mailbox.status" && f.mailbox === "Junk" && f.messages === 2,
      "Junk counts",
    );
    const status = s.frames.filter((f) => f.type === "mailbox.status" && f.mailbox === "Junk");
    expect(status.at(-1)).toEqual({
      type: "mailbox.status",
      mailbox: "Junk",
      messages: 2,
      unseen: 1,
    });
    const created = s.mark();
    await phone.mailboxCreate("Receipts");
    await s.waitFor((f) => f.type === "mailboxes.changed", "mailboxes.changed", 5000, created);
  });
});

describe("reading through the bridge", () => {
  it("lists the folder tree with roles, counts and subscriptions, and opens read-only on request", async () => {
    const u = user(5);
    const phone = await device(u);
    await phone.mailboxCreate("Old Projects");
    await phone.mailboxUnsubscribe("Old Projects");
    await deliver(u.email, "one");
    await deliver(u.email, "two");
    const s = await socketFor(await signedIn(b, u.email, u.password));
    const reply = await s.request({ type: "mailboxes.list", id: "tree" });
    if (reply.type !== "mailboxes") throw new Error(JSON.stringify(reply));
    const byPath = new Map(reply.mailboxes.map((m) => [m.path, m]));
    expect(byPath.get("INBOX")).toMatchObject({ specialUse: "inbox", messages: 2, unseen: 2 });
    expect(byPath.get("Trash")).toMatchObject({ specialUse: "trash", subscribed: true });
    expect(byPath.get("Old Projects")).toMatchObject({ specialUse: null, subscribed: false });

    const examined = await s.request({
      type: "mailbox.open",
      id: "ro",
      path: "INBOX",
      readOnly: true,
    });
    expect(examined).toMatchObject({ type: "mailbox.opened", readOnly: true, permanentFlags: [] });
    if (examined.type !== "mailbox.opened") return;
    const win = await window(s, "INBOX");
    const refused = await s.request({
      type: "flags.update",
      id: "ro-flag",
      set: { mailbox: "INBOX", uidValidity: examined.uidValidity, uids: [win.rows[0]?.uid ?? 1] },
      add: ["\\Seen"],
    });
    expect(refused).toMatchObject({ type: "error", code: "read_only", id: "ro-flag" });
  });
});

describe("the server going away (last: stops the fixture)", () => {
  it("gives the browser the state and a typed error, and the bridge stays up", async () => {
    const u = user(4);
    const cookie = await signedIn(b, u.email, u.password);
    const s = await socketFor(cookie);
    await s.request({ type: "mailbox.open", id: "o4", path: "INBOX" });
    const from = s.frames.length;

    await mail.stop();
    // A busy CI machine can take seconds to hand the closed connections to the bridge; a
    // failure says which states the socket saw and what the bridge logged about them.
    await s
      .waitFor(
        (f) => s.frames.indexOf(f) >= from && f.type === "state" && f.imap === "reconnecting",
        "reconnecting",
        15_000,
      )
      .catch((err: Error) => {
        const states = s.ofType("state").map((f) => f.imap);
        const live = b.logs.text
          .split("\n")
          .filter((l) => l.includes("live:"))
          .slice(-40);
        throw new Error(`${err.message}; states seen: ${states.join(", ")}\n${live.join("\n")}`);
      });
    const reply = await s.request({ type: "mailboxes.list", id: "while-gone" }, 20_000);
    expect(reply).toMatchObject({ type: "error", id: "while-gone", code: "connection_lost" });
    expect(s.invalid).toEqual([]);
    // The bridge itself still answers.
    expect(await s.request({ type: "ping", id: "still-there" })).toEqual({
      type: "pong",
      id: "still-there",
    });
    const res = await fetch(`${b.url}/api/session`, { headers: { cookie } });
    expect(res.status).toBe(200);

    // Sign-ins, reconnects, killed and refused connections: none of it logged a password.
    expect(b.logs.text).toContain("live: connection lost");
    for (const u of mail.users) expect(b.logs.text).not.toContain(u.password);
  });
});
