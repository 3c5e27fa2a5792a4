/**
 * A large folder's first windows of conversations come from a THREAD of its newest messages (the
 * head), and the whole folder is threaded behind them (threads/order.ts), on the real Dovecot
 * with a small folder counted as large (headAbove 5, headSize 4). A conversation whose older
 * messages are outside the head counts only its head's messages at first; once the full order is
 * read, the session's sockets are sent `conversations.changed` with `refetch`, and the window
 * then equals a fresh THREAD's. Until then a window's total is marked as an estimate. A message that arrives meanwhile is in the final order.
 */
import { seedMailbox, startMailServer } from "@ferry/mail-server";
import type { TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withMailbox } from "../src/imap/mailbox-access";
import { ConversationPush } from "../src/live/conversation-push";
import {
  type ConversationWindowResult,
  conversationCacheOf,
  conversationWindow,
} from "../src/threads/conversations";
import { ConversationCache } from "../src/threads/order";
import { imapClient, type MailServer } from "./harness";

const USER = "head@example.test";

let mail: MailServer;
let client: ImapFlow;
let other: ImapFlow;
let n = 0;

async function deliver(subject: string, refs: string[] = []): Promise<string> {
  const id = `<head-${++n}.${Date.now()}@example.test>`;
  const lines = [
    "From: Carol <carol@example.test>",
    `To: ${USER}`,
    `Subject: ${subject}`,
    `Date: ${new Date(Date.UTC(2026, 11, 2, 9, n)).toUTCString()}`,
    `Message-ID: ${id}`,
    ...(refs.length > 0 ? [`In-Reply-To: ${refs.at(-1)}`, `References: ${refs.join(" ")}`] : []),
    "",
    `Body of ${subject}`,
    "",
  ];
  await mail.deliver(lines.join("\r\n"), { from: "carol@example.test", to: [USER] });
  return id;
}

type Run = <T>(fn: (c: ImapFlow) => Promise<T>) => Promise<T>;

/** Calls on `on` one at a time, as a session's command connection runs them. */
function runner(on: ImapFlow): Run {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const task = queue.then(() => fn(on));
    queue = task.then(
      () => undefined,
      () => undefined,
    );
    return task;
  };
}

function windowOf(
  run: Run,
  cache: ConversationCache | undefined,
  limit = 3,
): Promise<ConversationWindowResult> {
  return run((c) =>
    conversationWindow(c, { mailbox: "INBOX", offset: 0, limit, me: [USER], cache }),
  );
}

/** A ConversationPush of a session whose command connection `run` runs on, and its frames. */
function pushOf(run: Run) {
  const frames: Changed[] = [];
  let tell: (frame: TServerFrame) => void = () => undefined;
  const push = new ConversationPush({
    run,
    subscribe: (fn) => {
      tell = fn;
      return () => undefined;
    },
    me: [USER],
    alive: () => true,
    log: pino({ level: "silent" }),
  });
  const waiters: Array<{ pred: (f: Changed) => boolean; resolve: (f: Changed) => void }> = [];
  push.listen({}, (frame) => {
    if (frame.type !== "conversations.changed") return;
    frames.push(frame);
    for (const w of waiters.filter((x) => x.pred(frame))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(frame);
    }
  });
  return {
    push,
    frames,
    tell: (frame: TServerFrame) => tell(frame),
    next: (pred: (f: Changed) => boolean) =>
      new Promise<Changed>((resolve) => {
        const seen = frames.find(pred);
        if (seen) resolve(seen);
        else waiters.push({ pred, resolve });
      }),
  };
}

type Changed = Extract<TServerFrame, { type: "conversations.changed" }>;

function shape(w: ConversationWindowResult) {
  return { total: w.total, rows: w.conversations.map((c) => ({ uids: c.uids, count: c.count })) };
}

let planId = "";

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: [{ email: USER }] });
  await seedMailbox(mail, USER, { inbox: 0 });
  // UID 1 starts "Plan"; 2-7 are single; 8 replies to 1; 9-10 are single. The head: UIDs 7-10.
  planId = await deliver("Plan");
  for (let i = 1; i <= 6; i++) await deliver(`Single ${i}`);
  await deliver("Re: Plan", [planId]);
  for (let i = 7; i <= 8; i++) await deliver(`Single ${i}`);
  client = await imapClient(mail, mail.user(USER));
  other = await imapClient(mail, mail.user(USER));
}, 180_000);

afterAll(async () => {
  await client?.logout().catch(() => undefined);
  await other?.logout().catch(() => undefined);
  await mail?.stop();
});

describe("a large folder's first windows of conversations", () => {
  it("come from its newest messages, then are asked for again once the folder is threaded", async () => {
    const run = runner(client);
    const cache = conversationCacheOf(client, { headAbove: 5, headSize: 4, fullAfterMs: 0 });
    const live = pushOf(run);
    try {
      const first = await windowOf(run, cache);
      // "Re: Plan" (UID 8) is its conversation's only message in the head: its row counts 1.
      expect(first.conversations.map((c) => c.uids)).toEqual([[10], [9], [8]]);
      expect(first.conversations[2]?.count).toBe(1);
      // Its total is counted from the head's share of the folder, and the window says so.
      expect(first.estimated).toBe(true);

      // A reply to "Plan" arrives while the folder is being threaded, and the watcher says so.
      await deliver("Re: Plan", [planId]);
      live.tell({
        type: "messages.new",
        mailbox: "INBOX",
        uidValidity: first.uidValidity,
        total: 11,
        rows: [],
      });

      await live.next((f) => f.refetch);
      expect(cache.partial("INBOX")).toBe(false);
      const after = await windowOf(run, cache);
      const fresh = await windowOf(run, new ConversationCache());
      expect(shape(after)).toEqual(shape(fresh));
      // The arrival's conversation is at the top, all three of its messages counted.
      expect(after.conversations[0]?.uids).toEqual([11, 8, 1]);
      expect(after.conversations[0]?.count).toBe(3);
      expect(after.total).toBe(9);
      expect(after.estimated).toBeUndefined();
    } finally {
      live.push.close();
    }
  });

  it("beyond the head wait for the whole folder, which keeps what arrived on the head", async () => {
    const run = runner(other);
    const cache = conversationCacheOf(other, { headAbove: 5, headSize: 4, fullAfterMs: 600_000 });
    const live = pushOf(run);
    try {
      const first = await windowOf(run, cache);
      // The head is UIDs 8-11: the "Plan" conversation counts its two replies there, not UID 1.
      expect(first.conversations.map((c) => c.uids)).toEqual([[11, 8], [10], [9]]);
      expect(cache.partial("INBOX")).toBe(true);

      // A new subject joins the head's order as its own row at the top.
      await deliver("Lunch");
      live.tell({
        type: "messages.new",
        mailbox: "INBOX",
        uidValidity: first.uidValidity,
        total: 12,
        rows: [],
      });
      const moved = await live.next((f) => !f.refetch && f.changes.length > 0);
      expect(moved.changes.map((c) => [c.conversation.uids, c.from, c.to])).toEqual([
        [[12], null, 0],
      ]);

      // A window past the head's conversations threads the folder, then the lists ask again.
      const whole = await windowOf(run, cache, 50);
      const fresh = await windowOf(run, new ConversationCache(), 50);
      expect(shape(whole)).toEqual(shape(fresh));
      expect(whole.conversations[0]?.uids).toEqual([12]);
      expect(whole.conversations[1]?.uids).toEqual([11, 8, 1]);
      expect(whole.total).toBe(10);
      expect(whole.estimated).toBeUndefined();
      expect(cache.partial("INBOX")).toBe(false);
      await live.next((f) => f.refetch);
    } finally {
      live.push.close();
    }
  });

  it("are threaded in full soon after, however often the head is read", async () => {
    const cache = new ConversationCache({ headAbove: 5, headSize: 4, fullAfterMs: 200 });
    const readHead = () =>
      withMailbox(client, "INBOX", {}, (box) => cache.order(client, "INBOX", box));
    await readHead();
    expect(cache.partial("INBOX")).toBe(true);
    // A list read again and again (a user scrolling) does not put the whole folder off.
    let reads = 0;
    while (cache.partial("INBOX")) {
      await readHead();
      reads++;
    }
    expect(reads).toBeGreaterThan(1);
    expect(cache.threads).toBe(2);
  }, 30_000);
});
