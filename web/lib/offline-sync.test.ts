import { beforeEach, describe, expect, it, vi } from "vitest";
import type { QueuedOp } from "./offline-queue";
import type { SocketStatus } from "./socket";
import { memoryQueueStore } from "./test-queue-store";

/**
 * The queue's store. Its second read in a replay (the drafts', after the queue's) waits for
 * `release`, as an IndexedDB read does under load; `secondRead` settles when it starts.
 */
const store = memoryQueueStore();
let reads = 0;
let release: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();
let secondReadStarted: () => void = () => undefined;
let secondRead: Promise<void> = Promise.resolve();

const socket = {
  status: "connecting" as SocketStatus,
  sent: [] as unknown[],
  getStatus() {
    return this.status;
  },
  async request(frame: unknown) {
    this.sent.push(frame);
    return {};
  },
};

vi.mock("./mail-client", () => ({
  socket,
  queryClient: { invalidateQueries: async () => undefined },
  keys: { lists: (mailbox: string) => ["lists", mailbox] },
}));

vi.mock("./offline-queue", async (original) => ({
  ...(await original<typeof import("./offline-queue")>()),
  offlineStore: {
    async all() {
      reads++;
      if (reads === 2) {
        secondReadStarted();
        await gate;
      }
      return store.all();
    },
    put: (key: string, op: QueuedOp) => store.put(key, op),
    remove: (key: string) => store.remove(key),
  },
}));

const { replayOffline } = await import("./offline-sync");

const archive: QueuedOp = {
  type: "messages.archive",
  set: { mailbox: "INBOX", uidValidity: 7, uids: [3] },
};

beforeEach(() => {
  store.map.clear();
  socket.sent = [];
  socket.status = "connecting";
  reads = 0;
  gate = new Promise((r) => {
    release = r;
  });
  secondRead = new Promise((r) => {
    secondReadStarted = r;
  });
});

describe("replayOffline", () => {
  it("replays what waits when the socket opens while a replay begun offline still runs", async () => {
    await store.put("0001", archive);
    // Back online: the browser's "online" event starts a replay before the socket is open; it
    // finds the socket not open yet and moves on to the drafts...
    const first = replayOffline();
    await secondRead;
    expect(socket.sent).toEqual([]);
    // ...and the socket's hello comes while that replay is still reading them.
    socket.status = "online";
    const second = replayOffline();
    release();
    await Promise.all([first, second]);
    expect(socket.sent).toEqual([archive]);
    expect(store.map.size).toBe(0);
  });

  it("sends each entry once when asked several times at once", async () => {
    await store.put("0001", archive);
    socket.status = "online";
    const calls = [replayOffline(), replayOffline(), replayOffline()];
    release();
    await Promise.all(calls);
    expect(socket.sent).toEqual([archive]);
  });
});
