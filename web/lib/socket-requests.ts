/**
 * The socket's requests in flight (lib/socket.ts): each with its id, its serialized frame kept
 * until a socket has taken it, its timeout (for a multi-frame reply, counted from the last frame
 * received) and what settles it. Requests made while no socket is up wait here for the next one.
 */
import type { TServerFrame } from "@ferry/protocol";
import { FerryError } from "./errors";

interface Pending {
  /** Handles a frame carrying this request's id; returns true when the request is finished. */
  onFrame(frame: TServerFrame): boolean;
  fail(err: FerryError): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  timeoutMs: number;
  /** Serialized frame, kept until it has been written to a socket. */
  text: string;
  sent: boolean;
}

export class RequestTable {
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;

  /** `send` writes a frame to the socket up now; false when there is none (or it refused). */
  constructor(private readonly send: (text: string) => boolean) {}

  /** Gives `frame` the next id and sends it now or with the next socket. */
  add(frame: object, timeoutMs: number, onFrame: Pending["onFrame"], fail: Pending["fail"]): void {
    const id = String(this.nextId++);
    const p: Pending = {
      onFrame,
      fail,
      timer: undefined,
      timeoutMs,
      text: JSON.stringify({ ...frame, id }),
      sent: false,
    };
    this.pending.set(id, p);
    this.armTimer(id, p);
    this.flush();
  }

  /** Writes the requests not yet sent, in the order they were made. */
  flush(): void {
    for (const p of this.pending.values()) {
      if (p.sent) continue;
      if (!this.send(p.text)) return;
      p.sent = true;
    }
  }

  /** A frame answering request `id`: an `error` rejects it with a FerryError. */
  dispatch(id: string, frame: TServerFrame): void {
    const p = this.pending.get(id);
    if (!p) return; // a reply to a request that already timed out
    if (frame.type === "error") {
      this.finish(id);
      p.fail(new FerryError(frame.code, frame.message, { position: frame.position }));
      return;
    }
    if (p.onFrame(frame)) this.finish(id);
    else this.armTimer(id, p); // multi-frame replies: the timeout counts from the last frame
  }

  /** Fails the requests a lost socket had taken; those not yet written wait for the next one. */
  failSent(err: FerryError): void {
    for (const [id, p] of this.pending) {
      if (!p.sent) continue;
      this.finish(id);
      p.fail(err);
    }
  }

  failAll(err: FerryError): void {
    for (const [id, p] of this.pending) {
      this.finish(id);
      p.fail(err);
    }
  }

  private finish(id: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
  }

  private armTimer(id: string, p: Pending): void {
    clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      if (this.pending.get(id) !== p) return;
      this.pending.delete(id);
      p.fail(new FerryError("timeout", "No answer from Ferry in time"));
    }, p.timeoutMs);
  }
}
