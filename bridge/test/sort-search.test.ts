/**
 * Sorted lists and searches of other folders, through a real bridge against the real Dovecot.
 *
 * Sort: a seeded 20,000-message INBOX listed by size, date sent and sender, each compared with
 * an order computed here from the messages' own envelopes and sizes (fetched with a plain
 * client); windows read one after another add up to that order; a jump to the middle gives the
 * rows there at once; a message delivered while the list is sorted lands at its sorted place.
 *
 * Search everywhere: `in:anywhere` finds a message in Archive (the row names its folder) and
 * none in Trash or Junk; `in:NAME` searches that folder only; a folder that does not exist and a
 * misplaced `in:` are typed errors.
 */
import { seedMailbox, startMailServer } from "@ferry/mail-server";
import type { TListSort, TMessageRow, TServerFrame, TWindow } from "@ferry/protocol";
import type { FetchMessageObject } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  imapClient,
  type MailServer,
  openSocket,
  signedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";

const LARGE = 20_000;
const SORTER = "sorter@example.test";
const FINDER = "finder@example.test";

let mail: MailServer;
let bridge: TestBridge;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  mail = await startMailServer({
    postfix: false,
    users: [{ email: SORTER }, { email: FINDER }],
  });
  await seedMailbox(mail, SORTER, { inbox: LARGE, anchor: new Date() });
  bridge = await startBridge(mail);
}, 180_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await bridge?.close();
  await mail?.stop();
});

async function socketOf(email: string): Promise<TestSocket> {
  const u = mail.user(email);
  const s = await openSocket(bridge, await signedIn(bridge, u.email, u.password));
  sockets.push(s);
  const opened = await s.request({ type: "mailbox.open", id: "open", path: "INBOX" });
  if (opened.type !== "mailbox.opened") throw new Error(JSON.stringify(opened));
  return s;
}

let requests = 0;

async function windowOf(
  s: TestSocket,
  opts: { offset: number; limit?: number; sort?: TListSort; query?: string; mailbox?: string },
): Promise<TWindow> {
  const id = `w${++requests}`;
  const reply: TServerFrame = await s.request(
    {
      type: "list.window",
      id,
      mailbox: opts.mailbox ?? "INBOX",
      offset: opts.offset,
      limit: opts.limit ?? 50,
      query: opts.query ?? null,
      ...(opts.sort ? { sort: opts.sort } : {}),
    },
    60_000,
  );
  if (reply.type !== "list.window") throw new Error(JSON.stringify(reply));
  return reply;
}

/** What the reference orders need of each message, from a plain client's FETCH. */
interface Known {
  seq: number;
  uid: number;
  size: number;
  /** The Date header in ms (falling back to arrival, as SORT DATE does). */
  sent: number;
  /** First From's display name, else its address (RFC 5957 DISPLAYFROM). */
  displayFrom: string;
}

async function fetchKnown(): Promise<Known[]> {
  const client = await imapClient(mail, mail.user(SORTER));
  try {
    const lock = await client.getMailboxLock("INBOX", { readOnly: true });
    try {
      const all: FetchMessageObject[] = await client.fetchAll("1:*", {
        uid: true,
        envelope: true,
        size: true,
        internalDate: true,
      });
      return all.map((m) => {
        const from = m.envelope?.from?.[0];
        const date = m.envelope?.date ?? m.internalDate;
        return {
          seq: m.seq,
          uid: m.uid,
          size: m.size ?? 0,
          sent: date instanceof Date ? date.getTime() : Date.parse(String(date)),
          displayFrom: (from?.name || from?.address || "").trim(),
        };
      });
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

/** Comparison close to i;unicode-casemap for the seeder's names: case and accents folded. */
function fold(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

function cmp(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

describe("sorted lists", () => {
  let s: TestSocket;
  let known: Known[];

  beforeAll(async () => {
    s = await socketOf(SORTER);
    known = await fetchKnown();
  }, 60_000);

  it("says the server can sort, and orders by size exactly as the messages' sizes do", async () => {
    const expected = [...known].sort((a, b) => a.size - b.size || a.seq - b.seq).map((k) => k.uid);
    const first = await windowOf(s, { offset: 0, sort: { key: "size", reverse: false } });
    expect(first.canSort).toBe(true);
    expect(first.sort).toEqual({ key: "size", reverse: false });
    expect(first.total).toBe(LARGE);
    expect(first.rows.map((r) => r.uid)).toEqual(expected.slice(0, 50));
    // Each row's size is what the list shows, and it never goes down.
    const sizes = first.rows.map((r) => r.size);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));

    // Jump straight to the middle: the rows there, in the same order.
    const mid = LARGE / 2;
    const middle = await windowOf(s, { offset: mid, sort: { key: "size", reverse: false } });
    expect(middle.rows.map((r) => r.uid)).toEqual(expected.slice(mid, mid + 50));
  });

  it("orders by date sent, newest first, as the Date headers do", async () => {
    const expected = [...known].sort((a, b) => b.sent - a.sent || b.seq - a.seq).map((k) => k.uid);
    const sort: TListSort = { key: "date", reverse: true };
    const top = await windowOf(s, { offset: 0, limit: 200, sort });
    expect(top.rows.map((r) => r.uid)).toEqual(expected.slice(0, 200));
    const end = await windowOf(s, { offset: LARGE - 100, limit: 100, sort });
    expect(end.rows.map((r) => r.uid)).toEqual(expected.slice(LARGE - 100));
  });

  it("orders by sender, and windows read one after another add up to that order", async () => {
    const sort: TListSort = { key: "from", reverse: false };
    const seen: TMessageRow[] = [];
    for (let offset = 0; offset < 1500; offset += 500) {
      const w = await windowOf(s, { offset, limit: 500, sort });
      expect(w.offset).toBe(offset);
      seen.push(...w.rows);
    }
    expect(new Set(seen.map((r) => r.uid)).size).toBe(1500);
    const byUid = new Map(known.map((k) => [k.uid, k]));
    const keys = seen.map((r) => fold(byUid.get(r.uid)?.displayFrom ?? ""));
    for (let i = 1; i < keys.length; i++) {
      expect(
        cmp(keys[i - 1] ?? "", keys[i] ?? ""),
        `row ${i}: ${keys[i - 1]} > ${keys[i]}`,
      ).toBeLessThanOrEqual(0);
    }
    // The reference: every message by its folded display name; the first 1,500 UIDs hold the
    // same senders in the same runs (ties between equal names are the server's).
    const expectedKeys = known
      .map((k) => fold(k.displayFrom))
      .sort(cmp)
      .slice(0, 1500);
    expect(keys).toEqual(expectedKeys);

    // Descending is the same order read from the other end, by sender.
    const last = await windowOf(s, { offset: 0, limit: 50, sort: { key: "from", reverse: true } });
    const lastKeys = last.rows.map((r) => fold(byUid.get(r.uid)?.displayFrom ?? ""));
    expect(lastKeys).toEqual(
      known
        .map((k) => fold(k.displayFrom))
        .sort(cmp)
        .reverse()
        .slice(0, 50),
    );

    // The middle of the sender order, at once.
    const middle = await windowOf(s, { offset: LARGE / 2, sort });
    const middleKeys = middle.rows.map((r) => fold(byUid.get(r.uid)?.displayFrom ?? ""));
    expect(middleKeys).toEqual(
      known
        .map((k) => fold(k.displayFrom))
        .sort(cmp)
        .slice(LARGE / 2, LARGE / 2 + 50),
    );
  });

  it("puts a message that arrives while the list is sorted at its sorted place", async () => {
    const sort: TListSort = { key: "from", reverse: false };
    const before = await windowOf(s, { offset: 0, sort });
    const raw = [
      "From: Aaaron Aardvark <aardvark@example.test>",
      `To: ${SORTER}`,
      "Subject: first by sender",
      `Message-ID: <sorted-${Date.now()}@example.test>`,
      `Date: ${new Date().toUTCString()}`,
      "",
      "Sorts first.",
      "",
    ].join("\r\n");
    await mail.deliver(raw, { from: "aardvark@example.test", to: [SORTER] });
    await s.waitFor((f) => f.type === "messages.new", "messages.new", 10_000);
    const after = await windowOf(s, { offset: 0, sort });
    expect(after.total).toBe(before.total + 1);
    expect(after.rows[0]?.subject).toBe("first by sender");
    expect(after.rows.slice(1).map((r) => r.uid)).toEqual(
      before.rows.slice(0, 49).map((r) => r.uid),
    );
    // By arrival it is the newest, at the top as always.
    const newest = await windowOf(s, { offset: 0, limit: 1 });
    expect(newest.rows[0]?.subject).toBe("first by sender");
    // Oldest first: arrival read from the other end.
    const oldest = await windowOf(s, {
      offset: 0,
      limit: 3,
      sort: { key: "arrival", reverse: false },
    });
    expect(oldest.rows.map((r) => r.uid)).toEqual(
      [...known]
        .sort((a, b) => a.seq - b.seq)
        .slice(0, 3)
        .map((k) => k.uid),
    );
  });
});

describe("searching other folders", () => {
  let s: TestSocket;
  const token = `kumquat${Date.now().toString(36)}`;

  beforeAll(async () => {
    const client = await imapClient(mail, mail.user(FINDER));
    try {
      const folders = ["INBOX", "Archive", "Trash", "Junk", "Projects"];
      for (const path of folders) {
        if (path !== "INBOX") {
          await client.mailboxCreate(path).catch(() => undefined);
          await client.mailboxSubscribe(path);
        }
        await client.append(
          path,
          [
            "From: Dora <dora@example.test>",
            `To: ${FINDER}`,
            `Subject: ${token} in ${path}`,
            `Message-ID: <${token}-${path}@example.test>`,
            `Date: ${new Date().toUTCString()}`,
            "",
            `The ${token} note, filed in ${path}.`,
            "",
          ].join("\r\n"),
        );
      }
    } finally {
      await client.logout();
    }
    s = await socketOf(FINDER);
  }, 60_000);

  it("in:anywhere finds the message in Archive, names its folder, and leaves Trash and Junk out", async () => {
    const w = await windowOf(s, { offset: 0, query: `in:anywhere ${token}` });
    const found = w.rows.map((r) => `${r.mailbox}: ${r.subject}`).sort();
    expect(found).toEqual([
      `Archive: ${token} in Archive`,
      `INBOX: ${token} in INBOX`,
      `Projects: ${token} in Projects`,
    ]);
    expect(w.total).toBe(3);
    expect(w.searched).not.toContain("Trash");
    expect(w.searched).not.toContain("Junk");
    // Each row addresses its message in its own folder: it opens there.
    const archived = w.rows.find((r) => r.mailbox === "Archive");
    if (!archived?.uidValidity) throw new Error("the Archive row has no folder generation");
    const id = `open${++requests}`;
    s.send(
      JSON.stringify({
        type: "message.open",
        id,
        ref: { mailbox: "Archive", uidValidity: archived.uidValidity, uid: archived.uid },
      }),
    );
    const header = await s.waitFor((f) => f.type === "message.header" && f.id === id);
    expect(header.type === "message.header" && header.envelope.subject).toBe(`${token} in Archive`);
  });

  it("in:NAME searches that folder only, by path or by name, any case", async () => {
    const w = await windowOf(s, { offset: 0, query: `${token} in:archive` });
    expect(w.rows.map((r) => r.mailbox)).toEqual(["Archive"]);
    expect(w.searched).toEqual(["Archive"]);
    const trash = await windowOf(s, { offset: 0, query: `in:Trash ${token}` });
    expect(trash.rows.map((r) => r.subject)).toEqual([`${token} in Trash`]);
  });

  it("a folder that does not exist, or in: inside OR, is a typed error", async () => {
    const missing = await s.request({
      type: "list.window",
      id: "missing",
      mailbox: "INBOX",
      offset: 0,
      limit: 50,
      query: `in:Nowhere ${token}`,
    });
    expect(missing).toMatchObject({ type: "error", code: "mailbox_not_found" });
    const misplaced = await s.request({
      type: "list.window",
      id: "misplaced",
      mailbox: "INBOX",
      offset: 0,
      limit: 50,
      query: `${token} OR in:Archive`,
    });
    expect(misplaced).toMatchObject({
      type: "error",
      code: "search_syntax",
      position: token.length + 4,
    });
    // The socket still answers.
    const after = await windowOf(s, { offset: 0, query: token });
    expect(after.rows.map((r) => r.subject)).toEqual([`${token} in INBOX`]);
  });
});
