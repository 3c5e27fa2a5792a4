/**
 * The settings copy kept in localStorage for the next first paint is the account's own: a copy
 * another account left in this browser is not used, and the copy goes when the session ends,
 * also in a page whose settings module never started (the sign-in page, before the mailbox's
 * code loaded). lib/session and lib/settings over a Map for localStorage; the bridge's HTTP
 * answers played here.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";

const store = vi.hoisted(() => {
  (globalThis as { location?: unknown }).location = { protocol: "http:", host: "test" };
  const store = new Map<string, string>();
  (globalThis as { localStorage?: unknown }).localStorage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
  };
  return store;
});
vi.mock("@/hooks/use-compose", () => ({ identitiesKey: ["identities"] }));
vi.mock("./api", () => ({
  signIn: async (request: { email: string }) => ({ email: request.email, protocolVersion: 1 }),
  signOut: async () => true,
  fetchSession: async () => null,
}));
vi.mock("./lazy-persist", () => ({ clearPersisted: async () => undefined }));
vi.mock("./service-worker", () => ({ unregisterServiceWorker: async () => undefined }));

const ANN = "ann@example.test";
const annsSettings = {
  undoSeconds: 30,
  remoteContent: { senders: ["tracker@shop.example"], domains: [] },
  conversations: false,
  offlineDays: 7,
};

beforeEach(() => {
  store.clear();
  vi.resetModules();
});

describe("the settings copy in this browser", () => {
  it("paints the account's own settings at once", async () => {
    store.set("ferry.account", ANN);
    store.set("ferry.settings", JSON.stringify({ account: ANN, settings: annsSettings }));
    const { getSettings } = await import("./settings");
    expect(getSettings().remoteContent.senders).toEqual(["tracker@shop.example"]);
    expect(getSettings().conversations).toBe(false);
  });

  it.each([
    ["Ann's copy", JSON.stringify({ account: ANN, settings: annsSettings })],
    ["a copy naming no account, as kept before copies named theirs", JSON.stringify(annsSettings)],
  ])("is not used for another account: Bob does not get %s", async (_, copy) => {
    store.set("ferry.account", "bob@example.test");
    store.set("ferry.settings", copy);
    const { getSettings, DEFAULT_USER_SETTINGS } = await import("./settings");
    expect(getSettings()).toEqual(DEFAULT_USER_SETTINGS);
  });

  it("goes when the session ends in a page that never started the settings", async () => {
    store.set("ferry.account", ANN);
    store.set("ferry.settings", JSON.stringify({ account: ANN, settings: annsSettings }));
    const session = await import("./session");
    await session.signOut();
    expect(store.has("ferry.settings")).toBe(false);
    expect(store.has("ferry.account")).toBe(false);
  });
});
