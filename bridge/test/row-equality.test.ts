/**
 * One row per message, whichever way it reaches the browser: the row pushed in `messages.new`
 * when a message arrives in the open INBOX equals, field for field, the row a `list.window`
 * gives for the same UID. Against the real Dovecot, for every message of the vendored corpus
 * (real-world and malformed MIME, delivered over LMTP) and for the seeder's generated mail
 * (APPENDed with its flags and arrival dates).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CORPUS_DIR, seedMailbox, startMailServer } from "@ferry/mail-server";
import { MAX_WINDOW, type TMessageRow, type TServerFrame } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  corpusFiles,
  type MailServer,
  openSocket,
  signedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";

const CORPUS_SETS = ["enmime/mail", "enmime/low-quality", "postal-mime"];
const SEEDED = 120;
/** Dovecot announces new mail to an IDLEing connection within about 0.5 s; batches take longer. */
const PUSH_WAIT_MS = 20_000;

let mail: MailServer;
let b: TestBridge;
let s: TestSocket;
let email = "";

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: [{ email: "rows@example.test" }] });
  b = await startBridge(mail);
  const u = mail.users[0];
  if (!u) throw new Error("no fixture user");
  email = u.email;
  s = await openSocket(b, await signedIn(b, u.email, u.password));
  const opened = await s.request({
    type: "mailbox.open",
    id: "open",
    path: "INBOX",
    readOnly: false,
  });
  expect(opened.type).toBe("mailbox.opened");
});

afterAll(async () => {
  s?.close();
  await b?.close();
  await mail?.stop();
});

/** The rows pushed in `messages.new` for INBOX until `count` new ones have come, by UID. */
async function pushedRows(count: number, into: Map<number, TMessageRow>): Promise<void> {
  const target = into.size + count;
  while (into.size < target) {
    const event = await s.waitFor<Extract<TServerFrame, { type: "messages.new" }>>(
      (f) => f.type === "messages.new" && f.mailbox === "INBOX",
      `messages.new (${into.size} of ${target} rows so far)`,
      PUSH_WAIT_MS,
    );
    for (const row of event.rows) {
      expect(into.has(row.uid), `UID ${row.uid} pushed twice`).toBe(false);
      into.set(row.uid, row);
    }
  }
}

/** Every row of INBOX as windows give them, by UID. */
async function windowRows(): Promise<Map<number, TMessageRow>> {
  const rows = new Map<number, TMessageRow>();
  for (let offset = 0, total = 1, n = 0; offset < total; offset += MAX_WINDOW, n++) {
    const w = await s.request({
      type: "list.window",
      id: `w${n}`,
      mailbox: "INBOX",
      offset,
      limit: MAX_WINDOW,
      query: null,
    });
    if (w.type !== "list.window") throw new Error(`no window: ${JSON.stringify(w)}`);
    total = w.total;
    for (const row of w.rows) rows.set(row.uid, row);
  }
  return rows;
}

function expectSameRows(pushed: Map<number, TMessageRow>, listed: Map<number, TMessageRow>) {
  for (const [uid, row] of pushed) {
    expect(listed.get(uid), `UID ${uid} (${row.subject}): window row vs pushed row`).toEqual(row);
  }
}

describe("a row pushed for a new message equals the row a window gives for it", () => {
  const pushed = new Map<number, TMessageRow>();

  it("for every corpus message delivered over LMTP", async () => {
    const files = CORPUS_SETS.flatMap((set) => corpusFiles(join(CORPUS_DIR, set)));
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      await mail.deliver(readFileSync(file), { from: "corpus@example.test", to: [email] });
    }
    await pushedRows(files.length, pushed);
    const listed = await windowRows();
    expect(listed.size).toBe(files.length);
    expect([...pushed.keys()].sort((x, y) => x - y)).toEqual(
      [...listed.keys()].sort((x, y) => x - y),
    );
    expectSameRows(pushed, listed);
  }, 120_000);

  it("for the seeder's mail APPENDed with flags and arrival dates", async () => {
    const before = new Set(pushed.keys());
    const seeded = await seedMailbox(mail, email, { inbox: SEEDED, method: "imap" });
    expect(seeded.counts.INBOX).toBe(SEEDED);
    await pushedRows(SEEDED, pushed);
    const listed = await windowRows();
    const fresh = new Map([...pushed].filter(([uid]) => !before.has(uid)));
    expect(fresh.size).toBe(SEEDED);
    // Some seeded mail is read, flagged or answered, some not: flags are compared too.
    expect(new Set([...fresh.values()].map((r) => r.flags.join(" "))).size).toBeGreaterThan(1);
    expectSameRows(fresh, listed);
  }, 120_000);
});
