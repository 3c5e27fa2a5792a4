/**
 * The socket's first window after a sign-in whose answer carried it: the page asks for the same
 * window again at its socket's first hello (a new epoch), to learn what changed since the answer.
 * When nothing was pushed since, the bridge answers it from the answer's read (the same rows,
 * conversations and total) with no second read of INBOX, which would hold up the user's first
 * open on the command connection; when something was pushed in between, the window holds it.
 * Both views, against the real Dovecot.
 */
import { startMailServer } from "@ferry/mail-server";
import { type TServerFrame, type TSignInWindow, ZSessionInfo } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  imapClient,
  inboxRows,
  type MailServer,
  openSocket,
  plainMessage,
  signIn,
  startBridge,
  type TestBridge,
} from "./harness";
import { commandsDuring, countOf, type SentCommand } from "./imap-commands";
import type { TestSocket } from "./test-socket";

const FLAT = "flat@example.test";
const CONVERSATIONS = "threads@example.test";
/** Rows the page says its screen shows: the answer then carries every conversation of INBOX. */
const ROWS = 10;
/** Dovecot announces a change to an IDLEing connection within about 0.5 s. */
const EVENT_WAIT_MS = 5000;

let mail: MailServer;
let b: TestBridge;

beforeAll(async () => {
  mail = await startMailServer({
    postfix: false,
    users: [{ email: FLAT }, { email: CONVERSATIONS }],
  });
  b = await startBridge(mail);
  for (const email of [FLAT, CONVERSATIONS]) {
    for (let i = 1; i <= 3; i++) {
      await mail.deliver(plainMessage(email, `first ${i}`), {
        from: "carol@example.test",
        to: [email],
      });
    }
  }
  // The flat user's saved view: one row per message (saved through the socket, as the app does).
  const { cookie } = await signInWithWindow(FLAT, false);
  const s = await openSocket(b, cookie);
  const saved = await s.request({
    type: "settings.save",
    id: "view",
    change: { conversations: false },
  });
  expect(saved).toMatchObject({ type: "settings", settings: { conversations: false } });
  s.close();
  await signOut(cookie);
}, 120_000);

afterAll(async () => {
  await b?.close();
  await mail?.stop();
});

async function signInWithWindow(
  email: string,
  conversations: boolean,
): Promise<{ cookie: string; inbox: TSignInWindow | undefined }> {
  const user = mail.user(email);
  const r = await signIn(b, {
    email,
    password: user.password,
    inbox: { conversations, rows: ROWS },
  });
  expect(r.status).toBe(200);
  const info = ZSessionInfo.parse(r.body);
  return { cookie: r.cookie as string, inbox: info.inbox };
}

async function signOut(cookie: string): Promise<void> {
  const out = await fetch(`${b.url}/api/session`, {
    method: "DELETE",
    headers: { cookie, origin: b.origin },
  });
  expect(out.status).toBe(204);
}

/** What the page sends at its socket's first hello: open INBOX, and its first window. */
async function openInbox(s: TestSocket): Promise<void> {
  const opened = await s.request({ type: "mailbox.open", id: "open", path: "INBOX" });
  expect(opened.type).toBe("mailbox.opened");
}

/** INBOX's unseen count, which the watchers keep (the folder counts), not a window's read. */
const UNSEEN_COUNT = /"COUNT"\}\],\{"type":"ATOM","value":"UNSEEN"\}\]$/;

/** Commands that read or select INBOX (a FETCH or SEARCH on any connection reads some folder). */
function inboxReads(commands: readonly SentCommand[]) {
  return {
    fetches: countOf(commands, "FETCH"),
    searches: countOf(
      commands.filter((c) => !UNSEEN_COUNT.test(c.attributes)),
      "SEARCH",
    ),
    selects: commands.filter(
      (c) => (c.command === "SELECT" || c.command === "EXAMINE") && /INBOX/i.test(c.attributes),
    ).length,
  };
}

for (const conversations of [false, true]) {
  const view = conversations ? "conversations" : "messages";
  const email = conversations ? CONVERSATIONS : FLAT;

  describe(`the socket's first window of ${view} after a sign-in that carried it`, () => {
    it("is the answer's window, with no second read of INBOX on any connection", async () => {
      const { cookie, inbox } = await signInWithWindow(email, conversations);
      expect(inbox).toBeDefined();
      expect(inbox?.conversations === undefined).toBe(!conversations);
      let window: Awaited<ReturnType<typeof inboxRows>> | undefined;
      const commands = await commandsDuring(async () => {
        const s = await openSocket(b, cookie);
        await openInbox(s);
        window = await inboxRows(s, conversations);
        s.close();
      });
      expect(window?.rows).toEqual(inbox?.rows);
      expect(window?.conversations).toEqual(inbox?.conversations);
      expect(window?.total).toBe(inbox?.total);
      expect(window?.uidValidity).toBe(inbox?.uidValidity);
      expect(window?.rev).toBeDefined();
      // Before: the command connection SELECTed INBOX and read the window again (FETCH, and
      // for conversations the SEARCHes of its members and of Sent).
      expect(inboxReads(commands)).toEqual({ fetches: 0, searches: 0, selects: 0 });
      await signOut(cookie);
    }, 60_000);

    it("holds a message delivered between the answer and the window", async () => {
      const { cookie, inbox } = await signInWithWindow(email, conversations);
      expect(inbox).toBeDefined();
      const s = await openSocket(b, cookie);
      await openInbox(s);
      const subject = `arrived after the answer (${view})`;
      await mail.deliver(plainMessage(email, subject), { from: "dan@example.test", to: [email] });
      await s.waitFor(
        (f: TServerFrame) => f.type === "messages.new" && f.mailbox === "INBOX",
        "the arrival pushed",
        EVENT_WAIT_MS,
      );
      const window = await inboxRows(s, conversations);
      expect(window.rows[0]?.subject).toBe(subject);
      expect(window.total).toBe((inbox?.total ?? 0) + 1);
      s.close();
      await signOut(cookie);
    }, 60_000);

    it("holds a flag another client changed between the answer and the window", async () => {
      const { cookie, inbox } = await signInWithWindow(email, conversations);
      const newest = inbox?.rows[0];
      expect(newest?.flags).not.toContain("\\Flagged");
      const s = await openSocket(b, cookie);
      await openInbox(s);
      let phone: ImapFlow | null = null;
      try {
        phone = await imapClient(mail, mail.user(email));
        await phone.mailboxOpen("INBOX");
        await phone.messageFlagsAdd(String(newest?.uid), ["\\Flagged"], { uid: true });
      } finally {
        await phone?.logout().catch(() => phone?.close());
      }
      await s.waitFor(
        (f: TServerFrame) =>
          f.type === "messages.flags" && f.changes.some((c) => c.uid === newest?.uid),
        "the flag pushed",
        EVENT_WAIT_MS,
      );
      const window = await inboxRows(s, conversations);
      expect(window.rows.find((r) => r.uid === newest?.uid)?.flags).toContain("\\Flagged");
      s.close();
      await signOut(cookie);
    }, 60_000);
  });
}

describe("a sign-in that asks for INBOX in the user's kept order", () => {
  const bySubject = { key: "subject", reverse: false } as const;

  it("carries that window of messages, and the socket's first one in that order is its read", async () => {
    // The conversations user: the order asked for is not the default, so its window is flat.
    const user = mail.user(CONVERSATIONS);
    const r = await signIn(b, {
      email: CONVERSATIONS,
      password: user.password,
      inbox: { conversations: true, rows: ROWS, sort: bySubject },
    });
    expect(r.status).toBe(200);
    const cookie = r.cookie as string;
    const inbox = ZSessionInfo.parse(r.body).inbox;
    // Before: no `sort` in the request; the answer's window was newest first (3, 2, 1).
    expect(inbox?.sort).toEqual(bySubject);
    expect(inbox?.conversations).toBeUndefined();
    const firsts = inbox?.rows.map((row) => row.subject).filter((s) => s?.startsWith("first "));
    expect(firsts).toEqual(["first 1", "first 2", "first 3"]);
    let window: TServerFrame | undefined;
    const commands = await commandsDuring(async () => {
      const s = await openSocket(b, cookie);
      await openInbox(s);
      window = await s.request({
        type: "list.window",
        id: "sorted-head",
        mailbox: "INBOX",
        offset: 0,
        limit: 50,
        query: null,
        sort: bySubject,
        conversations: true,
      });
      s.close();
    });
    expect(window?.type).toBe("list.window");
    if (window?.type !== "list.window") return;
    expect(window.rows).toEqual(inbox?.rows);
    expect(window.sort).toEqual(bySubject);
    expect(window.rev).toBeDefined();
    // Before: the command connection sorted and read INBOX again.
    expect({ ...inboxReads(commands), sorts: countOf(commands, "SORT") }).toEqual({
      fetches: 0,
      searches: 0,
      selects: 0,
      sorts: 0,
    });
    await signOut(cookie);
  }, 60_000);
});
