/**
 * The sign-in answer's conversations are read as its flat window is, on the connection that
 * verified the password (the INBOX watcher's, before it starts watching), not on the session's
 * command connection, whose login and SELECT would come first; their look into Sent runs on the
 * account's Sent connection. Against the real Dovecot: the answer still counts the user's reply
 * in Sent and names them "me", and a second sign-in of the user is answered without a THREAD.
 * The verifying connection lists the account's folders once, before it reads INBOX: the LIST the
 * rows' look into Sent needs (which folder is Sent) also spares imapflow's SELECT of INBOX the
 * LIST "" "INBOX" and LSUB it sends for a folder it has not listed, two round trips fewer before
 * the answer's rows.
 */
import { startMailServer } from "@ferry/mail-server";
import { ZSessionInfo } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imapClient, type MailServer, signIn, startBridge, type TestBridge } from "./harness";
import { commandsDuring, countOf } from "./imap-commands";
import { appendExchange } from "./thread-mail";

const EMAIL = "answer@example.test";
let mail: MailServer;
let b: TestBridge;

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: [{ email: EMAIL }] });
  const imap = await imapClient(mail, mail.user(EMAIL));
  try {
    await appendExchange(imap, EMAIL, { subject: "Bergen", key: "b" });
  } finally {
    await imap.logout().catch(() => imap.close());
  }
  b = await startBridge(mail);
}, 120_000);

afterAll(async () => {
  await b?.close();
  await mail?.stop();
});

async function signInAndOut() {
  const user = mail.user(EMAIL);
  const r = await signIn(b, {
    email: user.email,
    password: user.password,
    inbox: { conversations: true },
  });
  expect(r.status).toBe(200);
  const out = await fetch(`${b.url}/api/session`, {
    method: "DELETE",
    headers: { cookie: r.cookie as string, origin: b.origin },
  });
  expect(out.status).toBe(204);
  return ZSessionInfo.parse(r.body);
}

describe("the sign-in answer's conversations", () => {
  it("are read on the connection that verified the password, Sent counted", async () => {
    let info: Awaited<ReturnType<typeof signInAndOut>> | undefined;
    const commands = await commandsDuring(async () => {
      info = await signInAndOut();
    });
    const verified = commands.find((c) => /^(AUTHENTICATE|LOGIN)$/.test(c.command))?.connection;
    const threaded = commands.filter((c) => c.command === "UID THREAD");
    expect(threaded).toHaveLength(1);
    expect(threaded[0]?.connection).toBe(verified);
    const bergen = info?.inbox?.conversations?.find((c) => c.subject === "Re: Bergen");
    expect(bergen?.count).toBe(3);
    expect(bergen?.elsewhere.map((e) => e.mailbox)).toEqual(["Sent"]);
    expect(bergen?.participants.find((p) => p.me)?.address).toBe(EMAIL);

    const again = await commandsDuring(async () => {
      const second = await signInAndOut();
      expect(second.inbox?.conversations).toEqual(info?.inbox?.conversations);
    });
    expect(countOf(again, "THREAD")).toBe(0);
  }, 120_000);

  it("lists the folders once on the verifying connection before its SELECT of INBOX", async () => {
    const user = mail.user(EMAIL);
    let body: unknown;
    let cookie: string | undefined;
    const commands = await commandsDuring(async () => {
      const r = await signIn(b, {
        email: user.email,
        password: user.password,
        inbox: { conversations: true, rows: 10 },
      });
      expect(r.status).toBe(200);
      body = r.body;
      cookie = r.cookie;
    });
    // The first connection that logged in and selected: a connection of the previous test's
    // session, signed out while it was still connecting, can log in first (seen at load ~14).
    const verified = commands
      .filter((c) => /^(AUTHENTICATE|LOGIN)$/.test(c.command))
      .map((c) => c.connection)
      .find((conn) => commands.some((c) => c.connection === conn && c.command === "SELECT"));
    const onVerified = commands.filter((c) => c.connection === verified);
    const select = onVerified.findIndex((c) => c.command === "SELECT");
    expect(select).toBeGreaterThan(0);
    const beforeSelect = onVerified.slice(0, select);
    expect({
      list: countOf(beforeSelect, "LIST"),
      listOfInbox: beforeSelect.filter(
        (c) => c.command === "LIST" && c.attributes.includes('"INBOX"'),
      ).length,
      lsub: countOf(onVerified, "LSUB"),
      listAfterSelect: countOf(onVerified.slice(select), "LIST"),
    }).toEqual({ list: 1, listOfInbox: 0, lsub: 0, listAfterSelect: 0 });

    const info = ZSessionInfo.parse(body);
    const row = info.inbox?.conversations?.find((c) => c.subject === "Re: Bergen");
    expect(row?.count).toBe(3);
    expect(row?.elsewhere.map((e) => e.mailbox)).toEqual(["Sent"]);
    const out = await fetch(`${b.url}/api/session`, {
      method: "DELETE",
      headers: { cookie: cookie ?? "", origin: b.origin },
    });
    expect(out.status).toBe(204);
  }, 120_000);
});
