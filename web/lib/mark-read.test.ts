/**
 * lib/mark-read.ts: the read marks made in one task go out as one `flags.update` per folder, and
 * the conversation stack's wait until the stacks' opens are all in.
 */
import type { TMessageRef, TUidSet } from "@ferry/protocol";
import { beforeEach, describe, expect, it, vi } from "vitest";

const sent: TUidSet[] = [];
vi.mock("./actions", () => ({
  SEEN: "\\Seen",
  setFlags: async (set: TUidSet) => {
    sent.push(set);
  },
}));
const { OpenQueue } = await import("./open-queue");
const queue = new OpenQueue();
vi.mock("./stack-opens", () => ({ stackOpens: queue }));
const { markRead } = await import("./mark-read");

const ref = (uid: number, mailbox = "INBOX"): TMessageRef => ({ mailbox, uidValidity: 3, uid });
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

beforeEach(() => {
  sent.length = 0;
});

describe("marking messages read", () => {
  it("sends the marks of one task as one request per folder", async () => {
    markRead(ref(48), true);
    markRead(ref(49), true);
    markRead(ref(50));
    markRead(ref(7, "Sent"), true);
    await settle();
    expect(sent).toEqual([
      { mailbox: "INBOX", uidValidity: 3, uids: [48, 49, 50] },
      { mailbox: "Sent", uidValidity: 3, uids: [7] },
    ]);
  });

  it("holds the stack's marks while its opens are in flight, not the reader's", async () => {
    let answer!: () => void;
    const open = queue.run(() => new Promise<void>((resolve) => (answer = resolve)));
    markRead(ref(48), true);
    markRead(ref(50));
    await settle();
    expect(sent).toEqual([{ mailbox: "INBOX", uidValidity: 3, uids: [50] }]);
    markRead(ref(49), true);
    await settle();
    expect(sent).toHaveLength(1);
    answer();
    await open;
    await settle();
    expect(sent).toEqual([
      { mailbox: "INBOX", uidValidity: 3, uids: [50] },
      { mailbox: "INBOX", uidValidity: 3, uids: [48, 49] },
    ]);
  });
});
