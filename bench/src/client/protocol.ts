/**
 * A protocol client of the bridge, as the web app is one: POST /api/session for the cookie, one
 * `ws` socket with the bridge's Origin, every server frame validated with the protocol's parser
 * and stamped with its arrival time before parsing, requests awaited by id; which frame answers
 * a request comes from the protocol's REPLIES.
 */
import {
  isReplyTo,
  parseServerFrame,
  type TClientFrameInput,
  type TReplyFrameOf,
  type TRequestOf,
  type TServerFrame,
  type TServerFrameOf,
  type TServerFrameType,
  type TSingleReplyRequestType,
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

/** A frame of a known kind with its arrival time. */
export interface ArrivalOf<T extends TServerFrame> {
  frame: T;
  at: number;
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

  /** The first frame (already received and unclaimed, or to come) that `pred` accepts. */
  async waitFor<T extends TServerFrame>(
    pred: (f: TServerFrame) => f is T,
    what: string,
    ms: number,
  ): Promise<ArrivalOf<T>> {
    const i = this.unclaimed.findIndex((a) => pred(a.frame));
    const found = i >= 0 ? this.unclaimed.splice(i, 1)[0] : undefined;
    let waiter: Waiter | undefined;
    const arrival =
      found ??
      (await withTimeout(
        new Promise<Arrival>((resolve) => {
          waiter = { pred, resolve };
          this.waiters.push(waiter);
        }),
        ms,
        what,
      ).catch((err: unknown) => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        throw err;
      }));
    const frame = arrival.frame;
    if (!pred(frame)) throw new Error(`${what}: a frame it did not ask for`);
    return { frame, at: arrival.at };
  }

  /** The next frame of `type` matching `pred`. */
  next<K extends TServerFrameType>(
    type: K,
    pred: (f: TServerFrameOf<K>) => boolean,
    ms: number,
  ): Promise<ArrivalOf<TServerFrameOf<K>>> {
    const ofType = (f: TServerFrame): f is TServerFrameOf<K> => f.type === type;
    return this.waitFor((f): f is TServerFrameOf<K> => ofType(f) && pred(f), `a ${type} frame`, ms);
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
   * Sends a request and awaits its reply, the frame the protocol's REPLIES names for it (an
   * `error` reply rejects). Returns the reply and its arrival time.
   */
  async request<K extends TSingleReplyRequestType>(
    frame: TRequestOf<K> & { type: K; id: string },
    ms = 30_000,
  ): Promise<ArrivalOf<TReplyFrameOf<K>>> {
    const id = frame.id;
    const type: K = frame.type;
    const answers = (f: TServerFrame): f is TReplyFrameOf<K> | TServerFrameOf<"error"> =>
      "id" in f && f.id === id && (f.type === "error" || isReplyTo(type, f));
    const pending = this.waitFor(answers, `the reply to ${type}`, ms);
    this.ws.send(JSON.stringify(frame));
    const { frame: reply, at }: Arrival = await pending;
    if (reply.type === "error") {
      throw new Error(`${type} failed: ${reply.code}: ${reply.message}`);
    }
    if (!isReplyTo(type, reply)) throw new Error(`${type}: answered with ${reply.type}`);
    return { frame: reply, at };
  }

  close(): void {
    this.ws.close();
  }
}
