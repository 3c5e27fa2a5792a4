/**
 * `messages.rows` through a real bridge against the real Dovecot: the rows of a conversation's
 * members in INBOX and Sent in one request (sender, preview, date, flags, attachments, the folder
 * and In-Reply-To, one FETCH per folder), without opening them (an unread one stays unread);
 * refs whose UIDVALIDITY is not their folder's, or whose message is gone, come back as
 * `missing`; a folder that does not exist, or more refs than MAX_ROWS_REFS, get a typed error.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import { MAX_ROWS_REFS, type TMessageRef } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  imapClient,
  openSocket,
  signedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";
import { commandsDuring } from "./imap-commands";

let mail: MailServer;
let bridge: TestBridge;
let socket: TestSocket;
let user: { email: string; password: string };

function message(from: string, subject: string, id: string, text: string, inReplyTo?: string) {
  return [
    `From: ${from}`,
    "To: someone@example.test",
    `Subject: ${subject}`,
    `Message-ID: ${id}`,
    ...(inReplyTo ? [`In-Reply-To: ${inReplyTo}`, `References: ${inReplyTo}`] : []),
    `Date: ${new Date().toUTCString()}`,
    "",
    text,
    "",
  ].join("\r\n");
}

const placed: Record<string, TMessageRef> = {};

beforeAll(async () => {
  mail = await startMailServer();
  user = mail.user("alice@example.test");
  bridge = await startBridge(mail);
  socket = await openSocket(bridge, await signedIn(bridge, user.email, user.password));
  const client = await imapClient(mail, user);
  try {
    const put = async (name: string, box: string, raw: string, flags: string[]) => {
      const r = await client.append(box, raw, flags);
      if (r === false || !r.uid || r.uidValidity === undefined) throw new Error("no APPENDUID");
      placed[name] = { mailbox: box, uidValidity: Number(r.uidValidity), uid: r.uid };
    };
    await put(
      "first",
      "INBOX",
      message("Bob <bob@example.test>", "Lunch", "<m1@example.test>", "Shall we meet at noon?"),
      ["\\Seen"],
    );
    await put(
      "mine",
      "Sent",
      message(
        `Me <${user.email}>`,
        "Re: Lunch",
        "<m2@example.test>",
        "Noon is fine.",
        "<m1@example.test>",
      ),
      ["\\Seen"],
    );
    await put(
      "unread",
      "INBOX",
      message(
        "Bob <bob@example.test>",
        "Re: Lunch",
        "<m3@example.test>",
        "See you at the corner cafe.",
        "<m2@example.test>",
      ),
      [],
    );
  } finally {
    await client.logout();
  }
}, 120_000);

afterAll(async () => {
  socket?.close();
  await bridge?.close();
  await mail?.stop();
});

/** The UID set a FETCH's attributes (as commandsDuring gives them) name. */
function uidSetOf(attributes: string): string {
  const [set] = JSON.parse(attributes) as Array<{ value?: unknown }>;
  return typeof set?.value === "string" ? set.value : "";
}

let n = 0;
function rowsOf(refs: TMessageRef[]) {
  return socket.request({ type: "messages.rows", id: `r${++n}`, refs }, 30_000);
}

describe("messages.rows", () => {
  it("gives the rows of members in INBOX and Sent in one request, without marking them read", async () => {
    const first = placed.first as TMessageRef;
    const mine = placed.mine as TMessageRef;
    const unread = placed.unread as TMessageRef;
    const reply = await rowsOf([first, mine, unread, first]);
    if (reply.type !== "messages.rows") throw new Error(JSON.stringify(reply));
    expect(reply.missing).toEqual([]);
    const byId = new Map(reply.rows.map((r) => [r.messageId, r]));
    expect(reply.rows).toHaveLength(3);
    expect(byId.get("<m1@example.test>")).toMatchObject({
      mailbox: "INBOX",
      uidValidity: first.uidValidity,
      uid: first.uid,
      from: [{ name: "Bob", address: "bob@example.test" }],
      preview: "Shall we meet at noon?",
      inReplyTo: null,
    });
    expect(byId.get("<m1@example.test>")?.flags).toContain("\\Seen");
    expect(byId.get("<m2@example.test>")).toMatchObject({
      mailbox: "Sent",
      uidValidity: mine.uidValidity,
      uid: mine.uid,
      preview: "Noon is fine.",
      inReplyTo: "<m1@example.test>",
    });
    const third = byId.get("<m3@example.test>");
    expect(third?.preview).toBe("See you at the corner cafe.");
    expect(third?.flags).not.toContain("\\Seen");

    // Listing it did not read it: it is still unread on the server.
    const client = await imapClient(mail, user);
    try {
      await client.mailboxOpen("INBOX", { readOnly: true });
      const [seen] = await client.fetchAll(String(unread.uid), { flags: true }, { uid: true });
      expect(seen?.flags?.has("\\Seen")).toBe(false);
    } finally {
      await client.logout();
    }
  });

  it("reads each folder's rows, In-Reply-To included, with one FETCH", async () => {
    const refs = [placed.first, placed.mine, placed.unread] as TMessageRef[];
    // INBOX's two messages and Sent's one are the first of their folders.
    expect(refs.map((r) => r.uid)).toEqual([1, 1, 2]);
    let reply: Awaited<ReturnType<typeof rowsOf>> | undefined;
    const commands = await commandsDuring(async () => {
      reply = await rowsOf(refs);
    });
    if (reply?.type !== "messages.rows") throw new Error(JSON.stringify(reply));
    expect(reply.rows.map((r) => r.inReplyTo).sort()).toEqual([
      "<m1@example.test>",
      "<m2@example.test>",
      null,
    ]);
    // INBOX and Sent: one FETCH each (their rows and threading headers together).
    // FETCHes of the refs' UIDs (the session's other connections may FETCH meanwhile).
    const ofRefs = commands.filter(
      (c) => c.command.endsWith("FETCH") && ["1:2", "1"].includes(uidSetOf(c.attributes)),
    );
    expect(ofRefs).toHaveLength(2);
  });

  it("answers a ref of another UIDVALIDITY, or of a message that is gone, as missing", async () => {
    const first = placed.first as TMessageRef;
    const mine = placed.mine as TMessageRef;
    const stale = { ...first, uidValidity: first.uidValidity + 1 };
    const gone = { ...mine, uid: mine.uid + 1000 };
    const reply = await rowsOf([stale, mine, gone]);
    if (reply.type !== "messages.rows") throw new Error(JSON.stringify(reply));
    expect(reply.rows.map((r) => r.messageId)).toEqual(["<m2@example.test>"]);
    expect(reply.missing).toHaveLength(2);
    expect(reply.missing).toEqual(expect.arrayContaining([stale, gone]));
  });

  it("refuses a folder that does not exist, and too many refs, with typed errors", async () => {
    const first = placed.first as TMessageRef;
    const noFolder = await rowsOf([first, { ...first, mailbox: "No such folder" }]);
    expect(noFolder).toMatchObject({ type: "error", code: "mailbox_not_found" });

    const many = Array.from({ length: MAX_ROWS_REFS + 1 }, (_, i) => ({ ...first, uid: i + 1 }));
    const tooMany = await rowsOf(many);
    expect(tooMany).toMatchObject({ type: "error", code: "bad_request" });

    // The session is unharmed: the next request is answered.
    const again = await rowsOf([first]);
    expect(again.type).toBe("messages.rows");
  });
});
