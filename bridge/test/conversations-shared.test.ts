/**
 * Live conversation rows of one account's sessions, as MailSessions sharing their watch
 * (live/account-watch.ts) against the real Dovecot: each session has INBOX's conversations on a
 * socket, and a delivery is one job on one command connection, whose one frame reaches every
 * session's socket. A session whose sockets all closed no longer runs or receives anything; the
 * folder's pushes move to another session's connection.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { TServerFrame } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountWatches } from "../src/live/account-watch";
import { conversationPushOf } from "../src/live/conversation-push-of";
import { MailSession } from "../src/live/mail-session";
import { Connector, captureLog, deliver, message } from "../src/live/test-harness";
import { conversationWindow } from "../src/threads/conversations";

type Changed = Extract<TServerFrame, { type: "conversations.changed" }>;

const EMAIL = "shared-rows@example.test";
let server: MailServer;
const sessions: MailSession[] = [];

beforeAll(async () => {
  server = await startMailServer({ postfix: false, users: [{ email: EMAIL }] });
}, 120_000);

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
  await server?.stop();
});

/** A session of the account with a socket listening; its jobs on its command connection counted. */
async function sessionWithList(accounts: AccountWatches) {
  const user = server.user(EMAIL);
  const connector = new Connector(server, user, { qresync: true });
  const session = new MailSession({
    connect: connector.connect,
    log: captureLog().log,
    account: `test:${EMAIL}`,
    accounts,
    backoff: { initialMs: 20, maxMs: 200 },
    // Without NOTIFY the other folders' counts come once, at the start (see settled): NOTIFY's
    // statuses of Sent, each a look at Sent's flags, come on their own time.
    notify: false,
  });
  sessions.push(session);
  await session.start(await connector.connect());
  const frames: Changed[] = [];
  const statuses: string[] = [];
  session.subscribe((f) => {
    if (f.type === "mailbox.status") statuses.push(f.mailbox);
  });
  const socket = { open: true };
  const counted = { runs: 0 };
  conversationPushOf(session, () => ({
    run: (fn) => {
      counted.runs++;
      return session.run(fn);
    },
    subscribe: (fn) => session.subscribe(fn),
    me: [EMAIL],
    alive: (owner) => owner === socket && socket.open,
    log: captureLog().log,
  })).listen(socket, (frame) => {
    if (frame.type === "conversations.changed") frames.push(frame);
  });
  const first = await session.run((client) =>
    conversationWindow(client, { mailbox: "INBOX", offset: 0, limit: 50, me: [EMAIL] }),
  );
  return { session, socket, frames, counted, first, statuses };
}

/**
 * Resolves once `s` has had its first counts (Sent's among them: the push looks at Sent's flags
 * when its status comes) and what they started on its command connection is done, so that the
 * runs counted after this are the delivery's.
 */
async function settled(s: Awaited<ReturnType<typeof sessionWithList>>): Promise<void> {
  await expect.poll(() => s.statuses.includes("Sent"), { timeout: 20_000 }).toBe(true);
  await s.session.run(async () => undefined);
}

/** Resolves once `frames` holds one for `subject`. */
async function rowOf(frames: Changed[], subject: string): Promise<Changed> {
  await expect
    .poll(() => frames.find((f) => f.changes.some((c) => c.conversation.subject === subject)), {
      timeout: 20_000,
    })
    .toBeDefined();
  return frames.find((f) => f.changes.some((c) => c.conversation.subject === subject)) as Changed;
}

describe("conversation rows of one account's sessions", () => {
  it("are computed once per delivery and the same frame reaches every session", async () => {
    await deliver(server, EMAIL, message({ subject: "Before", to: EMAIL }));
    const accounts = new AccountWatches();
    const a = await sessionWithList(accounts);
    const b = await sessionWithList(accounts);
    expect(a.session.accountWatch).toBe(b.session.accountWatch);
    expect(a.first.total).toBe(1);
    expect(b.first.total).toBe(1);
    await Promise.all([settled(a), settled(b)]);
    const before = a.counted.runs + b.counted.runs;

    await deliver(server, EMAIL, message({ subject: "Garden party", to: EMAIL }));
    const toA = await rowOf(a.frames, "Garden party");
    const toB = await rowOf(b.frames, "Garden party");
    expect(toB).toBe(toA);
    expect(toA.changes.map((c) => [c.from, c.to, c.conversation.count])).toEqual([[null, 0, 1]]);
    expect(toA.total).toBe(2);
    expect(a.counted.runs + b.counted.runs - before).toBe(1);

    // A's socket closes: the next delivery runs on B's connection and reaches B alone, as a
    // refetch (B's own order may hold moves A already pushed).
    a.socket.open = false;
    const aFrames = a.frames.length;
    const bFrames = b.frames.length;
    const runsA = a.counted.runs;
    const runsB = b.counted.runs;
    await deliver(server, EMAIL, message({ subject: "Second party", to: EMAIL }));
    await expect.poll(() => b.frames.length, { timeout: 20_000 }).toBe(bFrames + 1);
    expect(b.frames.at(-1)?.refetch).toBe(true);
    expect(b.frames.at(-1)?.total).toBe(3);
    expect(a.frames).toHaveLength(aFrames);
    expect(a.counted.runs).toBe(runsA);
    expect(b.counted.runs - runsB).toBe(1);
  }, 60_000);
});
