/**
 * The list view right after a sign-in in a browser new to the account: the sign-in answer tells
 * the user's saved view (one row per message here), and lib/settings shows it until the socket
 * brings the settings, which take over from then on. lib/session and lib/settings wired to a
 * FerrySocket over a fake WebSocket; the bridge's HTTP answer and its socket played here.
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
vi.mock("@/hooks/use-compose", () => ({ identitiesKey: ["identities"] }));
const answer = vi.hoisted(() => ({ conversations: false as boolean | undefined }));
vi.mock("./api", () => ({
  signIn: async (request: { email: string }) => ({
    email: request.email,
    protocolVersion: 1,
    ...(answer.conversations === undefined ? {} : { conversations: answer.conversations }),
  }),
  signOut: async () => true,
  fetchSession: async () => null,
}));

const { socket } = await import("./mail-client");
const { getSettings, settingsKnown, startSettings, DEFAULT_USER_SETTINGS } = await import(
  "./settings"
);
const session = await import("./session");

const SIGN_IN = { email: "ann@example.test", password: "pw" };

/** The bridge answers the page's `settings.get` on `s` with `conversations` at revision `rev`. */
async function answerSettings(s: FakeSocket, conversations: boolean, rev: number): Promise<void> {
  await vi.waitFor(() => expect(s.sent.some((f) => f.type === "settings.get")).toBe(true));
  const asked = s.sent.find((f) => f.type === "settings.get");
  s.push({
    type: "settings",
    id: asked?.id,
    settings: { ...DEFAULT_USER_SETTINGS, conversations },
    rev,
  });
}

describe("the list view at sign-in", () => {
  it("is the answer's until the socket's settings come, which then decide", async () => {
    startSettings();
    // A new browser: no copy of the settings, the default guess.
    expect(getSettings().conversations).toBe(true);
    const changed = vi.fn();
    session.onSignedIn(() => changed(getSettings().conversations));

    await session.signIn(SIGN_IN);
    // From the first frame after the answer: one row per message, as the user chose.
    expect(changed).toHaveBeenCalledWith(false);
    expect(getSettings().conversations).toBe(false);
    expect(settingsKnown()).toBe(false);

    socket.start();
    const s = FakeSocket.all.at(-1);
    if (!s) throw new Error("no socket");
    s.hello();
    await answerSettings(s, false, 4);
    await vi.waitFor(() => expect(settingsKnown()).toBe(true));
    expect(getSettings().conversations).toBe(false);

    // Changed in another tab: the answer does not hold it back.
    s.push({
      type: "settings.changed",
      settings: { ...DEFAULT_USER_SETTINGS, conversations: true },
      rev: 5,
    });
    await vi.waitFor(() => expect(getSettings().conversations).toBe(true));

    // The session ends: the next sign-in, told nothing (an older bridge), keeps the guess.
    await session.signOut();
    socket.stop();
    expect(getSettings()).toEqual(DEFAULT_USER_SETTINGS);
    answer.conversations = undefined;
    await session.signIn(SIGN_IN);
    expect(getSettings().conversations).toBe(true);
  });
});
