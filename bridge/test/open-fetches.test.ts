/**
 * What opening a message asks of the real Dovecot: a message of one part is read in two FETCHes
 * (its header, then its text), not three (download() would FETCH the BODYSTRUCTURE again first
 * to find its text at TEXT), and its text still comes decoded from its charset; a multipart
 * message's text part (number 1, not its TEXT) still comes whole.
 */
import { startMailServer } from "@ferry/mail-server";
import type { TMessageRef, TServerFrame } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  inboxSocket,
  inboxWindow,
  type MailServer,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";
import { commandsDuring, countOf, onReadingConnections } from "./imap-commands";

const READER = "fetches@example.test";
const FROM = "sender@example.test";

let mail: MailServer;
let bridge: TestBridge;
let socket: TestSocket;
const refs = new Map<string, TMessageRef>();

function raw(subject: string, headers: string[], body: string[]): string {
  return [
    `From: <${FROM}>`,
    `To: <${READER}>`,
    `Subject: ${subject}`,
    `Message-ID: <${subject}@example.test>`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
    ...headers,
    "",
    ...body,
    "",
  ].join("\r\n");
}

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: [{ email: READER }] });
  const envelope = { from: FROM, to: [READER] };
  await mail.deliver(
    raw(
      "one-part",
      [
        "Content-Type: text/plain; charset=iso-8859-1",
        "Content-Transfer-Encoding: quoted-printable",
      ],
      ["Caf=E9 au lait, =E0 bient=F4t."],
    ),
    envelope,
  );
  await mail.deliver(
    raw(
      "two-parts",
      ['Content-Type: multipart/mixed; boundary="b"'],
      [
        "--b",
        "Content-Type: text/plain; charset=iso-8859-1",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "The text part, =E0 lire.",
        "--b",
        "Content-Type: application/octet-stream",
        'Content-Disposition: attachment; filename="a.bin"',
        "Content-Transfer-Encoding: base64",
        "",
        "AAECAw==",
        "--b--",
      ],
    ),
    envelope,
  );
  bridge = await startBridge(mail);
  socket = await inboxSocket(bridge, mail.user(READER));
  let n = 0;
  const w = await inboxWindow(socket, () => `w-${++n}`);
  for (const row of w.rows) {
    refs.set(row.subject, { mailbox: "INBOX", uidValidity: w.uidValidity, uid: row.uid });
  }
}, 120_000);

afterAll(async () => {
  socket?.close();
  await bridge?.close();
  await mail?.stop();
});

/** Opens `subject` and returns the texts of its body parts (by part) and the IMAP commands. */
async function open(subject: string) {
  const ref = refs.get(subject);
  if (!ref) throw new Error(`no message "${subject}" in INBOX`);
  const id = `open-${subject}`;
  const commands = await commandsDuring(async () => {
    socket.send(JSON.stringify({ type: "message.open", id, ref }));
    await socket.waitFor((f) => f.type === "message.end" && f.id === id, `end of ${id}`, 10_000);
  });
  const texts = new Map<string, string>();
  for (const f of socket.frames as TServerFrame[]) {
    if (f.type === "message.body" && f.id === id)
      texts.set(f.part, (texts.get(f.part) ?? "") + f.chunk);
  }
  return { texts, fetches: countOf(onReadingConnections(commands), "FETCH") };
}

describe("message.open's FETCHes", () => {
  it("reads a one-part message's header and text in two FETCHes, its charset decoded", async () => {
    const { texts, fetches } = await open("one-part");
    expect(texts.get("1")?.trim()).toBe("Café au lait, à bientôt.");
    expect(fetches).toBe(2);
  });

  it("still reads the text part of a multipart message whole", async () => {
    const { texts } = await open("two-parts");
    expect([...texts]).toEqual([["1", "The text part, à lire."]]);
  });
});
