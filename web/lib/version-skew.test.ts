import { emptyDraft } from "@ferry/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DraftSnapshot } from "./compose/store";
import { type VersionSkewDeps, watchVersionSkew } from "./version-skew";

type MismatchListener = (e: { bridgeVersion: number | null }) => void;

/** One load of the page: its socket's listeners, and what it did. */
function load(storage: Map<string, string> | null, open: DraftSnapshot | null = null) {
  const mismatch = new Set<MismatchListener>();
  const opened = new Set<() => void>();
  const page = { reloads: 0, stops: 0, reopened: [] as DraftSnapshot[] };
  const deps: VersionSkewDeps = {
    socket: {
      onVersionMismatch: (l) => {
        mismatch.add(l);
        return () => mismatch.delete(l);
      },
      onOpen: (l) => {
        const f = () => l({ reconnect: false });
        opened.add(f);
        return () => opened.delete(f);
      },
      stop: () => {
        page.stops++;
      },
    },
    storage: storage && {
      getItem: (k) => storage.get(k) ?? null,
      setItem: (k, v) => void storage.set(k, v),
      removeItem: (k) => void storage.delete(k),
    },
    reload: () => {
      page.reloads++;
    },
    snapshotDraft: () => open,
    reopenDraft: (d) => page.reopened.push(d),
    reloadDelayMs: 1000,
  };
  const stop = watchVersionSkew("a@example.test", deps.socket, deps);
  return {
    page,
    stop,
    bridgeSpeaks: (bridgeVersion: number | null) => {
      for (const l of mismatch) l({ bridgeVersion });
    },
    hello: () => {
      for (const l of opened) l();
    },
  };
}

const draft: DraftSnapshot = {
  draft: { ...emptyDraft({ name: "", address: "a@example.test" }), subject: "Plans", text: "Hi" },
  draftUid: { uidValidity: 7, uid: 3 },
  draftMailbox: "Drafts",
};

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("watchVersionSkew", () => {
  it("hands over which copy on this device the draft is, so the next load can drop it", () => {
    const storage = new Map<string, string>();
    const kept = { ...draft, draftUid: null, localId: "c0ffee" };
    const first = load(storage, kept);
    first.bridgeSpeaks(2);
    vi.advanceTimersByTime(1000);
    first.stop();
    const second = load(storage);
    expect(second.page.reopened).toEqual([kept]);
    second.stop();
  });

  it("hands the open draft to the next load and reloads once, after the notice", () => {
    const storage = new Map<string, string>();
    const first = load(storage, draft);
    first.bridgeSpeaks(2);
    first.bridgeSpeaks(2);
    expect(first.page.reloads).toBe(0);
    expect(first.page.stops).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(first.page.reloads).toBe(1);
    first.stop();

    // the reloaded page is still out of date: it reopens the draft and does not reload again
    const second = load(storage);
    expect(second.page.reopened).toEqual([draft]);
    second.bridgeSpeaks(2);
    vi.advanceTimersByTime(60_000);
    expect(second.page.reloads).toBe(0);
    second.stop();

    // a hello of this page's version forgets the reload: a later update reloads again
    const third = load(storage);
    expect(third.page.reopened).toEqual([]);
    third.hello();
    third.bridgeSpeaks(3);
    vi.advanceTimersByTime(1000);
    expect(third.page.reloads).toBe(1);
    third.stop();
  });

  it("does not reload when the draft cannot be kept, nor give the draft to another account", () => {
    const noStorage = load(null, draft);
    noStorage.bridgeSpeaks(2);
    vi.advanceTimersByTime(60_000);
    expect(noStorage.page.reloads).toBe(0);
    noStorage.stop();

    const storage = new Map<string, string>();
    const first = load(storage, draft);
    first.bridgeSpeaks(2);
    first.stop();
    const handed = JSON.parse(storage.get("ferry.handedOverDraft") ?? "null");
    storage.set("ferry.handedOverDraft", JSON.stringify({ ...handed, account: "b@example.test" }));
    expect(load(storage).page.reopened).toEqual([]);
    expect(storage.has("ferry.handedOverDraft")).toBe(false);
  });
});
