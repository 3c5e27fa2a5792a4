/**
 * When the page asks the bridge for the user's settings: lib/settings wired to a FerrySocket over
 * a fake WebSocket (the bridge's side played here). One `settings.get` per hello.
 */
import { PROTOCOL_VERSION } from "@ferry/protocol";
import { describe, expect, it, vi } from "vitest";

class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.readyState = 3;
  }
  push(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  hello() {
    this.readyState = 1;
    this.push({
      type: "hello",
      version: PROTOCOL_VERSION,
      email: "a@example.test",
      heartbeatMs: 600_000,
    });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006 });
  }
}

vi.hoisted(() => {
  (globalThis as { location?: unknown }).location = { protocol: "http:", host: "test" };
  const store = new Map<string, string>();
  (globalThis as { localStorage?: unknown }).localStorage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
  };
});
vi.stubGlobal("WebSocket", FakeSocket);
// The compose hooks (React, path aliases) are not needed here: only the identities' query key.
vi.mock("@/hooks/use-compose", () => ({ identitiesKey: ["identities"] }));

const { socket } = await import("./mail-client");
const { startSettings } = await import("./settings");

const asked = (s: FakeSocket) => s.sent.filter((f) => f.type === "settings.get").length;

describe("settings from the bridge", () => {
  it("are asked for once per connection, also when the page starts before the first hello", async () => {
    socket.start();
    startSettings();
    const first = FakeSocket.all.at(-1);
    if (!first) throw new Error("no socket");
    first.hello();
    await vi.waitFor(() => expect(asked(first)).toBeGreaterThan(0));
    // Whatever was queued before the hello has been sent by now.
    await Promise.resolve();
    expect(asked(first)).toBe(1);

    first.drop();
    await vi.waitFor(() => expect(FakeSocket.all.length).toBe(2), { timeout: 5000 });
    const second = FakeSocket.all.at(-1) as FakeSocket;
    second.hello();
    await vi.waitFor(() => expect(asked(second)).toBe(1));
    socket.stop();
  });
});
