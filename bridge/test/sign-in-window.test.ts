/**
 * The sign-in answer carries INBOX's first window when the request asks for it, so the browser
 * can paint the rows before its socket is up: the newest messages, as the real Dovecot holds
 * them, valid against the protocol's schema, of messages or of conversations as the user's saved
 * setting says (saved through the socket, as the app saves it), whatever the request guessed: a
 * browser new to the account asks for the default, conversations.
 */
import { startMailServer } from "@ferry/mail-server";
import { LIST_WINDOW_SIZE, SIGN_IN_ROWS_MAX, ZHttpError, ZSessionInfo } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_IN_CONVERSATIONS, SIGN_IN_SPARE_ROWS } from "../src/session/inbox-head";
import {
  imapClient,
  type MailServer,
  openSocket,
  plainMessage,
  signIn,
  startBridge,
  type TestBridge,
} from "./harness";

const MESSAGES = 3;
/** A second user's INBOX: more conversations than the sign-in answer carries. */
const MANY = SIGN_IN_CONVERSATIONS + 5;

let mail: MailServer;
let b: TestBridge;

beforeAll(async () => {
  mail = await startMailServer({
    postfix: false,
    users: [{ email: "head@example.test" }, { email: "many@example.test" }],
  });
  b = await startBridge(mail);
  const u = mail.users[0];
  if (!u) throw new Error("no fixture user");
  for (let i = 1; i <= MESSAGES; i++) {
    await mail.deliver(plainMessage(u.email, `head message ${i}`), {
      from: "carol@example.test",
      to: [u.email],
    });
  }
  const many = mail.users[1];
  if (!many) throw new Error("no second fixture user");
  const imap = await imapClient(mail, many);
  try {
    for (let i = 1; i <= MANY; i++) {
      await imap.append("INBOX", plainMessage(many.email, `topic ${i}`));
    }
  } finally {
    await imap.logout().catch(() => imap.close());
  }
});

afterAll(async () => {
  await b?.close();
  await mail?.stop();
});

async function signInWith(inbox?: { conversations: boolean; rows?: number }, user = 0) {
  const u = mail.users[user];
  if (!u) throw new Error("no fixture user");
  const r = await signIn(b, { email: u.email, password: u.password, ...(inbox ? { inbox } : {}) });
  expect(r.status).toBe(200);
  const parsed = ZSessionInfo.safeParse(r.body);
  if (!parsed.success) throw new Error(`not a ZSessionInfo: ${parsed.error.message}`);
  return parsed.data;
}

let saves = 0;

/** Saves user `user`'s list view through a socket of a session of its own, as the app does. */
async function saveView(conversations: boolean, user = 0): Promise<void> {
  const u = mail.users[user];
  if (!u) throw new Error("no fixture user");
  const r = await signIn(b, { email: u.email, password: u.password });
  expect(r.status).toBe(200);
  const s = await openSocket(b, r.cookie as string);
  try {
    const reply = await s.request({
      type: "settings.save",
      id: `view${++saves}`,
      change: { conversations },
    });
    expect(reply).toMatchObject({ type: "settings", settings: { conversations } });
  } finally {
    s.close();
  }
}

describe("the sign-in answer", () => {
  it("carries no window when the request does not ask for one, and says the user's view", async () => {
    const info = await signInWith();
    expect(info.inbox).toBeUndefined();
    // Never saved: the default, conversations.
    expect(info.conversations).toBe(true);
  });

  it("carries INBOX's newest messages, as Dovecot holds them, to a user who chose them over conversations", async () => {
    await saveView(false);
    // A new browser does not know the setting: it asks for the default.
    const info = await signInWith({ conversations: true });
    const u = mail.users[0];
    if (!u) throw new Error("no fixture user");
    const imap = await imapClient(mail, u);
    let uidValidity: number;
    let uids: number[];
    try {
      const box = await imap.mailboxOpen("INBOX", { readOnly: true });
      uidValidity = Number(box.uidValidity);
      uids = (await imap.search({ all: true }, { uid: true })) || [];
    } finally {
      await imap.logout().catch(() => imap.close());
    }
    const inbox = info.inbox;
    expect(inbox).toBeDefined();
    expect(inbox).toMatchObject({
      mailbox: "INBOX",
      query: null,
      offset: 0,
      total: MESSAGES,
      uidValidity,
    });
    expect(inbox?.conversations).toBeUndefined();
    expect(inbox?.rows.map((r) => r.subject)).toEqual(
      Array.from({ length: MESSAGES }, (_, i) => `head message ${MESSAGES - i}`),
    );
    expect(inbox?.rows.map((r) => r.uid)).toEqual([...uids].sort((a, b) => b - a));
    expect(inbox?.rows.length).toBeLessThanOrEqual(LIST_WINDOW_SIZE);
    // The page shows the flat list from its first frame: the answer says so.
    expect(info.conversations).toBe(false);
  });

  it("carries INBOX's conversations to a user who chose them, also when a page guessed messages", async () => {
    await saveView(true);
    const info = await signInWith({ conversations: false });
    expect(info.inbox?.total).toBe(MESSAGES);
    expect(info.inbox?.conversations?.length).toBe(MESSAGES);
    expect(info.inbox?.rows.map((r) => r.subject)).toEqual(
      Array.from({ length: MESSAGES }, (_, i) => `head message ${MESSAGES - i}`),
    );
    expect(info.conversations).toBe(true);
  });

  it("carries the first screens of a large INBOX's conversations, and their total", async () => {
    const info = await signInWith({ conversations: true }, 1);
    expect(info.inbox?.total).toBe(MANY);
    expect(info.inbox?.offset).toBe(0);
    expect(info.inbox?.conversations?.length).toBe(SIGN_IN_CONVERSATIONS);
    expect(info.inbox?.rows.map((r) => r.subject)).toEqual(
      Array.from({ length: SIGN_IN_CONVERSATIONS }, (_, i) => `topic ${MANY - i}`),
    );
  });

  it("carries as many conversations as the page's screen shows, and a few more", async () => {
    const rows = 11;
    const info = await signInWith({ conversations: true, rows }, 1);
    const carried = rows + SIGN_IN_SPARE_ROWS;
    expect(info.inbox?.total).toBe(MANY);
    expect(info.inbox?.conversations?.length).toBe(carried);
    expect(info.inbox?.rows.map((r) => r.subject)).toEqual(
      Array.from({ length: carried }, (_, i) => `topic ${MANY - i}`),
    );
  });

  it("refuses a count of rows on screen out of bounds with a typed bad_request", async () => {
    const u = mail.users[1];
    if (!u) throw new Error("no second fixture user");
    for (const rows of [0, -3, 2.5, SIGN_IN_ROWS_MAX + 1, "12"]) {
      const r = await signIn(b, {
        email: u.email,
        password: u.password,
        inbox: { conversations: true, rows },
      });
      expect(r.status).toBe(400);
      expect(r.cookie).toBeUndefined();
      const parsed = ZHttpError.safeParse(r.body);
      expect(parsed.success).toBe(true);
      expect(parsed.data?.error.code).toBe("bad_request");
      expect(parsed.data?.error.message).toMatch(/inbox\.rows/);
    }
    // The account is not held back by the refused requests: it signs in at once.
    expect(
      (await signInWith({ conversations: true, rows: 3 }, 1)).inbox?.conversations,
    ).toHaveLength(3 + SIGN_IN_SPARE_ROWS);
  });
});
