/**
 * What a hello (first connection or reconnect) does to the cached lists: mail-client wired to a
 * FerrySocket over a fake WebSocket (the bridge's side played here) and the real QueryClient.
 * A list is observed as the mailbox's useMessageList observes it.
 */
import { QueryObserver } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ListData } from "./list-cache";
import { FakeSocket } from "./test-fake-socket";
import { plainRow as row } from "./test-rows";

vi.hoisted(() => {
  // mail-client's socket takes the page's WebSocket and address when the module loads.
  (globalThis as { location?: unknown }).location = { protocol: "http:", host: "test" };
});
vi.stubGlobal("WebSocket", FakeSocket);

const {
  currentEpoch,
  fetchListHead,
  handleEvent,
  keys,
  queryClient,
  socket,
  startClient,
  stopClient,
} = await import("./mail-client");

function current(): FakeSocket {
  const s = FakeSocket.all.at(-1);
  if (!s) throw new Error("no socket");
  return s;
}

/** The list.window requests the page has sent for `mailbox`, on every socket so far. */
function windowsAsked(mailbox: string) {
  return FakeSocket.all.flatMap((s) =>
    s.sent.filter((f) => f.type === "list.window" && f.mailbox === mailbox),
  );
}

/** A folder's list as a window reply (or the sign-in answer) left it, stamped `epoch`. */
function cachedList(mailbox: string, uids: number[], epoch: string): ListData {
  const rows: ListData["rows"] = {};
  uids.forEach((uid, i) => {
    rows[i] = row(uid);
  });
  return {
    mailbox,
    query: null,
    uidValidity: 7,
    total: uids.length,
    rows,
    fetched: { 0: epoch },
    arrived: [],
  };
}

/** The bridge answers the page's latest list.window for `mailbox` with `uids`, newest first. */
function answer(mailbox: string, uids: number[]) {
  const request = windowsAsked(mailbox).at(-1);
  if (!request) throw new Error(`no list.window for ${mailbox}`);
  current().push({
    type: "list.window",
    id: request.id,
    mailbox,
    uidValidity: 7,
    query: null,
    total: uids.length,
    offset: 0,
    rows: uids.map((uid) => row(uid)),
  });
}

/** The mailbox showing a folder's list, as useMessageList does; the uids it shows, as it shows them. */
function show(mailbox: string) {
  const observer = new QueryObserver<ListData>(queryClient, {
    queryKey: keys.list(mailbox, null),
    queryFn: () => fetchListHead(mailbox, null),
  });
  const shown = { uids: [] as number[] };
  const unsubscribe = observer.subscribe((result) => {
    const data = result.data;
    if (data) shown.uids = Object.values(data.rows).map((r) => r.uid);
  });
  return { shown, unsubscribe };
}

afterEach(() => {
  stopClient();
  FakeSocket.all = [];
});

describe("a hello and the cached lists", () => {
  it("the sign-in's rows, shown only after the hello, are asked for again and show what changed", async () => {
    // startEarly: the socket starts, the sign-in answer's rows go into the cache.
    startClient();
    queryClient.setQueryData(
      keys.list("INBOX", null),
      cachedList("INBOX", [3, 2, 1], currentEpoch()),
    );
    // The hello wins the race with the mailbox's reveal: no list is on screen yet.
    current().hello();
    const inbox = show("INBOX");
    await vi.waitFor(() => expect(windowsAsked("INBOX")).toHaveLength(1));
    // A filter filed message 2 away between the sign-in answer and the hello.
    answer("INBOX", [3, 1]);
    await vi.waitFor(() => expect(inbox.shown.uids).toEqual([3, 1]));
    inbox.unsubscribe();
  });

  it("in the usual order (the list on screen before the hello) the sign-in's rows are asked for once", async () => {
    startClient();
    queryClient.setQueryData(
      keys.list("INBOX", null),
      cachedList("INBOX", [3, 2, 1], currentEpoch()),
    );
    const inbox = show("INBOX");
    current().hello();
    await vi.waitFor(() => expect(windowsAsked("INBOX")).toHaveLength(1));
    answer("INBOX", [4, 3, 2, 1]);
    await vi.waitFor(() => expect(inbox.shown.uids).toEqual([4, 3, 2, 1]));
    expect(windowsAsked("INBOX")).toHaveLength(1);
    inbox.unsubscribe();
  });

  it("a folder visited before the connection dropped shows, visited again, what arrived while it was down", async () => {
    startClient();
    current().hello();
    const archive = show("Archive");
    await vi.waitFor(() => expect(windowsAsked("Archive")).toHaveLength(1));
    answer("Archive", [2, 1]);
    await vi.waitFor(() => expect(archive.shown.uids).toEqual([2, 1]));
    archive.unsubscribe();

    current().drop();
    socket.retryNow();
    expect(FakeSocket.all).toHaveLength(2);
    current().hello();
    // Its count is pushed on the new connection (mail 3 came and mail 1 went: the same count).
    handleEvent({ type: "mailbox.status", mailbox: "Archive", messages: 2, unseen: 1 });

    const again = show("Archive");
    await vi.waitFor(() => expect(windowsAsked("Archive")).toHaveLength(2));
    answer("Archive", [3, 2]);
    await vi.waitFor(() => expect(again.shown.uids).toEqual([3, 2]));
    again.unsubscribe();
  });
});
