/**
 * Caps that must hold however a client behaves, through a real bridge against the real Dovecot:
 * the session's upload quota under parallel chunked uploads (no Content-Length), and the
 * output the bridge holds for sockets that do not read (per socket and per session), which
 * ends in a close with CloseCode.notReading instead of growing memory.
 */
import { request } from "node:http";
import { startMailServer } from "@ferry/mail-server";
import { CloseCode, type TServerFrame, uploadUrl } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { sessionKey } from "../src/session/crypto";
import {
  MAX_BUFFERED_BYTES_PER_SESSION,
  MAX_BUFFERED_BYTES_PER_SOCKET,
} from "../src/ws/socket-server";
import {
  type MailServer,
  openSocket,
  signedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
  withTimeout,
} from "./harness";

let mail: MailServer;
const bridges: TestBridge[] = [];
let alice: { email: string; password: string };
let bob: { email: string; password: string };

beforeAll(async () => {
  mail = await startMailServer({ postfix: false });
  alice = mail.user("alice@example.test");
  bob = mail.user("bob@example.test");
});

afterAll(async () => {
  await Promise.all(bridges.map((b) => b.close()));
  await mail?.stop();
});

const MB = 1024 * 1024;

/**
 * Starts a chunked upload (no Content-Length) and sends its first half. `finish()` sends the
 * rest; `status` is the bridge's answer.
 */
function chunkedUpload(b: TestBridge, cookie: string, name: string, size: number) {
  const req = request(`${b.url}${uploadUrl(name)}`, {
    method: "POST",
    headers: { cookie, origin: b.origin, "content-type": "application/octet-stream" },
    agent: false,
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
  const half = Math.floor(size / 2);
  const firstHalf = new Promise<void>((resolve) =>
    req.write(Buffer.alloc(half, 1), () => resolve()),
  );
  return {
    answer,
    firstHalf,
    finish: () => {
      // the bridge may have refused it already and closed the connection
      req.on("error", () => undefined);
      req.end(Buffer.alloc(size - half, 2));
    },
  };
}

describe("the upload quota", () => {
  it("holds under parallel chunked uploads that each see the same free space", async () => {
    // 1 MB per file, 4 MB per session (4 × FERRY_MESSAGE_MAX_MB)
    const b = await startBridge(mail, {
      env: { FERRY_UPLOAD_MAX_MB: "1", FERRY_MESSAGE_MAX_MB: "1" },
    });
    bridges.push(b);
    const cookie = await signedIn(b, alice.email, alice.password);
    const size = 900 * 1024;
    const uploads = Array.from({ length: 8 }, (_, i) =>
      chunkedUpload(b, cookie, `f${i}.bin`, size),
    );
    // every upload is under way before any of them ends
    await Promise.all(uploads.map((u) => u.firstHalf));
    for (const u of uploads) u.finish();
    const answers = await withTimeout(
      Promise.all(uploads.map((u) => u.answer.catch(() => ({ status: 0, body: "" })))),
      20_000,
      "upload answers",
    );
    const statuses = answers.map((a) => a.status);
    const stored = statuses.filter((s) => s === 201).length;
    expect(stored * size).toBeLessThanOrEqual(4 * MB);
    expect(stored).toBe(4);
    // The others are refused (413, or cut off before the answer was read); any other answer is
    // shown whole, with the error the bridge gave.
    expect(answers.filter((a) => a.status !== 201 && a.status !== 413 && a.status !== 0)).toEqual(
      [],
    );
    expect(statuses.filter((s) => s === 413 || s === 0)).toHaveLength(4);
    const key = sessionKey(cookie.split("=")[1] ?? "");
    expect(b.bridge.compose.uploads.count(key)).toBe(4);
    // the quota is full: one more is refused
    const more = chunkedUpload(b, cookie, "more.bin", size);
    more.finish();
    expect((await more.answer.catch(() => ({ status: 0 }))).status).not.toBe(201);
    // the refused ones gave their reservations back: removing one stored file makes room for one
    const first = answers.find((a) => a.status === 201);
    const { uploadId } = JSON.parse(first?.body ?? "{}") as { uploadId: string };
    const removed = await fetch(`${b.url}/api/uploads/${uploadId}`, {
      method: "DELETE",
      headers: { cookie, origin: b.origin },
    });
    expect(removed.status).toBe(204);
    const again = chunkedUpload(b, cookie, "again.bin", size);
    again.finish();
    expect((await again.answer).status).toBe(201);
  });
});

describe("output held for sockets that do not read", () => {
  /** A frame of about `bytes` the bridge pushes (outgoing checks are off in this bridge). */
  const bulky = (bytes: number): TServerFrame => ({
    type: "error",
    code: "internal",
    message: "x".repeat(bytes),
  });

  async function setup() {
    const b = await startBridge(mail, { bridge: { checkOutgoingFrames: false } });
    bridges.push(b);
    const cookie = await signedIn(b, alice.email, alice.password);
    const live = b.bridge.sessions.live.get(sessionKey(cookie.split("=")[1] ?? ""));
    if (!live) throw new Error("no live session");
    return { b, cookie, live };
  }

  /** Pushes frames to the session until none of `server` is open; the most held at once. */
  function pushUntilClosed(
    b: TestBridge,
    live: Parameters<TestBridge["bridge"]["sockets"]["broadcast"]>[0],
    server: WebSocket[],
    frameBytes: number,
  ): { pushed: number; mostHeld: number } {
    let pushed = 0;
    let mostHeld = 0;
    const open = () => server.filter((s) => s.readyState === s.OPEN);
    while (open().length > 0 && pushed < 400 * MB) {
      b.bridge.sockets.broadcast(live, bulky(frameBytes));
      pushed += frameBytes;
      const held = open().reduce((sum, s) => sum + s.bufferedAmount, 0);
      mostHeld = Math.max(mostHeld, held);
    }
    return { pushed, mostHeld };
  }

  it("closes a socket that does not read with notReading once its output passes the cap", async () => {
    const { b, cookie, live } = await setup();
    const slow = await openSocket(b, cookie);
    const server = [...live.sockets];
    expect(server).toHaveLength(1);
    slow.ws.pause();
    const frame = 256 * 1024;
    const { mostHeld } = pushUntilClosed(b, live, server, frame);
    expect(mostHeld).toBeLessThanOrEqual(MAX_BUFFERED_BYTES_PER_SOCKET + frame + 1024);
    slow.ws.resume();
    const closed = await withTimeout(slow.closed, 10_000, "the slow socket's close");
    expect(closed.code).toBe(CloseCode.notReading);
  });

  it("caps what one session's sockets hold together; another session is not touched", async () => {
    const { b, cookie, live } = await setup();
    const slow: TestSocket[] = [];
    for (let i = 0; i < 4; i++) slow.push(await openSocket(b, cookie));
    const bobs = await openSocket(b, await signedIn(b, bob.email, bob.password));
    const server = [...live.sockets];
    expect(server).toHaveLength(4);
    for (const s of slow) s.ws.pause();
    const frame = 128 * 1024;
    const { mostHeld } = pushUntilClosed(b, live, server, frame);
    expect(mostHeld).toBeLessThanOrEqual(MAX_BUFFERED_BYTES_PER_SESSION + 4 * (frame + 1024));
    for (const s of slow) s.ws.resume();
    const codes = await withTimeout(
      Promise.all(slow.map((s) => s.closed.then((c) => c.code))),
      10_000,
      "the slow sockets' closes",
    );
    expect(codes).toEqual(slow.map(() => CloseCode.notReading));
    expect(await bobs.request({ type: "ping", id: "still-here" })).toMatchObject({ type: "pong" });
  });
});
