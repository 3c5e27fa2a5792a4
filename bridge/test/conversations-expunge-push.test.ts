/**
 * A message moved out of INBOX reaches the conversation rows on screen, against a real bridge
 * and the real Dovecot: a session that signed in with INBOX's conversations in its answer and
 * opened INBOX on a socket is sent INBOX's `conversations.changed` when the message leaves (or is
 * marked read elsewhere), whether it was moved by another client or by the session itself (a
 * MOVE on its command connection, as a filter applied to existing mail does), read again on the
 * socket or not, and when a second sign-in of the user took INBOX's kept order from the first.
 */
import { startMailServer } from "@ferry/mail-server";
import { type TServerFrame, ZSessionInfo } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  imapClient,
  inboxRows,
  type MailServer,
  openSocket,
  signIn,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";
import { threadMessage } from "./thread-mail";

type Changed = Extract<TServerFrame, { type: "conversations.changed" }>;

const USERS = Array.from({ length: 8 }, (_, i) => `expunge${i}@example.test`);

let mail: MailServer;
let b: TestBridge;
let users = 0;
const opened: TestSocket[] = [];

/** A fresh user whose INBOX has a two-message conversation and two single messages. */
async function freshUser(): Promise<{ email: string; password: string }> {
  const email = USERS[users++];
  if (!email) throw new Error("add more fixture users");
  const user = mail.user(email);
  const imap = await imapClient(mail, user);
  try {
    const m = (subject: string, id: string, refs?: string[]) =>
      threadMessage(email, { from: "bob@example.test", subject, id, ...(refs ? { refs } : {}) });
    await imap.append("INBOX", m("Oslo", `${email}-o1@x`));
    await imap.append("INBOX", m("Re: Oslo", `${email}-o2@x`, [`${email}-o1@x`]));
    await imap.append("INBOX", m("Weekly digest", `${email}-w1@x`));
    await imap.append("INBOX", m("Tromso", `${email}-t1@x`));
    await imap.mailboxCreate("Lists").catch(() => undefined);
  } finally {
    await imap.logout().catch(() => imap.close());
  }
  return user;
}

/**
 * Signs `user` in as the web app does (INBOX's conversations in the answer) and opens INBOX on
 * a socket; with `read`, also reads INBOX's first window of conversations on it (the app's
 * hello does). Returns the socket and the UIDs of "Weekly digest" and "Tromso" as the answer
 * had them.
 */
async function signedInOnInbox(
  user: { email: string; password: string },
  read: boolean,
): Promise<{ socket: TestSocket; uidValidity: number; digest: number; tromso: number }> {
  const r = await signIn(b, { ...user, inbox: { conversations: true } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const inbox = ZSessionInfo.parse(r.body).inbox;
  const digest = inbox?.conversations?.find((c) => c.subject === "Weekly digest")?.newest.uid;
  const tromso = inbox?.conversations?.find((c) => c.subject === "Tromso")?.newest.uid;
  if (!inbox || digest === undefined || tromso === undefined)
    throw new Error(`not the rows appended: ${JSON.stringify(r.body)}`);
  const socket = await openSocket(b, r.cookie as string);
  opened.push(socket);
  const open = await socket.request({ type: "mailbox.open", id: "open", path: "INBOX" });
  expect(open.type).toBe("mailbox.opened");
  if (read) {
    const w = await inboxRows(socket, true);
    expect(w.conversations?.map((c) => c.subject)).toContain("Weekly digest");
  }
  return { socket, uidValidity: inbox.uidValidity, digest, tromso };
}

/** Moves INBOX's `uid` to Lists from another IMAP client. */
async function moveElsewhere(user: { email: string; password: string }, uid: number) {
  const imap = await imapClient(mail, user);
  try {
    const lock = await imap.getMailboxLock("INBOX");
    try {
      await imap.messageMove(String(uid), "Lists", { uid: true });
    } finally {
      lock.release();
    }
  } finally {
    await imap.logout().catch(() => imap.close());
  }
}

/** The session moves `digest` from INBOX to Lists; the rows on screen are told it left. */
async function moveToLists(socket: TestSocket, uidValidity: number, digest: number) {
  const since = socket.mark();
  const moved = await socket.request({
    type: "messages.move",
    id: "move",
    set: { mailbox: "INBOX", uidValidity, uids: [digest] },
    to: "Lists",
  });
  expect(moved.type).toBe("messages.moved");
  await rowsToldOfRemoval(socket, since, digest);
}

/** The socket is told INBOX's conversations changed: asked again, or the row gone. */
async function rowsToldOfRemoval(socket: TestSocket, since: number, digest: number) {
  const changed = await socket.waitFor<Changed>(
    (f) =>
      f.type === "conversations.changed" &&
      f.mailbox === "INBOX" &&
      (f.refetch || f.changes.some((c) => c.conversation.newest.uid !== digest)),
    "INBOX's conversations.changed after the move",
    10_000,
    since,
  );
  expect(
    changed.refetch || changed.changes.every((c) => !c.conversation.uids.includes(digest)),
  ).toBe(true);
}

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: USERS.map((email) => ({ email })) });
  b = await startBridge(mail);
}, 120_000);

afterAll(async () => {
  for (const s of opened) s.close();
  await b?.close();
  await mail?.stop();
});

describe("a message moved out of INBOX, with INBOX's conversations on screen", () => {
  it("moved by another client, right after the sign-in answer (no window read on the socket)", async () => {
    const user = await freshUser();
    const { socket, digest, tromso } = await signedInOnInbox(user, false);
    let since = socket.mark();
    await moveElsewhere(user, digest);
    await rowsToldOfRemoval(socket, since, digest);

    // The list asks again, as told; the next message moved out is pushed too.
    const again = await inboxRows(socket, true);
    expect(again.conversations?.map((c) => c.subject)).not.toContain("Weekly digest");
    since = socket.mark();
    await moveElsewhere(user, tromso);
    await rowsToldOfRemoval(socket, since, tromso);
  }, 60_000);

  it("marked read by another client, right after the sign-in answer: the row is told too", async () => {
    const user = await freshUser();
    const { socket, digest } = await signedInOnInbox(user, false);
    const since = socket.mark();
    const imap = await imapClient(mail, user);
    try {
      const lock = await imap.getMailboxLock("INBOX");
      try {
        await imap.messageFlagsAdd(String(digest), ["\\Seen"], { uid: true });
      } finally {
        lock.release();
      }
    } finally {
      await imap.logout().catch(() => imap.close());
    }
    const changed = await socket.waitFor<Changed>(
      (f) => f.type === "conversations.changed" && f.mailbox === "INBOX",
      "INBOX's conversations.changed after the flag change",
      10_000,
      since,
    );
    const row = changed.changes.find((c) => c.conversation.uids.includes(digest));
    expect(changed.refetch || row?.conversation.unread === false).toBe(true);
  }, 60_000);

  it("moved by the session itself (MOVE on its command connection), its window read again", async () => {
    const user = await freshUser();
    const { socket, uidValidity, digest } = await signedInOnInbox(user, true);
    await moveToLists(socket, uidValidity, digest);
  }, 60_000);

  it("on a second sign-in of the user (INBOX's kept order taken), moved by the session", async () => {
    const user = await freshUser();
    const first = await signedInOnInbox(user, true);
    first.socket.close();
    const { socket, uidValidity, digest } = await signedInOnInbox(user, false);
    await moveToLists(socket, uidValidity, digest);
  }, 60_000);
});
