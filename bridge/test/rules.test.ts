/**
 * Rules end to end, against a real bridge and the real Dovecot (Pigeonhole) and Postfix: a rule
 * saved through the socket files mail delivered through Postfix at delivery; the vacation reply
 * answers a sender once; report spam / not spam set the keywords the server sees.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import type { ImapFlow } from "imapflow";
import { createTransport } from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  imapClient,
  openSocket,
  signedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
  withTimeout,
} from "./harness";

let mail: MailServer;
let b: TestBridge;
let socket: TestSocket;
const clients: ImapFlow[] = [];

/** Sends through the fixture's Postfix (submission, STARTTLS, AUTH) as `login`. */
async function sendViaPostfix(
  login: string,
  message: { from: string; to: string; subject: string; text: string },
): Promise<void> {
  const user = mail.user(login);
  const transport = createTransport({
    host: mail.host,
    port: mail.submissionPort,
    secure: false,
    requireTLS: true,
    auth: { user: user.email, pass: user.password },
    tls: { ca: mail.ca },
  });
  try {
    await transport.sendMail({ ...message, envelope: { from: user.email, to: [message.to] } });
  } finally {
    transport.close();
  }
}

/** Resolves once `path` holds at least `count` messages (IDLE on its own connection). */
async function waitForCount(login: string, path: string, count: number): Promise<ImapFlow> {
  const client = await imapClient(mail, mail.user(login));
  clients.push(client);
  const lock = await client.getMailboxLock(path);
  try {
    const reached = new Promise<void>((resolve) => {
      const check = () => {
        if (client.mailbox && client.mailbox.exists >= count) resolve();
      };
      client.on("exists", check);
      check();
    });
    const idling = client.idle();
    await withTimeout(reached, 20_000, `${count} messages in ${login}'s ${path}`);
    // a NOOP ends the IDLE, so the next commands can run
    await client.noop();
    await idling.catch(() => undefined);
  } finally {
    lock.release();
  }
  return client;
}

async function subjectsAndFlags(client: ImapFlow, path: string) {
  const lock = await client.getMailboxLock(path);
  try {
    const out: { subject: string; flags: string[] }[] = [];
    // changes made on other connections (expunges, flags) arrive before the FETCH
    await client.noop();
    if (!client.mailbox || client.mailbox.exists === 0) return out;
    for await (const m of client.fetch("1:*", { envelope: true, flags: true })) {
      // \Recent and Dovecot's $HasAttachment/$HasNoAttachment say nothing here
      const flags = [...(m.flags ?? [])].filter(
        (f) => !/^(\\Recent|\$Has(No)?Attachment)$/.test(f),
      );
      out.push({ subject: m.envelope?.subject ?? "", flags: flags.sort() });
    }
    return out;
  } finally {
    lock.release();
  }
}

beforeAll(async () => {
  mail = await startMailServer({
    users: [
      { email: "alice@example.test" },
      { email: "bob@example.test" },
      { email: "carol@example.test" },
    ],
  });
  b = await startBridge(mail, {
    env: { FERRY_SIEVE_HOST: mail.sieve.host, FERRY_SIEVE_PORT: String(mail.sieve.port) },
  });
}, 60_000);

afterAll(async () => {
  socket?.close();
  await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
  await b?.close();
  await mail?.stop();
});

async function signInAs(login: string): Promise<TestSocket> {
  const user = mail.user(login);
  const cookie = await signedIn(b, user.email, user.password);
  return openSocket(b, cookie);
}

describe("rules through the socket", () => {
  it("a rule saved in Ferry files mail Postfix delivers: moved to Receipts and read, Inbox untouched", async () => {
    socket = await signInAs("alice@example.test");
    const setup = await imapClient(mail, mail.user("alice@example.test"));
    clients.push(setup);
    await setup.mailboxCreate("Receipts");

    const saved = await socket.request({
      type: "rules.save",
      id: "save-1",
      rules: [
        {
          id: "r1",
          name: "Receipts",
          conditions: [{ field: "from", match: "contains", value: "shop@example.net" }],
          actions: [{ type: "move", folder: "Receipts" }, { type: "mark-read" }],
        },
      ],
      vacation: { enabled: false, subject: "", message: "" },
    });
    expect(saved).toMatchObject({ type: "rules", active: true, foreign: null });

    await sendViaPostfix("bob@example.test", {
      from: "Shop <shop@example.net>",
      to: "alice@example.test",
      subject: "Your receipt",
      text: "Thanks",
    });
    await sendViaPostfix("bob@example.test", {
      from: "Bob <bob@example.test>",
      to: "alice@example.test",
      subject: "Lunch?",
      text: "Noon",
    });
    const receipts = await waitForCount("alice@example.test", "Receipts", 1);
    await waitForCount("alice@example.test", "INBOX", 1);
    expect(await subjectsAndFlags(receipts, "Receipts")).toEqual([
      { subject: "Your receipt", flags: ["\\Seen"] },
    ]);
    expect(await subjectsAndFlags(receipts, "INBOX")).toEqual([{ subject: "Lunch?", flags: [] }]);

    const read = await socket.request({ type: "rules.get", id: "get-1" });
    expect(read).toMatchObject({ type: "rules", active: true, vacationDates: true });
    if (read.type !== "rules") throw new Error("no rules");
    expect(read.rules[0]?.actions).toEqual([
      { type: "move", folder: "Receipts" },
      { type: "mark-read" },
    ]);
  });

  it("refuses a forward to an invalid address before anything is saved", async () => {
    const reply = await socket.request({
      type: "rules.save",
      id: "save-bad",
      rules: [
        {
          id: "r2",
          name: "fwd",
          conditions: [{ field: "subject", match: "is", value: "x" }],
          actions: [{ type: "forward", address: 'evil"; discard; "@x' }],
        },
      ],
      vacation: { enabled: false, subject: "", message: "" },
    });
    expect(reply).toMatchObject({ type: "error", code: "bad_request" });
    const read = await socket.request({ type: "rules.get", id: "get-2" });
    if (read.type !== "rules") throw new Error("no rules");
    expect(read.rules.map((r) => r.id)).toEqual(["r1"]);
  });

  it("the vacation reply answers a sender once for two messages", async () => {
    const carol = await signInAs("carol@example.test");
    const saved = await carol.request({
      type: "rules.save",
      id: "vac",
      rules: [],
      vacation: {
        enabled: true,
        subject: 'Away "until" Monday',
        message: "I am away.\nBack on Monday.",
        days: 7,
      },
    });
    expect(saved).toMatchObject({ type: "rules", active: true });
    if (saved.type !== "rules") throw new Error("no rules");
    expect(saved.vacation).toMatchObject({ enabled: true, subject: 'Away "until" Monday' });
    for (const subject of ["First", "Second"]) {
      await sendViaPostfix("bob@example.test", {
        from: "Bob <bob@example.test>",
        to: "carol@example.test",
        subject,
        text: "hello",
      });
    }
    await waitForCount("carol@example.test", "INBOX", 2);
    // a marker sent after both deliveries were answered (or not): once it is in, so is any reply
    await sendViaPostfix("carol@example.test", {
      from: "carol@example.test",
      to: "bob@example.test",
      subject: "marker",
      text: "m",
    });
    const bob = await waitForCount("bob@example.test", "INBOX", 2);
    const got = await subjectsAndFlags(bob, "INBOX");
    expect(got.filter((m) => m.subject === 'Away "until" Monday')).toHaveLength(1);
    carol.close();
  });

  it("report spam and not spam set the keywords the server sees, and move the messages", async () => {
    const bobSocket = await signInAs("bob@example.test");
    const inbox = await bobSocket.request({ type: "mailbox.open", id: "open", path: "INBOX" });
    if (inbox.type !== "mailbox.opened") throw new Error("not opened");
    const imap = await imapClient(mail, mail.user("bob@example.test"));
    clients.push(imap);
    const uids = await (async () => {
      const lock = await imap.getMailboxLock("INBOX");
      try {
        return (await imap.search({ subject: "marker" }, { uid: true })) || [];
      } finally {
        lock.release();
      }
    })();
    expect(uids).toHaveLength(1);
    const spam = await bobSocket.request({
      type: "messages.spam",
      id: "spam",
      set: { mailbox: "INBOX", uidValidity: inbox.uidValidity, uids },
      verdict: "spam",
    });
    expect(spam).toMatchObject({ type: "messages.moved", to: "Junk" });
    expect(await subjectsAndFlags(imap, "Junk")).toEqual([{ subject: "marker", flags: ["$Junk"] }]);
    if (spam.type !== "messages.moved" || !spam.uidMap || spam.toUidValidity == null) {
      throw new Error("no uid map");
    }
    const back = await bobSocket.request({
      type: "messages.spam",
      id: "ham",
      set: {
        mailbox: "Junk",
        uidValidity: spam.toUidValidity,
        uids: spam.uidMap.map(([, to]) => to),
      },
      verdict: "not_spam",
    });
    expect(back).toMatchObject({ type: "messages.moved", to: "INBOX" });
    expect(await subjectsAndFlags(imap, "Junk")).toEqual([]);
    const marker = (await subjectsAndFlags(imap, "INBOX")).find((m) => m.subject === "marker");
    expect(marker?.flags).toEqual(["$NotJunk"]);
    bobSocket.close();
  });
});
