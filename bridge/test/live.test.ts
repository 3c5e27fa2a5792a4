/**
 * The live read path through a real bridge, as a browser sees it: events pushed to every socket
 * of the user whichever folder is open, changes made by another IMAP client, list windows that
 * agree with what was pushed, the first window after signing in, the connection state across a
 * killed IMAP connection, and the server going away. Everything against the real Dovecot
 * fixture (live-fixture.ts); several open folders and other folders' counts are in
 * live-folders.test.ts.
 */
import { LIST_WINDOW_SIZE, type TServerFrame, type TServerFrameOf } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plainMessage, signedIn, type TestSocket } from "./harness";
import { type LiveFixture, newWith, startLiveFixture } from "./live-fixture";

let f: LiveFixture;

beforeAll(async () => {
  f = await startLiveFixture("live", 9);
});

afterAll(async () => {
  await f?.close();
});

describe("live events through the bridge", () => {
  it("new INBOX mail reaches every socket of the user, whichever folder each has open", async () => {
    const u = f.user(0);
    const cookie = await signedIn(f.b, u.email, u.password);
    const reading = await f.socketFor(cookie);
    const elsewhere = await f.socketFor(cookie);
    expect(
      await reading.request({ type: "mailbox.open", id: "o-inbox", path: "INBOX" }),
    ).toMatchObject({ type: "mailbox.opened", mailbox: "INBOX" });
    expect(
      await elsewhere.request({ type: "mailbox.open", id: "o-archive", path: "Archive" }),
    ).toMatchObject({ type: "mailbox.opened", mailbox: "Archive" });

    await f.deliver(u.email, "while Archive is open");
    await reading.waitFor(newWith("INBOX", "while Archive is open"), "new mail on socket one");
    await elsewhere.waitFor(newWith("INBOX", "while Archive is open"), "new mail on socket two");

    // The open folder's own changes, made by another device, arrive too.
    const phone = await f.device(u);
    await phone.append("Archive", plainMessage(u.email, "filed by the phone"));
    await elsewhere.waitFor(newWith("Archive", "filed by the phone"), "Archive news");
  });

  it("flag changes and expunges made by another IMAP client arrive on the open mailbox", async () => {
    const u = f.user(1);
    const cookie = await signedIn(f.b, u.email, u.password);
    const s = await f.socketFor(cookie);
    const opened = await s.request({ type: "mailbox.open", id: "o1", path: "INBOX" });
    if (opened.type !== "mailbox.opened") throw new Error("open failed");
    await f.deliver(u.email, "to be flagged");
    await f.deliver(u.email, "to be deleted");
    await s.waitFor(newWith("INBOX", "to be deleted"), "second message");
    const rows = (await f.window(s, "INBOX")).rows;
    const flagged = rows.find((r) => r.subject === "to be flagged");
    const deleted = rows.find((r) => r.subject === "to be deleted");
    if (!flagged || !deleted) throw new Error("messages not listed");

    const phone = await f.device(u);
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
    const u = f.user(2);
    const cookie = await signedIn(f.b, u.email, u.password);
    const s = await f.socketFor(cookie);
    for (const n of [1, 2, 3]) await f.deliver(u.email, `old ${n}`);
    await s.request({ type: "mailbox.open", id: "o2", path: "INBOX" });
    const first = await f.window(s, "INBOX");
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

    await f.deliver(u.email, "just arrived");
    const pushed = await s.waitFor<TServerFrameOf<"messages.new">>(
      newWith("INBOX", "just arrived"),
      "messages.new",
    );
    expect(pushed.total).toBe(4);

    // What the user sees when scrolling or reloading the list right after the push.
    const after = await f.window(s, "INBOX");
    expect(after.total).toBe(4);
    expect(after.rows.map((r) => r.subject)).toEqual(["just arrived", "old 3", "old 2", "old 1"]);
    const tail = await f.window(s, "INBOX", 2, 2);
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
    await f.deliver(u.email, "second arrival");
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
    const u = f.user(3);
    const cookie = await signedIn(f.b, u.email, u.password);
    const one = await f.socketFor(cookie);
    const two = await f.socketFor(cookie);
    await one.request({ type: "mailbox.open", id: "o3", path: "INBOX" });
    const mark = (s: TestSocket) => s.frames.length;
    const from = [mark(one), mark(two)];

    await f.mail.killConnections(u.email);
    await f.deliver(u.email, "delivered around the drop");
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

describe("the first window after signing in", () => {
  it("is the top of INBOX, and includes mail that arrived after the sign-in", async () => {
    const u = f.user(8);
    await f.deliver(u.email, "before signing in 1");
    await f.deliver(u.email, "before signing in 2");
    // The bridge starts fetching INBOX's first window at sign-in, for the request that follows.
    const first = await f.socketFor(await signedIn(f.b, u.email, u.password));
    const head = await f.window(first, "INBOX", 0, LIST_WINDOW_SIZE);
    expect(head.total).toBe(2);
    expect(head.rows.map((r) => r.subject)).toEqual(["before signing in 2", "before signing in 1"]);

    // Mail that arrives between the sign-in and the socket's request is in the window asked
    // for: what was fetched at sign-in is not handed out once it may be stale.
    const cookie = await signedIn(f.b, u.email, u.password);
    const s = await f.socketFor(cookie);
    await f.deliver(u.email, "right after signing in");
    await s.waitFor(newWith("INBOX", "right after signing in"), "new mail pushed");
    const fresh = await f.window(s, "INBOX", 0, LIST_WINDOW_SIZE);
    expect(fresh.total).toBe(3);
    expect(fresh.rows[0]?.subject).toBe("right after signing in");
  });
});

describe("the server going away (last: stops the fixture)", () => {
  it("gives the browser the state and a typed error, and the bridge stays up", async () => {
    const u = f.user(4);
    const cookie = await signedIn(f.b, u.email, u.password);
    const s = await f.socketFor(cookie);
    await s.request({ type: "mailbox.open", id: "o4", path: "INBOX" });
    const from = s.frames.length;

    await f.mail.stop();
    // A busy CI machine can take seconds to hand the closed connections to the bridge; a
    // failure says which states the socket saw and what the bridge logged about them (states,
    // losses and refused logins only: every session's reconnect failures would crowd them out).
    await s
      .waitFor(
        (f) => s.frames.indexOf(f) >= from && f.type === "state" && f.imap === "reconnecting",
        "reconnecting",
        15_000,
      )
      .catch((err: Error) => {
        const states = s.ofType("state").map((f) => f.imap);
        const live = f.b.logs.text
          .split("\n")
          .filter((l) => /live: .*(connection (state|lost)|refused|start failed)/.test(l))
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
    const res = await fetch(`${f.b.url}/api/session`, { headers: { cookie } });
    expect(res.status).toBe(200);

    // Sign-ins, reconnects, killed and refused connections: none of it logged a password.
    expect(f.b.logs.text).toContain("live: connection lost");
    for (const u of f.mail.users) expect(f.b.logs.text).not.toContain(u.password);
  });
});
