/**
 * The socket against the real fixture: authentication before the upgrade, hello, validation of
 * every frame, the size and rate caps, the heartbeat, replies to the requesting socket only,
 * sign-out, and one session's trouble never touching another.
 */

import { startMailServer } from "@ferry/mail-server";
import {
  CloseCode,
  MAX_CLIENT_FRAME_BYTES,
  PROTOCOL_VERSION,
  type TServerFrame,
} from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { sessionKey } from "../src/session/crypto";
import { MemorySessionStore } from "../src/session/store";
import {
  FRAME_BURST,
  HARD_MAX_FRAME_BYTES,
  MAX_SOCKETS_PER_SESSION,
} from "../src/ws/socket-server";
import {
  type MailServer,
  openSocket,
  signedIn,
  startBridge,
  type TestBridge,
  TestSocket,
  upgradeRefusal,
  withTimeout,
} from "./harness";

let mail: MailServer;
let b: TestBridge;
const bridges: TestBridge[] = [];
let alice: { email: string; password: string };
let bob: { email: string; password: string };

beforeAll(async () => {
  mail = await startMailServer({ postfix: false });
  alice = mail.user("alice@example.test");
  bob = mail.user("bob@example.test");
  b = await startBridge(mail);
  bridges.push(b);
});

afterAll(async () => {
  await Promise.all(bridges.map((x) => x.close()));
  await mail?.stop();
});

const isError = (code: string, id?: string) => (f: TServerFrame) =>
  f.type === "error" && f.code === code && (id === undefined || f.id === id);

describe("upgrade", () => {
  it("is refused before upgrading without a valid cookie or from a bad Origin", async () => {
    const cookie = await signedIn(b, alice.email, alice.password);
    expect(await upgradeRefusal(b, { origin: b.origin })).toBe(401);
    expect(await upgradeRefusal(b, { origin: b.origin, cookie: "ferry_session=nope" })).toBe(401);
    expect(
      await upgradeRefusal(b, { origin: b.origin, cookie: `ferry_session=${"x".repeat(43)}` }),
    ).toBe(401);
    expect(await upgradeRefusal(b, { origin: "https://evil.example", cookie })).toBe(403);
    expect(await upgradeRefusal(b, { cookie })).toBe(403);
    // a plain GET of /ws is not an upgrade
    const plain = await fetch(`${b.url}/ws`, { headers: { cookie } });
    expect(plain.status).toBe(426);
  });

  it("greets with hello (version, email, heartbeat) and the connection state", async () => {
    const cookie = await signedIn(b, alice.email, alice.password);
    const s = await openSocket(b, cookie);
    expect(s.frames[0]).toEqual({
      type: "hello",
      version: 1,
      email: alice.email,
      heartbeatMs: b.config.heartbeatMs,
    });
    await s.waitFor((f) => f.type === "state" && f.imap === "online", "state online");
    s.close();
  });
});

describe("protocol version", () => {
  it("a client naming another version gets the bridge's hello, then the versionMismatch close", async () => {
    const newer = await startBridge(mail, { bridge: { protocolVersion: PROTOCOL_VERSION + 1 } });
    bridges.push(newer);
    const cookie = await signedIn(newer, alice.email, alice.password);
    const connect = (query: string) =>
      new TestSocket(
        new WebSocket(`${newer.wsUrl}${query}`, { headers: { cookie, origin: newer.origin } }),
      );
    const hello = {
      type: "hello",
      version: PROTOCOL_VERSION + 1,
      email: alice.email,
      heartbeatMs: newer.config.heartbeatMs,
    };
    // this build's version, no version (the clients before versions were named), not a version
    for (const query of [`?v=${PROTOCOL_VERSION}`, "", "?v=junk"]) {
      const old = connect(query);
      const closed = await withTimeout(old.closed, 5000, `closed (${query})`);
      expect(closed.code).toBe(CloseCode.versionMismatch);
      expect(old.frames).toEqual([hello]);
    }
    const current = connect(`?v=${PROTOCOL_VERSION + 1}`);
    await current.waitFor((f) => f.type === "state" && f.imap === "online", "state online");
    expect(current.frames[0]).toEqual(hello);
    current.close();
  });
});

describe("frames", () => {
  let s: TestSocket;
  beforeAll(async () => {
    s = await openSocket(b, await signedIn(b, alice.email, alice.password));
  });

  it("answer malformed, unknown and binary frames with typed errors; the socket stays usable", async () => {
    s.send("{not json");
    expect(await s.waitFor(isError("bad_request"), "bad JSON error")).not.toHaveProperty("id");
    s.send(JSON.stringify({ type: "mailbox.delete", id: "u1" }));
    await s.waitFor(isError("bad_request", "u1"), "unknown type error");
    s.send(
      JSON.stringify({ type: "list.window", id: "u2", mailbox: "INBOX", offset: -1, limit: 5 }),
    );
    const invalid = await s.waitFor(isError("bad_request", "u2"), "schema error");
    expect(invalid.type === "error" && invalid.message).toMatch(/offset/);
    s.send(JSON.stringify([1, 2, 3]));
    s.send("null");
    s.send(Buffer.from([1, 2, 3]), true);
    const binary = await s.waitFor(
      (f) => f.type === "error" && /Binary/.test(f.message),
      "binary frame error",
    );
    expect(binary).toMatchObject({ code: "bad_request" });
    expect(await s.request({ type: "ping", id: "p1" })).toEqual({ type: "pong", id: "p1" });
    expect(s.invalid).toEqual([]);
  });

  it("answer a frame over the cap with frame_too_large and keep the socket open", async () => {
    const big = JSON.stringify({
      type: "ping",
      id: "big",
      pad: "x".repeat(MAX_CLIENT_FRAME_BYTES),
    });
    s.send(big);
    // the id comes back, so the browser can fail that request instead of waiting for a reply
    expect(await s.waitFor(isError("frame_too_large"), "frame_too_large")).toMatchObject({
      id: "big",
    });
    expect(await s.request({ type: "ping", id: "after-big" })).toMatchObject({ type: "pong" });
  });

  it("close the socket with 1009 for a frame past the hard cap, unread", async () => {
    const t = await openSocket(b, await signedIn(b, alice.email, alice.password));
    t.send("x".repeat(HARD_MAX_FRAME_BYTES + 1));
    expect((await withTimeout(t.closed, 5000, "close")).code).toBe(1009);
  });

  it("rate-limit a burst with rate_limited errors carrying the request ids", async () => {
    const t = await openSocket(b, await signedIn(b, alice.email, alice.password));
    const n = FRAME_BURST + 50;
    for (let i = 0; i < n; i++) t.send(JSON.stringify({ type: "ping", id: `r${i}` }));
    const replies = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        t.waitFor((f) => "id" in f && f.id === `r${i}`, `reply r${i}`),
      ),
    );
    const pongs = replies.filter((f) => f.type === "pong").length;
    const limited = replies.filter(isError("rate_limited")).length;
    expect(pongs + limited).toBe(n);
    expect(pongs).toBeGreaterThanOrEqual(FRAME_BURST);
    expect(limited).toBeGreaterThan(0);
    // the bucket refills: the socket is usable again
    await vi.waitFor(
      async () =>
        expect((await t.request({ type: "ping", id: `again-${Math.random()}` })).type).toBe("pong"),
      {
        timeout: 3000,
        interval: 50,
      },
    );
    t.close();
  });

  it("close a socket that keeps flooding with 1008", async () => {
    const t = await openSocket(b, await signedIn(b, alice.email, alice.password));
    for (let i = 0; i < 500; i++) t.send(JSON.stringify({ type: "ping", id: `f${i}` }));
    expect((await withTimeout(t.closed, 5000, "close")).code).toBe(1008);
  });
});

describe("sessions and sockets", () => {
  it("sends replies only to the requesting socket", async () => {
    const cookie = await signedIn(b, alice.email, alice.password);
    const one = await openSocket(b, cookie);
    const two = await openSocket(b, cookie);
    await one.request({ type: "mailbox.open", id: "open-1", path: "INBOX" });
    await two.request({ type: "ping", id: "two-1" });
    expect(two.frames.some((f) => "id" in f && f.id === "open-1")).toBe(false);
    expect(one.frames.some((f) => "id" in f && f.id === "two-1")).toBe(false);
    one.close();
    two.close();
  });

  it("pushes the session's events to every socket of that session, and only there", async () => {
    const aliceSocket = await openSocket(b, await signedIn(b, alice.email, alice.password));
    const cookie = await signedIn(b, bob.email, bob.password);
    const one = await openSocket(b, cookie);
    const two = await openSocket(b, cookie);
    await one.waitFor((f) => f.type === "state" && f.imap === "online", "online");
    const subject = `event test ${Date.now()}`;
    await mail.deliver(
      `From: carol@example.test\r\nTo: ${bob.email}\r\nSubject: ${subject}\r\nMessage-ID: <ev-${Date.now()}@example.test>\r\n\r\nhello\r\n`,
      { from: "carol@example.test", to: [bob.email] },
    );
    const isNew = (f: TServerFrame) =>
      f.type === "messages.new" &&
      f.mailbox === "INBOX" &&
      f.rows.some((r) => r.subject === subject);
    await one.waitFor(isNew, "messages.new on socket one");
    await two.waitFor(isNew, "messages.new on socket two");
    await aliceSocket.request({ type: "ping", id: "alice-after" });
    expect(aliceSocket.frames.some(isNew)).toBe(false);
    for (const s of [aliceSocket, one, two]) s.close();
  });

  it("reads through the session's IMAP connection", async () => {
    const s = await openSocket(b, await signedIn(b, alice.email, alice.password));
    const boxes = await s.request({ type: "mailboxes.list", id: "m1" });
    expect(boxes.type === "mailboxes" && boxes.mailboxes.map((m) => m.path)).toContain("INBOX");
    const opened = await s.request({ type: "mailbox.open", id: "m2", path: "INBOX" });
    expect(opened).toMatchObject({ type: "mailbox.opened", mailbox: "INBOX", readOnly: false });
    const window = await s.request({
      type: "list.window",
      id: "m3",
      mailbox: "INBOX",
      offset: 0,
      limit: 50,
    });
    expect(window).toMatchObject({ type: "list.window", mailbox: "INBOX", offset: 0 });
    const bad = await s.request({
      type: "list.window",
      id: "m4",
      mailbox: "INBOX",
      offset: 0,
      limit: 50,
      query: 'subject:"unclosed',
    });
    expect(bad).toMatchObject({ type: "error", code: "search_syntax", id: "m4" });
    expect(bad.type === "error" && typeof bad.position).toBe("number");
    const missing = await s.request({ type: "mailbox.open", id: "m5", path: "No/Such/Folder" });
    expect(missing).toMatchObject({ type: "error", id: "m5" });
    s.close();
  });

  it("caps the sockets one session may open; closing one makes room", async () => {
    const cookie = await signedIn(b, bob.email, bob.password);
    const open: TestSocket[] = [];
    for (let i = 0; i < MAX_SOCKETS_PER_SESSION; i++) open.push(await openSocket(b, cookie));
    expect(await upgradeRefusal(b, { cookie, origin: b.origin })).toBe(429);
    // another session is not affected
    const other = await openSocket(b, await signedIn(b, bob.email, bob.password));
    other.close();
    open.pop()?.close();
    await vi.waitFor(async () => {
      const again = await openSocket(b, cookie);
      open.push(again);
    });
    expect(await open.at(-1)?.request({ type: "ping", id: "room" })).toMatchObject({
      type: "pong",
    });
    for (const s of open) s.close();
  });

  it("heartbeat terminates a socket that stops answering pings", async () => {
    const fast = await startBridge(mail, { config: { heartbeatMs: 100 } });
    bridges.push(fast);
    const cookie = await signedIn(fast, alice.email, alice.password);
    const deaf = await openSocket(fast, cookie, { autoPong: false });
    const alive = await openSocket(fast, cookie);
    expect(deaf.frames[0]).toMatchObject({ type: "hello", heartbeatMs: 100 });
    expect((await withTimeout(deaf.closed, 3000, "deaf socket terminated")).code).toBe(1006);
    expect(await alive.request({ type: "ping", id: "still-here" })).toMatchObject({ type: "pong" });
    alive.close();
  });

  it("one session's trouble does not touch another", async () => {
    const a = await openSocket(b, await signedIn(b, alice.email, alice.password));
    const bobCookie = await signedIn(b, bob.email, bob.password);
    const flood = await openSocket(b, bobCookie);
    const bobOther = await openSocket(b, bobCookie);
    await a.request({ type: "mailbox.open", id: "a-open", path: "INBOX" });

    // bob: garbage, a flood that gets his socket closed, and his IMAP connections killed
    flood.send("garbage");
    for (let i = 0; i < 500; i++) flood.send(JSON.stringify({ type: "ping", id: `x${i}` }));
    expect((await withTimeout(flood.closed, 5000, "flood closed")).code).toBe(1008);
    await mail.killConnections(bob.email);

    // alice is untouched
    expect(await a.request({ type: "mailboxes.list", id: "a-list" })).toMatchObject({
      type: "mailboxes",
    });
    expect(
      await a.request({ type: "list.window", id: "a-win", mailbox: "INBOX", offset: 0, limit: 10 }),
    ).toMatchObject({ type: "list.window" });
    // bob's other socket still answers, and his session recovers its IMAP connection
    await vi.waitFor(
      async () => {
        const r = await bobOther.request({ type: "mailboxes.list", id: `b-${Math.random()}` });
        expect(r.type).toBe("mailboxes");
      },
      { timeout: 10_000, interval: 100 },
    );
    a.close();
    bobOther.close();
  });

  it("resumes a session from the store after the live objects are gone (restart)", async () => {
    const store = new MemorySessionStore();
    const first = await startBridge(mail, { bridge: { store } });
    const cookie = await signedIn(first, alice.email, alice.password);
    const before = await openSocket(first, cookie);
    await first.close();
    expect((await withTimeout(before.closed, 5000, "closed by shutdown")).code).toBe(1001);

    const second = await startBridge(mail, { bridge: { store } });
    bridges.push(second);
    const after = await openSocket(second, cookie);
    expect(after.frames[0]).toMatchObject({ type: "hello", email: alice.email });
    expect(await after.request({ type: "mailboxes.list", id: "resumed" })).toMatchObject({
      type: "mailboxes",
    });
    // a bridge with another secret cannot open the stored password: the session is over
    const third = await startBridge(mail, {
      bridge: { store },
      config: { sessionSecret: "another-secret-another-secret-another!" },
    });
    bridges.push(third);
    after.close();
    expect(await upgradeRefusal(third, { cookie, origin: third.origin })).toBe(401);
    await store.close();
  });

  it("closes the sockets and IMAP of a session whose record expired", async () => {
    const cookie = await signedIn(b, bob.email, bob.password);
    const s = await openSocket(b, cookie);
    const key = sessionKey(cookie.split("=")[1] ?? "");
    expect(b.bridge.sessions.live.get(key)).toBeDefined();
    await b.bridge.sessions.store.delete(key); // as the idle TTL (or another bridge) would
    await b.bridge.sessions.manager.sweep();
    expect((await withTimeout(s.closed, 5000, "closed")).code).toBe(4001);
    expect(b.bridge.sessions.live.get(key)).toBeUndefined();
  });

  it("keeps a session with an open tab signed in past the idle time, and expires it once the tab is gone", async () => {
    let now = Date.now();
    const store = new MemorySessionStore({ now: () => now });
    const clocked = await startBridge(mail, { bridge: { store } });
    bridges.push(clocked);
    const ttl = clocked.config.sessionIdleTtlMs;
    const cookie = await signedIn(clocked, alice.email, alice.password);
    const tab = await openSocket(clocked, cookie);
    // The tab stays open (no HTTP request, only the socket) for longer than the idle time.
    for (let elapsed = 0; elapsed <= ttl * 1.5; elapsed += ttl / 4) {
      now += ttl / 4;
      await clocked.bridge.sessions.manager.sweep();
    }
    expect(await tab.request({ type: "mailboxes.list", id: "still-signed-in" })).toMatchObject({
      type: "mailboxes",
    });
    expect(tab.frames.some((f) => f.type === "error")).toBe(false);

    tab.close();
    await withTimeout(tab.closed, 5000, "tab closed");
    await vi.waitFor(() => expect(clocked.bridge.sockets.clients.size).toBe(0));
    now += ttl + 1;
    await clocked.bridge.sessions.manager.sweep();
    expect(await upgradeRefusal(clocked, { cookie, origin: clocked.origin })).toBe(401);
    await store.close();
  });

  it("sign-out closes every socket of the session with 4001", async () => {
    const cookie = await signedIn(b, alice.email, alice.password);
    const sockets = await Promise.all([openSocket(b, cookie), openSocket(b, cookie)]);
    const res = await fetch(`${b.url}/api/session`, {
      method: "DELETE",
      headers: { cookie, origin: b.origin },
    });
    expect(res.status).toBe(204);
    for (const s of sockets) {
      expect((await withTimeout(s.closed, 5000, "closed")).code).toBe(4001);
    }
    expect(await upgradeRefusal(b, { cookie, origin: b.origin })).toBe(401);
  });
});
