/**
 * The live rows of a conversation counting the user's reply in Sent, after a sign-in whose
 * socket's first window of conversations was answered from the sign-in answer's read (on the
 * connection that verified the password, session/inbox-head.ts), and, as the control, after one
 * whose socket read that window itself. Another client then stars the Sent reply, marks it
 * unread, files a new reply into INBOX, and stars an INBOX member (or, first of all, files a
 * reply of the user's in Sent): after each, the socket is pushed the row a fresh `list.window`
 * shows (starred, unread, count, position), or told to ask again (`refetch`), as the page then
 * does. "Fresh" is a window read by a second bridge, whose
 * sign-in shares nothing with the first one's session. Against the real Dovecot.
 */
import { startMailServer } from "@ferry/mail-server";
import { LIST_WINDOW_SIZE, type TConversationRow, type TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  imapClient,
  type MailServer,
  openSocket,
  signIn,
  startBridge,
  type TestBridge,
} from "./harness";
import type { TestSocket } from "./test-socket";
import { appendExchange, threadMessage } from "./thread-mail";

type Changed = Extract<TServerFrame, { type: "conversations.changed" }>;

/** Whose first window came with the sign-in answer, and whose socket read it. */
const ANSWERED = "answered@example.test";
const CONTROL = "control@example.test";
/** The same two, of whom another client files a reply in Sent first. */
const FILED = "filed@example.test";
const FILED_CONTROL = "filed-control@example.test";
const USERS = [ANSWERED, CONTROL, FILED, FILED_CONTROL];
const SUBJECT = "Re: Bergen";
/** A push comes within about a second of Dovecot's NOTIFY or IDLE; this is the test's bound. */
const PUSH_WAIT_MS = 15_000;

let mail: MailServer;
let b: TestBridge;
/** The second bridge: each fresh window is read there, by a sign-in of its own. */
let observer: TestBridge;
const replyUid = new Map<string, number>();

beforeAll(async () => {
  mail = await startMailServer({
    postfix: false,
    users: USERS.map((email) => ({ email })),
  });
  for (const email of USERS) {
    const imap = await imapClient(mail, mail.user(email));
    try {
      replyUid.set(
        email,
        await appendExchange(imap, email, { subject: "Bergen", key: "b", inboxFlags: ["\\Seen"] }),
      );
      // Another conversation, newer: the Bergen row moves to the top when it is replied to.
      await imap.append(
        "INBOX",
        threadMessage(email, { from: "carol@example.test", subject: "Later", id: "l1@x" }),
        ["\\Seen"],
      );
    } finally {
      await imap.logout().catch(() => imap.close());
    }
  }
  b = await startBridge(mail);
  observer = await startBridge(mail);
}, 120_000);

afterAll(async () => {
  await b?.close();
  await observer?.close();
  await mail?.stop();
});

/** Changes `email`'s mail from another client, in `mailbox`. */
async function elsewhere(
  email: string,
  mailbox: string,
  fn: (client: ImapFlow) => Promise<unknown>,
): Promise<void> {
  const other = await imapClient(mail, mail.user(email));
  try {
    const lock = await other.getMailboxLock(mailbox);
    try {
      await fn(other);
    } finally {
      lock.release();
    }
  } finally {
    await other.logout().catch(() => other.close());
  }
}

let windows = 0;

/** INBOX's first window of conversations, as the page asks for it. */
async function window(s: TestSocket) {
  const reply = await s.request(
    {
      type: "list.window",
      id: `w${++windows}`,
      mailbox: "INBOX",
      offset: 0,
      limit: LIST_WINDOW_SIZE,
      query: null,
      conversations: true,
    },
    30_000,
  );
  if (reply.type !== "list.window") throw new Error(JSON.stringify(reply));
  return reply;
}

/** What the list shows of the Bergen row: the fields a user sees, and where it stands. */
function shown(row: TConversationRow | undefined, position: number) {
  return {
    position,
    count: row?.count,
    starred: row?.starred,
    unread: row?.unread,
    subject: row?.subject,
  };
}

/** What a fresh window of `email`'s INBOX shows of the Bergen row (read on the observer). */
async function freshRow(email: string): Promise<ReturnType<typeof shown>> {
  const r = await signIn(observer, { email, password: mail.user(email).password });
  expect(r.status).toBe(200);
  const cookie = r.cookie as string;
  const s = await openSocket(observer, cookie);
  try {
    return bergen(await window(s));
  } finally {
    s.close();
    const out = await fetch(`${observer.url}/api/session`, {
      method: "DELETE",
      headers: { cookie, origin: observer.origin },
    });
    expect(out.status).toBe(204);
  }
}

/** The Bergen row of a window, as shown. */
function bergen(w: { conversations?: TConversationRow[] | undefined }) {
  const list = w.conversations ?? [];
  const at = list.findIndex((c) => c.subject === SUBJECT);
  return shown(list[at], at);
}

/**
 * After a change made elsewhere to `email`'s mail (`since`: the socket's mark before it): the
 * Bergen row as a fresh window shows it is pushed, where it stands there; or INBOX's lists are
 * told to ask again (`refetch`), and the window the page then asks for shows it.
 */
async function pushedAsFresh(
  s: TestSocket,
  email: string,
  since: number,
  what: string,
): Promise<void> {
  const expected = await freshRow(email);
  const pushed = await s
    .waitFor<Changed>(
      (f) =>
        f.type === "conversations.changed" &&
        f.mailbox === "INBOX" &&
        (f.refetch ||
          f.changes.some(
            (c) =>
              c.conversation.subject === SUBJECT &&
              JSON.stringify(shown(c.conversation, c.to)) === JSON.stringify(expected),
          )),
      `${what}: the row pushed as a fresh window shows it (${JSON.stringify(expected)})`,
      PUSH_WAIT_MS,
      since,
    )
    .catch(() => null);
  const told = s
    .ofType("conversations.changed")
    .filter((f) => f.mailbox === "INBOX")
    .flatMap<unknown>((f) =>
      f.refetch
        ? [{ refetch: true }]
        : f.changes
            .filter((c) => c.conversation.subject === SUBJECT)
            .map((c) => shown(c.conversation, c.to)),
    );
  if (pushed?.refetch) {
    expect(bergen(await window(s)), `${what}: asked again`).toEqual(expected);
    return;
  }
  expect(pushed ? expected : { what, told }, what).toEqual(expected);
}

/** Signs `email` in (asking for INBOX's first window in the answer when `answer`), socket open. */
async function signedInSocket(email: string, answer: boolean): Promise<TestSocket> {
  const user = mail.user(email);
  const r = await signIn(b, {
    email,
    password: user.password,
    ...(answer ? { inbox: { conversations: true, rows: 10 } } : {}),
  });
  expect(r.status).toBe(200);
  const carried = (r.body as { inbox?: { conversations?: TConversationRow[] } }).inbox;
  expect(carried?.conversations?.some((c) => c.subject === SUBJECT) ?? false).toBe(answer);
  const s = await openSocket(b, r.cookie as string);
  const opened = await s.request({ type: "mailbox.open", id: "open", path: "INBOX" });
  expect(opened.type).toBe("mailbox.opened");
  return s;
}

for (const [email, how] of [
  [ANSWERED, "answered from the sign-in answer's read"],
  [CONTROL, "read by the socket itself"],
] as const) {
  describe(`a conversation counting a Sent reply, its first window ${how}`, () => {
    it("is pushed as a fresh window shows it after each change made elsewhere", async () => {
      const s = await signedInSocket(email, email === ANSWERED);
      const first = await window(s);
      const row = first.conversations?.find((c) => c.subject === SUBJECT);
      expect(row).toMatchObject({ count: 3, starred: false, unread: false });
      expect(row?.elsewhere.map((e) => e.mailbox)).toEqual(["Sent"]);
      const reply = replyUid.get(email) ?? 0;

      let since = s.mark();
      await elsewhere(email, "Sent", (c) =>
        c.messageFlagsAdd(String(reply), ["\\Flagged"], { uid: true }),
      );
      await pushedAsFresh(s, email, since, "the Sent reply starred");

      since = s.mark();
      await elsewhere(email, "Sent", (c) =>
        c.messageFlagsRemove(String(reply), ["\\Seen"], { uid: true }),
      );
      await pushedAsFresh(s, email, since, "the Sent reply marked unread");

      since = s.mark();
      await elsewhere(email, "INBOX", (c) =>
        c.append(
          "INBOX",
          threadMessage(email, {
            from: "dan@example.test",
            subject: SUBJECT,
            id: "b4@x",
            refs: ["b1@x", "b2@x", "b3@x"],
          }),
          ["\\Seen"],
        ),
      );
      await pushedAsFresh(s, email, since, "a new reply filed in INBOX");

      since = s.mark();
      await elsewhere(email, "INBOX", async (c) => {
        const found = await c.search({ header: { "message-id": "<b1@x>" } }, { uid: true });
        expect(found).toHaveLength(1);
        await c.messageFlagsAdd(String((found || [])[0]), ["\\Flagged"], { uid: true });
      });
      await pushedAsFresh(s, email, since, "an INBOX member starred");
      s.close();
    }, 180_000);
  });
}

for (const [email, how] of [
  [FILED, "answered from the sign-in answer's read"],
  [FILED_CONTROL, "read by the socket itself"],
] as const) {
  describe(`a conversation counting a Sent reply, its first window ${how}`, () => {
    it("is pushed as a fresh window shows it when another client files a reply in Sent", async () => {
      const s = await signedInSocket(email, email === FILED);
      const first = await window(s);
      expect(first.conversations?.find((c) => c.subject === SUBJECT)?.count).toBe(3);
      const since = s.mark();
      await elsewhere(email, "Sent", (c) =>
        c.append(
          "Sent",
          threadMessage(email, {
            from: email,
            subject: SUBJECT,
            id: "b4@x",
            refs: ["b1@x", "b2@x", "b3@x"],
          }),
          ["\\Seen"],
        ),
      );
      await pushedAsFresh(s, email, since, "a reply filed in Sent");
      s.close();
    }, 120_000);
  });
}
