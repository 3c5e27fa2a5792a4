/**
 * For the socket's unit tests: a WebSocket stand-in whose other side (the bridge) the test plays.
 * Every one made is kept in `FakeSocket.all`, in order; `sent` holds the frames the page sent.
 */
import { PROTOCOL_VERSION } from "@ferry/protocol";

export class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  closedWith: number | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  /** The page closes it. */
  close(code?: number) {
    this.closedWith = code ?? null;
    this.readyState = 3;
  }
  /** The bridge's hello. */
  hello(heartbeatMs = 25_000) {
    this.readyState = 1;
    this.push({ type: "hello", version: PROTOCOL_VERSION, email: "a@example.test", heartbeatMs });
  }
  /** A frame from the bridge. */
  push(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  /** The link drops. */
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}
