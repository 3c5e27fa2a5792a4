/**
 * The sign-in answer's conversations are read as its flat window is, on the connection that
 * verified the password (the INBOX watcher's, before it starts watching), not on the session's
 * command connection, whose login and SELECT would come first; their look into Sent runs on the
 * account's Sent connection. Against the real Dovecot: the answer still counts the user's reply
 * in Sent and names them "me", and a second sign-in of the user is answered without a THREAD.
 * The verifying connection lists the account's folders once, before it reads INBOX: the LIST the
 * rows' look into Sent needs (which folder is Sent) also spares imapflow's SELECT of INBOX the
 * LIST "" "INBOX" and LSUB it sends for a folder it has not listed, two round trips fewer before
 * the answer's rows. A repeat sign-in with Sent unchanged (one STATUS says so) takes the last
 * sign-in's look into Sent as kept and waits for no Sent connection; a reply filed in Sent by
 * another client in between is counted all the same. Before the answer only the verifying
 * connection is opened: the session's command connection logs in after it.
 */
import { ServerResponse } from "node:http";
import { startMailServer } from "@ferry/mail-server";
import { ZSessionInfo } from "@ferry/protocol";
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  imapClient,
  inboxRows,
  type MailServer,
  openSocket,
  signIn,
  startBridge,
  type TestBridge,
} from "./harness";
import { commandsDuring, countOf, type SentCommand } from "./imap-commands";
import { appendExchange, threadMessage } from "./thread-mail";

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

async function signInAndOut(during?: (signIn: () => Promise<void>) => Promise<void>) {
  const user = mail.user(EMAIL);
  let r: Awaited<ReturnType<typeof signIn>> | undefined;
  const go = async () => {
    r = await signIn(b, {
      email: user.email,
      password: user.password,
      inbox: { conversations: true },
    });
  };
  await (during ? during(go) : go());
  expect(r?.status).toBe(200);
  const out = await fetch(`${b.url}/api/session`, {
    method: "DELETE",
    headers: { cookie: r?.cookie as string, origin: b.origin },
  });
  expect(out.status).toBe(204);
  return ZSessionInfo.parse(r?.body);
}

/** The conversation "Re: Bergen" of a sign-in answer. */
function bergenOf(info: Awaited<ReturnType<typeof signInAndOut>>) {
  return info.inbox?.conversations?.find((c) => c.subject === "Re: Bergen");
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

  it("are answered without a Sent connection when Sent has not changed since the last one", async () => {
    const first = await signInAndOut();
    let commands: SentCommand[] = [];
    const again = await signInAndOut(async (go) => {
      commands = await commandsDuring(go);
    });
    expect(again.inbox?.conversations).toEqual(first.inbox?.conversations);
    expect(bergenOf(again)?.count).toBe(3);
    const verified = commands.find((c) => /^(AUTHENTICATE|LOGIN)$/.test(c.command))?.connection;
    const elsewhere = commands.filter((c) => c.connection !== verified);
    // No look into Sent (a SEARCH there) before the answer: one STATUS of Sent told the kept
    // one stands. (The Sent connection opens once the answer is sent: its LIST and EXAMINE may
    // or may not come before the test sees the answer, and are not counted.)
    expect({
      searchElsewhere: countOf(elsewhere, "SEARCH"),
      statusOfSent: commands.filter(
        (c) => c.connection === verified && c.command === "STATUS" && c.attributes.includes("Sent"),
      ).length,
      // INBOX's state comes from its SELECT: a STATUS of it first made that SELECT slower
      statusOfInbox: commands.filter(
        (c) => c.command === "STATUS" && c.attributes.includes("INBOX"),
      ).length,
    }).toEqual({ searchElsewhere: 0, statusOfSent: 1, statusOfInbox: 0 });
  }, 120_000);

  it("open no connection but the verifying one before the answer; the session's others after it", async () => {
    await signInAndOut();
    // Global call order across spies: which IMAP connections were opened before the POST's
    // answer was written, and which after.
    const connect = vi.spyOn(ImapFlow.prototype, "connect");
    const end = vi.spyOn(ServerResponse.prototype, "end");
    try {
      const user = mail.user(EMAIL);
      const r = await signIn(b, {
        email: user.email,
        password: user.password,
        inbox: { conversations: true },
      });
      expect(r.status).toBe(200);
      // The session works: its socket's window (on the command connection, Sent looked into on
      // the Sent connection) counts the reply.
      const s = await openSocket(b, r.cookie as string);
      const w = await inboxRows(s, true);
      expect(w.conversations?.find((c) => c.subject === "Re: Bergen")?.count).toBe(3);
      s.ws.close();
      const answer = end.mock.contexts.findIndex((res) => {
        const req = (res as ServerResponse).req;
        return req?.method === "POST" && req.url === "/api/session";
      });
      const answeredAt = end.mock.invocationCallOrder[answer] ?? 0;
      const opened = connect.mock.invocationCallOrder;
      expect(opened.filter((at) => at < answeredAt)).toHaveLength(1);
      // its command connection and its Sent connection
      expect(opened.filter((at) => at > answeredAt).length).toBeGreaterThanOrEqual(2);
      const out = await fetch(`${b.url}/api/session`, {
        method: "DELETE",
        headers: { cookie: r.cookie as string, origin: b.origin },
      });
      expect(out.status).toBe(204);
    } finally {
      connect.mockRestore();
      end.mockRestore();
    }
  }, 120_000);

  it("count a reply filed in Sent by another client between two sign-ins", async () => {
    expect(bergenOf(await signInAndOut())?.count).toBe(3);
    const imap = await imapClient(mail, mail.user(EMAIL));
    try {
      const reply = threadMessage(EMAIL, {
        from: EMAIL,
        subject: "Re: Bergen",
        id: "b4@x",
        refs: ["b1@x", "b2@x", "b3@x"],
      });
      await imap.append("Sent", reply, ["\\Seen"]);
    } finally {
      await imap.logout().catch(() => imap.close());
    }
    const after = await signInAndOut();
    expect(bergenOf(after)?.count).toBe(4);
    expect(bergenOf(await signInAndOut())).toEqual(bergenOf(after));
  }, 120_000);

  it("look into Sent again when INBOX changed since, on the Sent connection", async () => {
    await signInAndOut();
    const imap = await imapClient(mail, mail.user(EMAIL));
    try {
      const news = threadMessage(EMAIL, {
        from: "carol@example.test",
        subject: "Trondheim",
        id: "t1@x",
      });
      await imap.append("INBOX", news);
    } finally {
      await imap.logout().catch(() => imap.close());
    }
    let commands: SentCommand[] = [];
    const after = await signInAndOut(async (go) => {
      commands = await commandsDuring(go);
    });
    expect(after.inbox?.conversations?.map((c) => [c.subject, c.count])).toEqual([
      ["Trondheim", 1],
      ["Re: Bergen", 4],
    ]);
    const verified = commands.find((c) => /^(AUTHENTICATE|LOGIN)$/.test(c.command))?.connection;
    expect(
      countOf(
        commands.filter((c) => c.connection !== verified),
        "SEARCH",
      ),
    ).toBe(1);
  }, 120_000);
});
