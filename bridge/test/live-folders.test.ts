/**
 * Several folders through a real bridge, as a browser sees them: two tabs of one user with
 * their own open folders (both pushed, each tab's read-only mode kept, a closed tab's folder no
 * longer watched), other folders' counts and a new folder pushed without asking, and the folder
 * tree with a read-only open. Everything against the real Dovecot fixture (live-fixture.ts).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rowsForUids } from "../src/imap/window";
import { MailSession } from "../src/live";
import { sentConnectionOf } from "../src/live/sent-connection";
import { sessionKey } from "../src/session/crypto";
import {
  openSocket,
  plainMessage,
  signedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
  withTimeout,
} from "./harness";
import { type LiveFixture, newWith, startLiveFixture } from "./live-fixture";

let f: LiveFixture;
/** A bridge whose sessions poll other folders' counts every 200 ms instead of every 30 s. */
let fastCounts: TestBridge;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  f = await startLiveFixture("livefolders", 3);
  fastCounts = await startBridge(f.mail, {
    bridge: {
      createMailSession: (opts) =>
        new MailSession({ ...opts, rowsFetcher: rowsForUids, countsIntervalMs: 200 }),
    },
  });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await f?.close(fastCounts);
});

describe("two tabs of one user, each with its own open folder", () => {
  it("pushes both folders' changes, keeps each tab's read-only mode, and stops watching a closed tab's folder", async () => {
    const u = f.user(0);
    const phone = await f.device(u);
    await phone.append("Archive", plainMessage(u.email, "archived before"));
    await phone.append("Sent", plainMessage(u.email, "sent before"));
    const cookie = await signedIn(f.b, u.email, u.password);
    const reader = await f.socketFor(cookie);
    const writer = await f.socketFor(cookie);
    const mailOf = () => {
      const live = f.b.bridge.sessions.live.get(sessionKey(cookie.split("=")[1] ?? ""));
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
    await vi.waitFor(async () => expect(await f.imapConnections(u.email)).toBe(7));

    // Another device changes each folder: both changes reach both tabs, live.
    await phone.append("Archive", plainMessage(u.email, "archived by the phone"));
    await phone.append("Sent", plainMessage(u.email, "sent by the phone"));
    for (const s of [reader, writer]) {
      await s.waitFor(newWith("Archive", "archived by the phone"), "Archive news");
      await s.waitFor(newWith("Sent", "sent by the phone"), "Sent news");
    }

    // Read-only is the reader's alone: its actions in Archive are refused, the writer's are not,
    // in either folder.
    const [archived] = (await f.window(reader, "Archive")).rows;
    const [inSent] = (await f.window(writer, "Sent")).rows;
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
    await vi.waitFor(async () => expect(await f.imapConnections(u.email)).toBe(6));
    await phone.append("Sent", plainMessage(u.email, "sent after the reader left"));
    await writer.waitFor(newWith("Sent", "sent after the reader left"), "Sent news after");
  });
});

describe("other folders", () => {
  it("their counts reach the browser without asking, and so does a new folder", async () => {
    const u = f.user(1);
    const cookie = await signedIn(fastCounts, u.email, u.password);
    const s = await openSocket(fastCounts, cookie);
    sockets.push(s);
    await s.request({ type: "mailbox.open", id: "o6", path: "INBOX" });
    const phone = await f.device(u);
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
    const u = f.user(2);
    const phone = await f.device(u);
    await phone.mailboxCreate("Old Projects");
    await phone.mailboxUnsubscribe("Old Projects");
    await f.deliver(u.email, "one");
    await f.deliver(u.email, "two");
    const s = await f.socketFor(await signedIn(f.b, u.email, u.password));
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
    const win = await f.window(s, "INBOX");
    const refused = await s.request({
      type: "flags.update",
      id: "ro-flag",
      set: { mailbox: "INBOX", uidValidity: examined.uidValidity, uids: [win.rows[0]?.uid ?? 1] },
      add: ["\\Seen"],
    });
    expect(refused).toMatchObject({ type: "error", code: "read_only", id: "ro-flag" });
  });
});
