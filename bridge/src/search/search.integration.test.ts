/**
 * parseQuery against the real Dovecot fixture: a handful of distinct messages, then the UIDs
 * each query finds must be exactly the expected ones.
 */
import { startMailServer } from "@ferry/mail-server";
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseQuery } from "./index";

type Fixture = Awaited<ReturnType<typeof startMailServer>>;

/** The messages, by a short name used in the expectations. */
const NAMES = ["lunch", "report", "draft", "cafe", "big", "old"] as const;
type Name = (typeof NAMES)[number];

const ALICE = "Alice Liddell <alice@example.test>";
const CAROL = "Carol <carol@example.test>";
const DAVE = "Dave <dave@example.test>";
const ERIN = "Erin <erin@example.test>";

function message(opts: {
  from: string;
  to: string;
  cc?: string;
  subject: string;
  id: string;
  body: string;
  attachment?: boolean;
}): string {
  const head = [
    `From: ${opts.from}`,
    `To: ${opts.to}`,
    ...(opts.cc === undefined ? [] : [`Cc: ${opts.cc}`]),
    `Subject: ${opts.subject}`,
    `Message-ID: <${opts.id}@example.test>`,
    "Date: Mon, 04 Mar 2024 10:00:00 +0000",
    "MIME-Version: 1.0",
  ];
  if (!opts.attachment) {
    return [
      ...head,
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      opts.body,
      "",
    ].join("\r\n");
  }
  return [
    ...head,
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=utf-8",
    "",
    opts.body,
    "--b1",
    "Content-Type: application/pdf; name=report.pdf",
    "Content-Disposition: attachment; filename=report.pdf",
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from("%PDF-1.4 not really a pdf").toString("base64"),
    "--b1--",
    "",
  ].join("\r\n");
}

let fixture: Fixture;
let client: ImapFlow;
const uids = new Map<Name, number>();

beforeAll(async () => {
  fixture = await startMailServer({ postfix: false });
  const user = fixture.user("bob@example.test");
  const to = `Bob <${user.email}>`;
  const deliver = (raw: string, from: string) => fixture.deliver(raw, { from, to: [user.email] });

  await deliver(
    message({
      from: ALICE,
      to,
      subject: "Lunch on Friday?",
      id: "lunch",
      body: "Shall we grab lunch?",
    }),
    "alice@example.test",
  );
  await deliver(
    message({
      from: ALICE,
      to,
      subject: "Quarterly report",
      id: "report",
      body: "The quarterly report is attached.",
      attachment: true,
    }),
    "alice@example.test",
  );
  await deliver(
    message({
      from: ALICE,
      to,
      cc: CAROL,
      subject: "Quarterly report draft",
      id: "draft",
      body: "Here is the draft of the quarterly report.",
    }),
    "alice@example.test",
  );
  await deliver(
    message({
      from: CAROL,
      to,
      subject: "=?UTF-8?Q?Caf=C3=A9_au_lait_=E2=98=95?=",
      id: "cafe",
      body: "Grüße aus Zürich!",
    }),
    "carol@example.test",
  );
  await deliver(
    message({ from: DAVE, to, subject: "Big one", id: "big", body: "x".repeat(40 * 1024) }),
    "dave@example.test",
  );

  client = new ImapFlow({
    host: "127.0.0.1",
    port: fixture.imap.tlsPort,
    secure: true,
    auth: { user: user.email, pass: user.password },
    tls: { ca: fixture.ca },
    logger: false,
  });
  client.on("error", () => {});
  await client.connect();

  // One message with a known internal date, for before:/after:/older_than:.
  await client.append(
    "INBOX",
    message({ from: ERIN, to, subject: "Old news", id: "old", body: "From last decade." }),
    ["\\Seen"],
    new Date("2020-06-15T12:00:00Z"),
  );

  await client.mailboxOpen("INBOX");
  for await (const msg of client.fetch("1:*", { uid: true, envelope: true })) {
    const id = msg.envelope?.messageId?.replace(/^<|@.*$/g, "");
    const name = NAMES.find((n) => n === id);
    if (name) uids.set(name, msg.uid);
  }
  expect([...uids.keys()].sort()).toEqual([...NAMES].sort());

  const uidOf = (name: Name) => String(uids.get(name));
  await client.messageFlagsAdd(uidOf("draft"), ["\\Seen"], { uid: true });
  await client.messageFlagsAdd(uidOf("cafe"), ["\\Flagged"], { uid: true });
  await client.messageFlagsAdd(uidOf("big"), ["\\Seen"], { uid: true });
}, 120_000);

afterAll(async () => {
  await client?.logout().catch(() => {});
  await fixture?.stop();
});

/** The names of the messages `q` finds in INBOX. */
async function find(q: string): Promise<Name[]> {
  const found = await client.search(parseQuery(q), { uid: true });
  if (!Array.isArray(found)) throw new Error(`search failed for ${q}`);
  return NAMES.filter((name) => found.includes(uids.get(name) ?? -1));
}

describe("parseQuery against Dovecot", () => {
  it.each<[string, Name[]]>([
    ["from:alice is:unread -subject:lunch", ["report"]],
    ["from:alice", ["lunch", "report", "draft"]],
    ["from:alice@example.test", ["lunch", "report", "draft"]],
    ["to:bob", ["lunch", "report", "draft", "cafe", "big", "old"]],
    ["cc:carol", ["draft"]],
    ["subject:quarterly report", ["report", "draft"]],
    ['"quarterly report draft"', ["draft"]],
    ['subject:"report draft"', ["draft"]],
    ["is:unread", ["lunch", "report", "cafe"]],
    ["is:read", ["draft", "big", "old"]],
    ["is:starred", ["cafe"]],
    ["-is:starred from:carol", []],
    ["has:attachment", ["report"]],
    ["-has:attachment from:alice", ["lunch", "draft"]],
    ["larger:20K", ["big"]],
    ["smaller:20K from:dave", []],
    ["before:2021/01/01", ["old"]],
    ["after:2020/06/15 before:2020/06/16", ["old"]],
    ["after:2020/06/16 before:2021/01/01", []],
    ["older_than:1y", ["old"]],
    ["newer_than:1d", ["lunch", "report", "draft", "cafe", "big"]],
    ["subject:café", ["cafe"]],
    ["zürich", ["cafe"]],
    ["☕", ["cafe"]],
    ["from:(alice OR carol) -is:read", ["lunch", "report", "cafe"]],
    ["(lunch OR café) from:alice", ["lunch"]],
    ["lunch OR news", ["lunch", "old"]],
    ["(from:alice OR from:carol) (subject:report OR subject:lunch) -is:read", ["lunch", "report"]],
    ["quarterly report the draft here", ["draft"]],
    ["-from:alice -from:carol -from:dave", ["old"]],
    ["nothing-matches-this", []],
    ["", ["lunch", "report", "draft", "cafe", "big", "old"]],
  ])("%j", async (q, expected) => {
    expect(await find(q)).toEqual(expected);
  });
});
