import { CloseCode, PROTOCOL_VERSION } from "@ferry/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FerryError } from "./errors";
import { backoffDelay, FerrySocket } from "./socket";
import { FakeSocket } from "./test-fake-socket";

function makeSocket(extra: Partial<ConstructorParameters<typeof FerrySocket>[0]> = {}) {
  return new FerrySocket({
    url: () => "ws://test/ws",
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    random: () => 0.5,
    ...extra,
  });
}

const last = () => {
  const s = FakeSocket.all[FakeSocket.all.length - 1];
  if (!s) throw new Error("no socket");
  return s;
};

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe("FerrySocket", () => {
  it("queues requests until the hello, then resolves replies by id", async () => {
    const s = makeSocket();
    s.start();
    const reply = s.request({ type: "mailboxes.list" });
    expect(last().sent).toHaveLength(0);
    last().hello();
    expect(s.getStatus()).toBe("online");
    const sent = last().sent[0];
    expect(sent).toMatchObject({ type: "mailboxes.list" });
    last().push({ type: "mailboxes", id: sent?.id, mailboxes: [] });
    await expect(reply).resolves.toMatchObject({ type: "mailboxes", mailboxes: [] });
  });

  it("rejects with the error code of an error reply", async () => {
    const s = makeSocket();
    s.start();
    last().hello();
    const reply = s.request({
      type: "list.window",
      mailbox: "INBOX",
      offset: 0,
      limit: 10,
      query: "(",
    });
    last().push({
      type: "error",
      id: last().sent[0]?.id,
      code: "search_syntax",
      message: "x",
      position: 0,
    });
    await expect(reply).rejects.toMatchObject({ code: "search_syntax", position: 0 });
  });

  it("ignores frames that do not match the protocol", () => {
    const s = makeSocket();
    const events: unknown[] = [];
    s.onEvent((e) => events.push(e));
    s.start();
    last().hello();
    last().push({ type: "mailbox.status", mailbox: "INBOX", messages: -1, unseen: 0 });
    last().push({ type: "mailboxes.changed" });
    expect(events).toEqual([{ type: "mailboxes.changed" }]);
  });

  it("marks a read-ahead open as background, and leaves the user's own open unmarked", () => {
    const s = makeSocket();
    s.start();
    last().hello();
    const handlers = { onHeader: () => undefined, onBody: () => undefined };
    void s.openMessage({ mailbox: "INBOX", uidValidity: 1, uid: 5 }, handlers, {
      background: true,
    });
    void s.openMessage({ mailbox: "INBOX", uidValidity: 1, uid: 6 }, handlers);
    expect(last().sent.map((f) => [f.type, f.background])).toEqual([
      ["message.open", true],
      ["message.open", undefined],
    ]);
  });

  it("streams a message: header, body chunks, end", async () => {
    const s = makeSocket();
    s.start();
    last().hello();
    const ref = { mailbox: "INBOX", uidValidity: 1, uid: 5 };
    const chunks: string[] = [];
    let header = false;
    const done = s.openMessage(ref, {
      onHeader: () => {
        header = true;
      },
      onBody: (b) => chunks.push(b.chunk),
    });
    const id = last().sent[0]?.id;
    const envelope = {
      date: null,
      subject: "s",
      from: [],
      sender: [],
      replyTo: [],
      to: [],
      cc: [],
      bcc: [],
      messageId: null,
      inReplyTo: null,
    };
    const structure = {
      part: "1",
      type: "text/plain",
      charset: null,
      disposition: null,
      filename: null,
      contentId: null,
      size: 1,
      encoding: null,
      children: [],
    };
    last().push({
      type: "message.header",
      id,
      ref,
      envelope,
      flags: [],
      size: 1,
      structure,
      attachments: [],
      bodyParts: [{ part: "1", type: "text/plain" }],
      references: [],
      listUnsubscribe: null,
    });
    for (const [seq, chunk] of ["a", "b"].entries()) {
      last().push({
        type: "message.body",
        id,
        ref,
        part: "1",
        contentType: "text/plain",
        seq,
        chunk,
        done: seq === 1,
      });
    }
    last().push({ type: "message.end", id, ref });
    await done;
    expect(header).toBe(true);
    expect(chunks).toEqual(["a", "b"]);
  });

  it("refuses a requestNow at once while not connected, and sends it once online", async () => {
    const s = makeSocket();
    s.start();
    const early = s.requestNow({ type: "snooze.wake", ids: ["a"] });
    await expect(early).rejects.toMatchObject({ code: "network" });
    last().hello();
    expect(last().sent).toHaveLength(0); // the refused one was never kept to go out later
    const reply = s.requestNow({ type: "mailboxes.list" });
    const sent = last().sent[0];
    expect(sent).toMatchObject({ type: "mailboxes.list" });
    last().push({ type: "mailboxes", id: sent?.id, mailboxes: [] });
    await expect(reply).resolves.toMatchObject({ type: "mailboxes" });
  });

  it("times out a request that gets no answer", async () => {
    const s = makeSocket({ requestTimeoutMs: 1000 });
    s.start();
    last().hello();
    const reply = s.request({ type: "mailboxes.list" });
    vi.advanceTimersByTime(1001);
    await expect(reply).rejects.toBeInstanceOf(FerryError);
    await expect(reply).rejects.toMatchObject({ code: "timeout" });
  });

  it("reconnects with back-off, fails what was in flight and ignores the old socket", async () => {
    const s = makeSocket();
    const opens: boolean[] = [];
    s.onOpen((o) => opens.push(o.reconnect));
    s.start();
    const first = last();
    first.hello();
    const inflight = s.request({ type: "mailboxes.list" });
    const firstOnMessage = first.onmessage;
    first.drop();
    await expect(inflight).rejects.toMatchObject({ code: "connection_lost" });
    expect(s.getStatus()).toBe("reconnecting");
    vi.advanceTimersByTime(backoffDelay(0, 500, 30_000, () => 0.5));
    expect(FakeSocket.all).toHaveLength(2);
    const events: unknown[] = [];
    s.onEvent((e) => events.push(e));
    firstOnMessage?.({ data: JSON.stringify({ type: "mailboxes.changed" }) });
    expect(events).toEqual([]);
    last().hello();
    expect(opens).toEqual([false, true]);
    expect(s.getStatus()).toBe("online");
  });

  it("treats close code 4001 as signed out and stops", () => {
    const s = makeSocket();
    let signedOut = false;
    s.onSignedOut(() => {
      signedOut = true;
    });
    s.start();
    last().hello();
    last().drop(CloseCode.signedOut);
    expect(signedOut).toBe(true);
    expect(s.getStatus()).toBe("signedOut");
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it("pings and gives up on a silent socket", () => {
    const s = makeSocket();
    s.start();
    last().hello(1000);
    vi.advanceTimersByTime(1000);
    expect(last().sent.some((f) => f.type === "ping")).toBe(true);
    vi.advanceTimersByTime(5000);
    expect(FakeSocket.all[0]?.closedWith).toBe(CloseCode.dead);
  });

  it("stops using a socket whose hello names another protocol version, and says so", async () => {
    const s = makeSocket();
    const heard: Array<number | null> = [];
    s.onVersionMismatch(({ bridgeVersion }) => heard.push(bridgeVersion));
    const opens: boolean[] = [];
    s.onOpen((o) => opens.push(o.reconnect));
    s.start();
    const request = s.request({ type: "mailboxes.list" });
    const first = last();
    first.readyState = 1;
    first.push({ type: "hello", version: PROTOCOL_VERSION + 1, email: "a@x.test", heartbeatMs: 1 });
    expect(heard).toEqual([PROTOCOL_VERSION + 1]);
    expect(first.closedWith).toBe(CloseCode.versionMismatch);
    expect(first.sent).toEqual([]);
    expect(opens).toEqual([]);
    expect(s.getStatus()).toBe("outdated");
    // it keeps trying (the bridge may be rolled back), and stays outdated meanwhile
    vi.advanceTimersByTime(backoffDelay(0, 500, 30_000, () => 0.5));
    expect(FakeSocket.all).toHaveLength(2);
    expect(s.getStatus()).toBe("outdated");
    last().drop(CloseCode.versionMismatch);
    expect(s.getStatus()).toBe("outdated");
    expect(heard).toEqual([PROTOCOL_VERSION + 1, PROTOCOL_VERSION + 1]);
    vi.advanceTimersByTime(backoffDelay(1, 500, 30_000, () => 0.5));
    last().hello();
    expect(s.getStatus()).toBe("online");
    const sent = last().sent[0];
    last().push({ type: "mailboxes", id: sent?.id, mailboxes: [] });
    await expect(request).resolves.toMatchObject({ type: "mailboxes" });
  });

  it("reads the version of a hello it cannot parse, and a versionMismatch close without one", () => {
    const s = makeSocket();
    const heard: Array<number | null> = [];
    s.onVersionMismatch(({ bridgeVersion }) => heard.push(bridgeVersion));
    s.start();
    last().readyState = 1;
    last().push({ type: "hello", version: PROTOCOL_VERSION + 2, account: { id: 1 } });
    expect(heard).toEqual([PROTOCOL_VERSION + 2]);
    s.stop();
    s.start();
    last().drop(CloseCode.versionMismatch);
    expect(heard).toEqual([PROTOCOL_VERSION + 2, null]);
    expect(s.getStatus()).toBe("outdated");
  });
});

describe("backoffDelay", () => {
  it("grows exponentially, is capped and jittered", () => {
    expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffDelay(20, 500, 30_000, () => 1)).toBe(30_000);
  });
});
