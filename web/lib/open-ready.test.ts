import { QueryClient } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MessageData } from "./mail-client";
import { goWhenReady, messageReady, type ReadyWait } from "./open-ready";

const key = ["message", "INBOX", 1, 7] as const;

function message(bodies: Array<{ done: boolean }>, complete = false): MessageData {
  return {
    header: {} as MessageData["header"],
    bodies: bodies.map((b, i) => ({ part: String(i + 1), type: "text/plain", text: "hi", ...b })),
    complete,
  };
}

describe("goWhenReady", () => {
  let client: QueryClient;
  let go: ReturnType<typeof vi.fn<() => void>>;
  let start: ReturnType<typeof vi.fn<() => void>>;
  const wait = (over: Partial<ReadyWait> = {}): ReadyWait => ({
    client,
    key,
    start,
    ready: (d) => messageReady(d as MessageData | undefined),
    waitMs: 120,
    stillWanted: () => true,
    go,
    ...over,
  });

  beforeEach(() => {
    vi.useFakeTimers();
    client = new QueryClient();
    go = vi.fn<() => void>();
    start = vi.fn<() => void>();
  });
  afterEach(() => {
    vi.useRealTimers();
    client.clear();
  });

  it("opens a message already in the cache at once, asking nothing", () => {
    client.setQueryData(key, message([{ done: true }]));
    goWhenReady(wait());
    expect(go).toHaveBeenCalledTimes(1);
    expect(start).not.toHaveBeenCalled();
  });

  it("asks for the message and opens it only once its text is in", () => {
    goWhenReady(wait());
    expect(start).toHaveBeenCalledTimes(1);
    expect(go).not.toHaveBeenCalled();
    client.setQueryData(key, message([{ done: false }]));
    expect(go).not.toHaveBeenCalled();
    client.setQueryData(key, message([{ done: true }]));
    expect(go).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(500);
    expect(go).toHaveBeenCalledTimes(1);
  });

  it("opens without the text after the wait when the server is slow", () => {
    goWhenReady(wait());
    vi.advanceTimersByTime(119);
    expect(go).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(go).toHaveBeenCalledTimes(1);
    client.setQueryData(key, message([{ done: true }], true));
    expect(go).toHaveBeenCalledTimes(1);
  });

  it("a newer open replaces a waiting one", () => {
    const first = vi.fn();
    goWhenReady(wait({ go: first }));
    const other = ["message", "INBOX", 1, 8] as const;
    goWhenReady(wait({ key: other }));
    client.setQueryData(key, message([{ done: true }]));
    client.setQueryData(other, message([{ done: true }]));
    vi.advanceTimersByTime(500);
    expect(first).not.toHaveBeenCalled();
    expect(go).toHaveBeenCalledTimes(1);
  });

  it("drops the open when the page moved elsewhere meanwhile", () => {
    goWhenReady(wait({ stillWanted: () => false }));
    client.setQueryData(key, message([{ done: true }]));
    vi.advanceTimersByTime(500);
    expect(go).not.toHaveBeenCalled();
  });

  it("waits for the reader's code too", async () => {
    let loaded!: () => void;
    const also = new Promise<void>((resolve) => {
      loaded = resolve;
    });
    client.setQueryData(key, message([{ done: true }]));
    goWhenReady(wait({ also }));
    expect(go).not.toHaveBeenCalled();
    loaded();
    await vi.advanceTimersByTimeAsync(0);
    expect(go).toHaveBeenCalledTimes(1);
  });
});
