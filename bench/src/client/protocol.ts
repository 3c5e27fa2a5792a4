/**
 * A protocol client of the bridge, as the web app is one: POST /api/session for the cookie, one
 * `ws` socket with the bridge's Origin, every server frame validated with the protocol's parser
 * and stamped with its arrival time before parsing, requests awaited by id.
 */
import {
  parseServerFrame,
  type TClientFrameInput,
  type TServerFrame,
  type TServerFrameOf,
  type TServerFrameType,
} from "@ferry/protocol";
import { WebSocket } from "ws";
import { nowMs, withTimeout } from "../progress";
import type { Account } from "../stack/mail";

export interface BridgeAddress {
  url: string;
  origin: string;
  wsUrl: string;
}

/** A frame with its arrival time (nowMs()). */
export interface Arrival {
  frame: TServerFrame;
  at: number;
}

interface Waiter {
  pred: (f: TServerFrame) => boolean;
  resolve: (a: Arrival) => void;
}

/** POST /api/session; returns the `ferry_session=…` cookie pair. Throws on anything but 2xx. */
export async function signIn(bridge: BridgeAddress, user: Account): Promise<string> {
  const res = await fetch(`${bridge.url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: bridge.origin },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  const body = await res.text();
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  if (!res.ok || !cookie) throw new Error(`sign-in of ${user.email} failed: ${res.status} ${body}`);
  return cookie;
}

/** DELETE /api/session: closes the session's sockets and IMAP connections. */
export async function signOut(bridge: BridgeAddress, cookie: string): Promise<void> {
  const res = await fetch(`${bridge.url}/api/session`, {
    method: "DELETE",
    headers: { cookie, origin: bridge.origin },
  });
  await res.arrayBuffer();
}

export class ProtocolClient {
  /** Frames nobody waited for yet (the last few hundred). */
  private readonly unclaimed: Arrival[] = [];
  private waiters: Waiter[] = [];
  private nextId = 0;
  readonly invalid: string[] = [];
  readonly closed: Promise<number>;

  private constructor(private readonly ws: WebSocket) {
    ws.on("error", () => {});
    ws.on("message", (data: Buffer) => {
      const at = nowMs();
      const text = data.toString();
      const parsed = parseServerFrame(text);
      if (!parsed.ok) {
        this.invalid.push(text.slice(0, 200));
        return;
      }
      const arrival = { frame: parsed.frame, at };
      const waiter = this.waiters.find((w) => w.pred(parsed.frame));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(arrival);
        return;
      }
      this.unclaimed.push(arrival);
      if (this.unclaimed.length > 500) this.unclaimed.shift();
    });
    this.closed = new Promise((resolve) => ws.once("close", (code) => resolve(code)));
  }

  /** Opens /ws with the session cookie and waits for `hello`. */
  static async open(bridge: BridgeAddress, cookie: string): Promise<ProtocolClient> {
    const ws = new WebSocket(bridge.wsUrl, { headers: { cookie, origin: bridge.origin } });
    const client = new ProtocolClient(ws);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("unexpected-response", (_req, res) =>
          reject(new Error(`socket upgrade refused: ${res.statusCode}`)),
        );
        ws.once("error", reject);
      }),
      15_000,
      "the socket to open",
    );
    await client.next("hello", () => true, 15_000);
    return client;
  }

  /** The first frame (already received and unclaimed, or to come) matching `pred`. */
  waitFor(pred: (f: TServerFrame) => boolean, what: string, ms: number): Promise<Arrival> {
    const i = this.unclaimed.findIndex((a) => pred(a.frame));
    const found = i >= 0 ? this.unclaimed.splice(i, 1)[0] : undefined;
    if (found) return Promise.resolve(found);
    let waiter: Waiter | undefined;
    const arrival = new Promise<Arrival>((resolve) => {
      waiter = { pred, resolve };
      this.waiters.push(waiter);
    });
    return withTimeout(arrival, ms, what).catch((err: unknown) => {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      throw err;
    });
  }

  /** The next frame of `type` matching `pred`. */
  async next<K extends TServerFrameType>(
    type: K,
    pred: (f: TServerFrameOf<K>) => boolean,
    ms: number,
  ): Promise<{ frame: TServerFrameOf<K>; at: number }> {
    const a = await this.waitFor(
      (f) => f.type === type && pred(f as TServerFrameOf<K>),
      `a ${type} frame`,
      ms,
    );
    return { frame: a.frame as TServerFrameOf<K>, at: a.at };
  }

  /** A new request id. */
  id(): string {
    this.nextId += 1;
    return `b${this.nextId}`;
  }

  /** Sends a request (without waiting). */
  send(frame: TClientFrameInput): void {
    this.ws.send(JSON.stringify(frame));
  }

  /**
   * Sends a request and awaits its reply of `type` (an `error` reply rejects). Returns the reply
   * and its arrival time.
   */
  async request<K extends TServerFrameType>(
    frame: TClientFrameInput,
    type: K,
    ms = 30_000,
  ): Promise<{ frame: TServerFrameOf<K>; at: number }> {
    const id = frame.id;
    const pending = this.waitFor(
      (f) => "id" in f && f.id === id && (f.type === type || f.type === "error"),
      `the ${type} reply to ${frame.type}`,
      ms,
    );
    this.send(frame);
    const a = await pending;
    if (a.frame.type === "error") {
      throw new Error(`${frame.type} failed: ${a.frame.code}: ${a.frame.message}`);
    }
    return { frame: a.frame as TServerFrameOf<K>, at: a.at };
  }

  close(): void {
    this.ws.close();
  }
}
