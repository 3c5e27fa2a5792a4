/**
 * lib/offline-bodies-task.ts's fetch of an offline copy, with a fake socket and the real
 * lib/message-fetch: a message the read-ahead is opening when the offline run reaches it is not
 * asked for again (one `message.open`), one opened already is taken from the cache, and one
 * nobody opened is fetched as background without entering the cache.
 */
import type { TMessageRef } from "@ferry/protocol";
import { QueryClient } from "@tanstack/react-query";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { plainHeader } from "./test-rows";

interface Handlers {
  onHeader(frame: Record<string, unknown>): void;
  onBody(frame: Record<string, unknown>): void;
}

/** Each `message.open` the page sent, and how the test answers it: header, then body. */
const opens: Array<{ ref: TMessageRef; background: boolean; head(): void; answer(): void }> = [];
const socket = {
  getStatus: () => "online" as const,
  openMessage(ref: TMessageRef, handlers: Handlers, opts: { background?: boolean } = {}) {
    return new Promise<void>((resolve) => {
      let headed = false;
      const head = () => {
        if (headed) return;
        headed = true;
        handlers.onHeader({ ...plainHeader(ref), type: "message.header", id: "1" });
      };
      opens.push({
        ref,
        background: opts.background === true,
        head,
        answer() {
          head();
          handlers.onBody({
            type: "message.body",
            id: "1",
            part: "1",
            contentType: "text/plain",
            chunk: `Log ${ref.uid}`,
            done: true,
          });
          resolve();
        },
      });
    });
  },
};
const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: Number.POSITIVE_INFINITY, retry: false } },
});
const keys = {
  message: (ref: TMessageRef) => ["message", ref.mailbox, ref.uidValidity, ref.uid] as const,
};

let download: typeof import("./message-fetch").downloadMessage;
vi.mock("./mail-client", () => ({
  socket,
  queryClient,
  keys,
  setKeptMessageSource: () => undefined,
  whenListsSettled: async () => undefined,
  downloadMessage: (ref: TMessageRef) => download(ref),
}));
vi.mock("./settings", () => ({ settingsKnown: () => false, useSettings: () => ({}) }));
vi.mock("./session", () => ({ onSessionEnd: () => () => undefined }));

const { downloadMessage, fetchMessage } = await import("./message-fetch");
download = downloadMessage;
const { offlineCopyOf } = await import("./offline-bodies-task");

const ref: TMessageRef = { mailbox: "INBOX", uidValidity: 3, uid: 48 };

/** The list's read-ahead of `r` (hooks/use-open-prefetch, lib/stack-opens): a background open. */
function readAhead(r: TMessageRef): Promise<void> {
  return queryClient.prefetchQuery({
    queryKey: keys.message(r),
    queryFn: () => fetchMessage(r, { background: true }),
  });
}

beforeEach(() => {
  opens.length = 0;
  queryClient.clear();
});

describe("an offline copy", () => {
  it("of a message the read-ahead is opening shares that open (one message.open)", async () => {
    const ahead = readAhead(ref);
    const copy = offlineCopyOf(ref);
    expect(opens).toHaveLength(1);
    opens[0]?.answer();
    await ahead;
    const data = await copy;
    expect(opens).toHaveLength(1);
    expect(data.complete).toBe(true);
    expect(data.bodies.map((b) => b.text)).toEqual(["Log 48"]);
  });

  it("of a message whose header is in while its body streams waits for the whole answer", async () => {
    const ahead = readAhead(ref);
    opens[0]?.head();
    expect(queryClient.getQueryData(keys.message(ref))).toMatchObject({ complete: false });
    const copy = offlineCopyOf(ref);
    expect(opens).toHaveLength(1);
    opens[0]?.answer();
    await ahead;
    expect((await copy).bodies.map((b) => b.text)).toEqual(["Log 48"]);
  });

  it("of a message opened already comes from the cache, asking nothing", async () => {
    const ahead = readAhead(ref);
    opens[0]?.answer();
    await ahead;
    const data = await offlineCopyOf(ref);
    expect(opens).toHaveLength(1);
    expect(data.bodies.map((b) => b.text)).toEqual(["Log 48"]);
  });

  it("of a message nobody opened is asked for as background and kept out of the cache", async () => {
    const copy = offlineCopyOf(ref);
    expect(opens).toHaveLength(1);
    expect(opens[0]?.background).toBe(true);
    opens[0]?.answer();
    expect((await copy).bodies.map((b) => b.text)).toEqual(["Log 48"]);
    expect(queryClient.getQueryData(keys.message(ref))).toBeUndefined();
  });
});
