/**
 * A folder's conversation order outlives the session that threaded it (threads/kept-orders.ts),
 * against the real Dovecot: the same user signing in again (after signing out) is answered the
 * same conversations without a THREAD; a reply delivered in between joins its conversation,
 * still without one; a folder deleted and made again (a new UIDVALIDITY) is threaded again; and
 * another account never gets the order. A session whose first read advanced a kept order over a
 * message delivered since reports no move for it (its lists never saw the order before).
 */
import { startMailServer } from "@ferry/mail-server";
import type { TServerFrame } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withMailbox } from "../src/imap/mailbox-access";
import { accountOrders, KeptOrders } from "../src/threads/kept-orders";
import { ConversationCache } from "../src/threads/order";
import {
  imapClient,
  type MailServer,
  openSocket,
  signIn,
  startBridge,
  type TestBridge,
} from "./harness";
import { commandsDuring, countOf } from "./imap-commands";
import { threadMessage } from "./thread-mail";

const USERS = ["same@example.test", "later@example.test", "again@example.test"];
const OTHER = "other@example.test";
const CACHES = "caches@example.test";

let mail: MailServer;
let b: TestBridge;

type Window = Extract<TServerFrame, { type: "list.window" }>;

/** Appends to `email`'s `mailbox` three conversations (two of them replies), oldest first. */
async function appendThreads(email: string, mailbox: string, key: string): Promise<void> {
  const imap = await imapClient(mail, mail.user(email));
  try {
    const m = (subject: string, id: string, refs?: string[]) =>
      threadMessage(email, { from: "bob@example.test", subject, id, ...(refs ? { refs } : {}) });
    await imap.append(mailbox, m(`Lisbon ${key}`, `${key}-l1@x`));
    await imap.append(mailbox, m(`Porto ${key}`, `${key}-p1@x`));
    await imap.append(mailbox, m(`Re: Lisbon ${key}`, `${key}-l2@x`, [`${key}-l1@x`]));
    await imap.append(mailbox, m(`Faro ${key}`, `${key}-f1@x`));
    await imap.append(mailbox, m(`Re: Porto ${key}`, `${key}-p2@x`, [`${key}-p1@x`]));
  } finally {
    await imap.logout().catch(() => imap.close());
  }
}

beforeAll(async () => {
  mail = await startMailServer({
    postfix: false,
    users: [...USERS, OTHER, CACHES].map((email) => ({ email })),
  });
  for (const email of [...USERS, OTHER, CACHES]) await appendThreads(email, "INBOX", "t");
  b = await startBridge(mail);
}, 120_000);

afterAll(async () => {
  await b?.close();
  await mail?.stop();
});

/**
 * Signs `email` in, reads the first window of `mailbox`'s conversations on a socket, signs out;
 * with the THREAD commands sent meanwhile.
 */
async function signedInWindow(
  email: string,
  mailbox = "INBOX",
): Promise<{ window: Window; threads: number }> {
  let window: Window | undefined;
  const commands = await commandsDuring(async () => {
    const user = mail.user(email);
    const r = await signIn(b, { email: user.email, password: user.password });
    expect(r.status).toBe(200);
    const cookie = r.cookie as string;
    const socket = await openSocket(b, cookie);
    try {
      const reply = await socket.request(
        {
          type: "list.window",
          id: "w",
          mailbox,
          offset: 0,
          limit: 50,
          query: null,
          conversations: true,
        },
        30_000,
      );
      if (reply.type !== "list.window") throw new Error(`not a window: ${JSON.stringify(reply)}`);
      window = reply;
    } finally {
      socket.close();
      const out = await fetch(`${b.url}/api/session`, {
        method: "DELETE",
        headers: { cookie, origin: b.origin },
      });
      expect(out.status).toBe(204);
    }
  });
  if (!window) throw new Error("no window");
  return { window, threads: countOf(commands, "THREAD") };
}

const subjects = (w: Window) => w.conversations?.map((c) => `${c.subject} (${c.count})`);

describe("a conversation order kept across sessions", () => {
  it("answers the same user's next sign-in without a THREAD, and no other account", async () => {
    const first = await signedInWindow(USERS[0] as string);
    expect(first.threads).toBe(1);
    expect(subjects(first.window)).toEqual(["Re: Porto t (2)", "Faro t (1)", "Re: Lisbon t (2)"]);

    const second = await signedInWindow(USERS[0] as string);
    expect(second.threads).toBe(0);
    expect(second.window.conversations).toEqual(first.window.conversations);
    expect(second.window.total).toBe(first.window.total);

    const other = await signedInWindow(OTHER);
    expect(other.threads).toBe(1);
    expect(subjects(other.window)).toEqual(subjects(first.window));
  }, 120_000);

  it("places a reply delivered between two sign-ins in its conversation, without a THREAD", async () => {
    const email = USERS[1] as string;
    const first = await signedInWindow(email);
    expect(first.threads).toBe(1);
    const lisbon = first.window.conversations?.find((c) => c.subject === "Re: Lisbon t");
    expect(lisbon?.count).toBe(2);

    await mail.deliver(
      threadMessage(email, {
        from: "bob@example.test",
        subject: "Re: Lisbon t",
        id: "t-l3@x",
        refs: ["t-l1@x", "t-l2@x"],
      }),
      { from: "bob@example.test", to: [email] },
    );

    const second = await signedInWindow(email);
    expect(second.threads).toBe(0);
    expect(subjects(second.window)).toEqual(["Re: Lisbon t (3)", "Re: Porto t (2)", "Faro t (1)"]);
    const moved = second.window.conversations?.[0];
    expect(moved?.uids.slice(1)).toEqual(lisbon?.uids);
    expect(moved?.uids[0]).toBeGreaterThan(Math.max(...(lisbon?.uids ?? [])));
  }, 120_000);

  it("threads a folder made again (a new UIDVALIDITY) afresh", async () => {
    const email = USERS[2] as string;
    const imap = await imapClient(mail, mail.user(email));
    try {
      await imap.mailboxCreate("Trips");
    } finally {
      await imap.logout().catch(() => imap.close());
    }
    await appendThreads(email, "Trips", "a");
    const first = await signedInWindow(email, "Trips");
    expect(first.threads).toBe(1);
    expect((await signedInWindow(email, "Trips")).threads).toBe(0);

    const again = await imapClient(mail, mail.user(email));
    try {
      await again.mailboxDelete("Trips");
      await again.mailboxCreate("Trips");
    } finally {
      await again.logout().catch(() => again.close());
    }
    // As many messages as before, in another grouping.
    await appendThreads(email, "Trips", "b");
    const remade = await signedInWindow(email, "Trips");
    expect(remade.window.uidValidity).not.toBe(first.window.uidValidity);
    expect(remade.threads).toBe(1);
    expect(subjects(remade.window)).toEqual(["Re: Porto b (2)", "Faro b (1)", "Re: Lisbon b (2)"]);
  }, 120_000);

  it("reports no move for what its first read advanced a kept order over", async () => {
    const kept = new KeptOrders();
    const read = async (cache: ConversationCache) => {
      const imap = await imapClient(mail, mail.user(CACHES));
      try {
        return await withMailbox(imap, "INBOX", {}, (box) => cache.order(imap, "INBOX", box, 50));
      } finally {
        await imap.logout().catch(() => imap.close());
      }
    };
    const first = new ConversationCache({ kept: accountOrders(kept, CACHES) });
    const order = await read(first);
    // The copy is put once the read's own work is done (setImmediate).
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(kept.size).toBe(5);

    await mail.deliver(
      threadMessage(CACHES, { from: "bob@example.test", subject: "Sintra", id: "s@x" }),
      {
        from: "bob@example.test",
        to: [CACHES],
      },
    );
    const next = new ConversationCache({ kept: accountOrders(kept, CACHES) });
    const advanced = await read(next);
    expect(next.threads).toBe(0);
    expect(next.reused).toBe(1);
    expect(advanced.map((c) => c.uids.length)).toEqual([1, ...order.map((c) => c.uids.length)]);
    expect(next.drain("INBOX")).toEqual({ rebuilt: false, moves: [] });
  }, 120_000);
});
