/**
 * The sign-in answer carries INBOX's first window when the request asks for it, so the browser
 * can paint the rows before its socket is up: the newest messages, as the real Dovecot holds
 * them, of messages or of conversations as asked, valid against the protocol's schema.
 */
import { startMailServer } from "@ferry/mail-server";
import { LIST_WINDOW_SIZE, ZSessionInfo } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_IN_CONVERSATIONS } from "../src/session/inbox-head";
import {
  imapClient,
  type MailServer,
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

async function signInWith(inbox?: { conversations: boolean }, user = 0) {
  const u = mail.users[user];
  if (!u) throw new Error("no fixture user");
  const r = await signIn(b, { email: u.email, password: u.password, ...(inbox ? { inbox } : {}) });
  expect(r.status).toBe(200);
  const parsed = ZSessionInfo.safeParse(r.body);
  if (!parsed.success) throw new Error(`not a ZSessionInfo: ${parsed.error.message}`);
  return parsed.data;
}

describe("the sign-in answer", () => {
  it("carries no window when the request does not ask for one", async () => {
    expect((await signInWith()).inbox).toBeUndefined();
  });

  it("carries INBOX's newest messages, as Dovecot holds them", async () => {
    const info = await signInWith({ conversations: false });
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
  });

  it("carries INBOX's conversations when the page shows INBOX that way", async () => {
    const info = await signInWith({ conversations: true });
    expect(info.inbox?.total).toBe(MESSAGES);
    expect(info.inbox?.conversations?.length).toBe(MESSAGES);
    expect(info.inbox?.rows.map((r) => r.subject)).toEqual(
      Array.from({ length: MESSAGES }, (_, i) => `head message ${MESSAGES - i}`),
    );
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
});
