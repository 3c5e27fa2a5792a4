/**
 * A sign-in that does not ask for INBOX's first window (a client that opens its socket and asks
 * there, as the benchmark's bridge row does), of a user whose saved view is conversations: from
 * the account's second sign-in on (its INBOX order kept, no THREAD to wait for), the socket's
 * first window of conversations is read ahead on the connection that verified the password, as
 * the sign-in answer's conversations are, its look into Sent kept from the last one. So it waits
 * neither for the session's command connection (its login, LIST, SELECT of INBOX) nor for a Sent
 * connection, and it is the same window the command connection reads. Against the real Dovecot.
 */
import { startMailServer } from "@ferry/mail-server";
import type { TWindow } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

const EMAIL = "socket@example.test";
let mail: MailServer;
let b: TestBridge;

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: [{ email: EMAIL }] });
  const imap = await imapClient(mail, mail.user(EMAIL));
  try {
    await appendExchange(imap, EMAIL, { subject: "Oslo", key: "o" });
    for (let i = 1; i <= 3; i++) {
      await imap.append(
        "INBOX",
        threadMessage(EMAIL, { from: "carol@example.test", subject: `Note ${i}`, id: `n${i}@x` }),
      );
    }
  } finally {
    await imap.logout().catch(() => imap.close());
  }
  b = await startBridge(mail);
}, 120_000);

afterAll(async () => {
  await b?.close();
  await mail?.stop();
});

/** Signs in (no window asked), reads the socket's first window of conversations, signs out. */
async function socketWindow(
  during?: (read: () => Promise<void>) => Promise<void>,
): Promise<TWindow> {
  const user = mail.user(EMAIL);
  let window: TWindow | undefined;
  let cookie: string | undefined;
  const read = async () => {
    const r = await signIn(b, { email: user.email, password: user.password });
    expect(r.status).toBe(200);
    cookie = r.cookie as string;
    const s = await openSocket(b, cookie);
    window = await inboxRows(s, true);
    s.ws.close();
  };
  await (during ? during(read) : read());
  const out = await fetch(`${b.url}/api/session`, {
    method: "DELETE",
    headers: { cookie: cookie as string, origin: b.origin },
  });
  expect(out.status).toBe(204);
  if (!window) throw new Error("no window");
  return window;
}

describe("a repeat sign-in's first window of conversations asked over the socket", () => {
  it("is read ahead on the verifying connection, the same window, with no Sent connection", async () => {
    // The first sign-in threads INBOX on the command connection (nothing kept yet) and keeps
    // its order; the second reads ahead and keeps its look into Sent.
    const first = await socketWindow();
    expect(first.conversations?.find((c) => c.subject === "Re: Oslo")?.count).toBe(3);
    await socketWindow();
    let commands: SentCommand[] = [];
    const again = await socketWindow(async (read) => {
      commands = await commandsDuring(read);
    });
    expect(again.conversations).toEqual(first.conversations);
    expect(again.rows).toEqual(first.rows);
    expect(again.total).toBe(first.total);
    const verified = commands.find((c) => /^(AUTHENTICATE|LOGIN)$/.test(c.command))?.connection;
    const elsewhere = commands.filter((c) => c.connection !== verified);
    // Before: the verifying connection read a flat window nobody asked for, and the command
    // connection SELECTed INBOX again and read the conversations, Sent searched on a new
    // connection.
    expect({
      selectsOfInbox: commands.filter((c) => c.command === "SELECT" && /INBOX/.test(c.attributes))
        .length,
      fetchesElsewhere: countOf(elsewhere, "FETCH"),
      searchesElsewhere: countOf(elsewhere, "SEARCH"),
      threads: countOf(commands, "THREAD"),
    }).toEqual({ selectsOfInbox: 1, fetchesElsewhere: 0, searchesElsewhere: 0, threads: 0 });
  }, 120_000);

  it("is read again, counting it, after a message arrives in between", async () => {
    await socketWindow();
    const imap = await imapClient(mail, mail.user(EMAIL));
    try {
      await imap.append(
        "INBOX",
        threadMessage(EMAIL, {
          from: "bob@example.test",
          subject: "Re: Oslo",
          id: "o4@x",
          refs: ["o1@x", "o2@x", "o3@x"],
        }),
      );
    } finally {
      await imap.logout().catch(() => imap.close());
    }
    const after = await socketWindow();
    const oslo = after.conversations?.[0];
    expect([oslo?.subject, oslo?.count, oslo?.elsewhere.map((e) => e.mailbox)]).toEqual([
      "Re: Oslo",
      4,
      ["Sent"],
    ]);
  }, 120_000);
});
