/**
 * When the page asks the bridge for the user's settings: lib/settings wired to a FerrySocket over
 * a fake WebSocket (the bridge's side played here). One `settings.get` per hello.
 */
import { describe, expect, it, vi } from "vitest";
import { FakeSocket } from "./test-fake-socket";

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
