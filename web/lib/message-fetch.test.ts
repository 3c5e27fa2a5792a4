/**
 * lib/message-fetch.ts with a fake socket: a message asked for twice (read ahead as background,
 * then again in the foreground by a click) keeps its text on screen when the later answer's
 * first frames come: a copy held whole is not replaced by one still streaming.
 */
import type { TMessageRef } from "@ferry/protocol";
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it, vi } from "vitest";
import { plainHeader } from "./test-rows";

interface Handlers {
  onHeader(frame: Record<string, unknown>): void;
  onBody(frame: Record<string, unknown>): void;
}

/** The streams the test plays, by the order they were asked for. */
const streams: Handlers[] = [];
const finish: Array<() => void> = [];
const socket = {
  getStatus: () => "online" as const,
  openMessage(_ref: TMessageRef, handlers: Handlers) {
    streams.push(handlers);
    return new Promise<void>((resolve) => finish.push(resolve));
  },
};
const queryClient = new QueryClient();
const keys = {
  message: (ref: TMessageRef) => ["message", ref.mailbox, ref.uidValidity, ref.uid] as const,
};
vi.mock("./mail-client", () => ({ socket, queryClient, keys }));

const { fetchMessage } = await import("./message-fetch");
type MessageData = Awaited<ReturnType<typeof fetchMessage>>;

const ref: TMessageRef = { mailbox: "INBOX", uidValidity: 3, uid: 48 };
const header = { type: "message.header", id: "1", ...plainHeader(ref) };
const body = {
  type: "message.body",
  id: "1",
  part: "1",
  contentType: "text/plain",
  chunk: "Log 48",
  done: true,
};
const text = () =>
  queryClient.getQueryData<MessageData>(keys.message(ref))?.bodies.map((b) => b.text);

describe("a message asked for twice", () => {
  it("keeps the first whole answer's text while the second streams", async () => {
    const first = fetchMessage(ref);
    const second = fetchMessage(ref, { background: true });
    const [fg, bg] = streams;
    fg?.onHeader(header);
    fg?.onBody(body);
    finish[0]?.();
    queryClient.setQueryData(keys.message(ref), await first);
    expect(text()).toEqual(["Log 48"]);
    bg?.onHeader(header);
    expect(text()).toEqual(["Log 48"]);
    bg?.onBody(body);
    finish[1]?.();
    expect((await second).bodies.map((b) => b.text)).toEqual(["Log 48"]);
    expect(text()).toEqual(["Log 48"]);
  });
});
