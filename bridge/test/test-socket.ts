/**
 * The bridge tests' WebSocket client: a real `ws` connection to a test bridge that keeps every
 * server frame, parsed and validated against the protocol, and lets a test await one (always
 * with a timeout; from a mark on, so that an earlier frame of the same type cannot answer);
 * opening one with a session's cookie, and an upgrade the bridge must refuse.
 */
import { parseServerFrame, type TClientFrameInput, type TServerFrame } from "@ferry/protocol";
import { WebSocket } from "ws";
import type { TestBridge } from "./harness";
import { withTimeout } from "./with-timeout";

/** A `ws` client that keeps every server frame, parsed and validated against the protocol. */
export class TestSocket {
  readonly frames: TServerFrame[] = [];
  readonly invalid: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: { pred: (f: TServerFrame) => boolean; resolve: (f: TServerFrame) => void }[] = [];
  #taken = new Set<TServerFrame>();

  constructor(readonly ws: WebSocket) {
    ws.on("error", () => {});
    ws.on("message", (data) => {
      const parsed = parseServerFrame(data.toString());
      if (!parsed.ok) {
        this.invalid.push(data.toString());
        return;
      }
      this.frames.push(parsed.frame);
      for (const w of this.#waiters) {
        if (!this.#taken.has(parsed.frame) && w.pred(parsed.frame)) {
          this.#taken.add(parsed.frame);
          this.#waiters = this.#waiters.filter((x) => x !== w);
          w.resolve(parsed.frame);
        }
      }
    });
    this.closed = new Promise((resolve) =>
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Where the frames received so far end: a `since` for waitFor that ignores all of them. */
  mark(): number {
    return this.frames.length;
  }

  /**
   * The first frame (received or to come) matching `pred` not already returned by waitFor;
   * with `since` (a mark()), only a frame received after that mark.
   */
  waitFor<T extends TServerFrame = TServerFrame>(
    pred: (f: TServerFrame) => boolean,
    what = "a frame",
    ms = 5000,
    since = 0,
  ): Promise<T> {
    const found = this.frames.slice(since).find((f) => !this.#taken.has(f) && pred(f));
    if (found) {
      this.#taken.add(found);
      return Promise.resolve(found as T);
    }
    return withTimeout(
      new Promise<T>((resolve) =>
        this.#waiters.push({ pred, resolve: resolve as (f: TServerFrame) => void }),
      ),
      ms,
      what,
    );
  }

  /** Frames of a type. */
  ofType<K extends TServerFrame["type"]>(type: K): Extract<TServerFrame, { type: K }>[] {
    return this.frames.filter((f): f is Extract<TServerFrame, { type: K }> => f.type === type);
  }

  send(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends a request and awaits the first reply carrying its id. */
  request(frame: TClientFrameInput, ms = 10_000): Promise<TServerFrame> {
    this.ws.send(JSON.stringify(frame));
    return this.waitFor((f) => "id" in f && f.id === frame.id, `reply to ${frame.id}`, ms);
  }

  close(): void {
    this.ws.close();
  }
}

/** Opens /ws with the cookie and an allowed Origin, and waits for `hello`. */
export async function openSocket(
  b: TestBridge,
  cookie: string,
  opts: { origin?: string; autoPong?: boolean } = {},
): Promise<TestSocket> {
  const ws = new WebSocket(b.wsUrl, {
    headers: { cookie, origin: opts.origin ?? b.origin },
    autoPong: opts.autoPong ?? true,
  });
  const socket = new TestSocket(ws);
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
      ws.once("error", reject);
    }),
    5000,
    "socket open",
  );
  await socket.waitFor((f) => f.type === "hello", "hello");
  return socket;
}

/**
 * Tries to open /ws and returns the HTTP status of the refusal, and whether any WebSocket
 * message arrived (it must not).
 */
export async function upgradeRefusal(
  b: TestBridge,
  headers: Record<string, string>,
): Promise<number> {
  const ws = new WebSocket(b.wsUrl, { headers });
  return withTimeout(
    new Promise<number>((resolve, reject) => {
      ws.on("error", () => {});
      ws.once("open", () => {
        ws.close();
        reject(new Error("the upgrade was accepted"));
      });
      ws.once("unexpected-response", (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        ws.terminate();
      });
    }),
    5000,
    "upgrade refusal",
  );
}
