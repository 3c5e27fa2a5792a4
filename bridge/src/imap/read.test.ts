/**
 * Integration tests of the read path (mailboxes, windows, openMessage) against the real Dovecot
 * fixture. The mailbox contents are built here, so every expectation is exact.
 */
import { ZMessageHeader, ZMessageRow } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BridgeError } from "../errors";
import { listMailboxes } from "./mailboxes";
import { type OpenMessageFrame, openMessage } from "./message";
import { appendMessages, buildMessage, type Fixture, startFixture } from "./test-support";
import { fetchRows, listWindow, rowsForUids } from "./window";

let fx: Fixture;
let client: ImapFlow;
const BULK = 120;
const inbox: Record<string, number> = {};
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);
const pad = (n: number) => String(n).padStart(3, "0");
// A large body: multi-byte characters throughout, so chunk edges fall inside sequences.
const LARGE = Array.from(
  { length: 6000 },
  (_, i) => `Zeile ${i}: Grüße aus Köln — 日本語のテキスト ✓`,
).join("\n");

async function collect(
  ref: { mailbox: string; uidValidity: number; uid: number },
  chunkBytes?: number,
) {
  const frames: OpenMessageFrame[] = [];
  await openMessage(client, ref, (f) => void frames.push(f), chunkBytes ? { chunkBytes } : {});
  return frames;
}

async function uidValidity(path: string): Promise<number> {
  const status = await client.status(path, { uidValidity: true });
  if (!status || status.uidValidity === undefined) throw new Error("no status");
  return Number(status.uidValidity);
}

beforeAll(async () => {
  fx = await startFixture();
  client = await fx.connect();
  const bulk = Array.from({ length: BULK }, (_, i) =>
    buildMessage({
      subject: `Bulk ${pad(i + 1)}${(i + 1) % 10 === 0 ? " needle" : ""}`,
      text: `Body of bulk message ${i + 1}.`,
      date: new Date(Date.UTC(2024, 0, 1, 0, i)),
    }),
  );
  await appendMessages(client, "Bulk", bulk, {
    dates: bulk.map((_, i) => new Date(Date.UTC(2024, 0, 1, 0, i))),
  });
  await client.messageFlagsAdd("1:60", ["\\Seen"]).catch(() => undefined);
  const lock = await client.getMailboxLock("Bulk");
  try {
    await client.messageFlagsAdd("1:60", ["\\Seen"]);
  } finally {
    lock.release();
  }
  await client.mailboxCreate("Projects/Alpha");

  const specs = {
    plain: buildMessage({
      subject: "Plain ünïcode",
      text: "Grüße aus Köln, 日本語 ✓\nSecond line.",
    }),
    alternative: buildMessage({
      subject: "Alternative",
      text: "Plain version",
      html: "<html><head><style>p{}</style></head><body><p>HTML <b>version</b></p></body></html>",
    }),
    attachments: buildMessage({
      subject: "With attachments",
      text: "See attached",
      html: '<p>See <img src="cid:logo@x"> attached</p>',
      attachments: [
        { filename: "logo.png", type: "image/png", content: PNG, cid: "logo@x" },
        {
          filename: "Résumé 2024.pdf",
          type: "application/pdf",
          content: Buffer.from("%PDF-1.4 fake"),
        },
      ],
    }),
    large: buildMessage({ subject: "Large", text: LARGE }),
    latin1: buildMessage({
      subject: "Latin",
      text: "Çà et là, naïve façade",
      charset: "iso-8859-1",
    }),
    headers: buildMessage({
      subject: "List mail",
      text: "Unsubscribe below",
      headers: {
        References: "<a@x.test>\r\n <b@x.test>",
        "List-Unsubscribe": "<https://x.test/u?id=1>, <mailto:u@x.test>",
        "List-Id": "Team news <news.x.test>",
      },
    }),
  };
  const uids = await appendMessages(client, "INBOX", Object.values(specs));
  Object.keys(specs).forEach((key, i) => {
    inbox[key] = uids[i] as number;
  });
});

afterAll(async () => {
  await fx?.stop();
});

describe("listMailboxes", () => {
  it("lists the tree with standard folders first, roles, counts and parents", async () => {
    const boxes = await listMailboxes(client);
    expect(boxes.map((b) => b.path)).toEqual([
      "INBOX",
      "Drafts",
      "Sent",
      "Archive",
      "Junk",
      "Trash",
      "Bulk",
      "Projects",
      "Projects/Alpha",
    ]);
    const byPath = new Map(boxes.map((b) => [b.path, b]));
    expect(byPath.get("INBOX")).toMatchObject({
      specialUse: "inbox",
      messages: 6,
      unseen: 6,
      selectable: true,
    });
    expect(byPath.get("Sent")).toMatchObject({
      specialUse: "sent",
      subscribed: true,
      delimiter: "/",
      parent: null,
    });
    expect(byPath.get("Bulk")).toMatchObject({
      specialUse: null,
      messages: BULK,
      unseen: BULK - 60,
    });
    expect(byPath.get("Projects/Alpha")).toMatchObject({ name: "Alpha", parent: "Projects" });
  });
});

describe("listWindow", () => {
  it("returns the newest rows first at offset 0, with total and UIDVALIDITY", async () => {
    const w = await listWindow(client, { mailbox: "Bulk", offset: 0, limit: 50 });
    expect(w.total).toBe(BULK);
    expect(w.offset).toBe(0);
    expect(w.uidValidity).toBe(await uidValidity("Bulk"));
    expect(w.rows.map((r) => r.subject.slice(0, 8))).toEqual(
      Array.from({ length: 50 }, (_, i) => `Bulk ${pad(BULK - i)}`),
    );
    for (const row of w.rows) expect(ZMessageRow.safeParse(row).success).toBe(true);
    const top = w.rows[0];
    expect(top).toMatchObject({
      from: [{ name: "Sender", address: "sender@example.test" }],
      hasAttachments: false,
    });
    expect(top?.preview).toBe(`Body of bulk message ${BULK}.`);
    expect(top?.date).toBe(new Date(Date.UTC(2024, 0, 1, 0, BULK - 1)).toISOString());
  });

  it("returns a window from the middle and a short one at the end", async () => {
    const middle = await listWindow(client, { mailbox: "Bulk", offset: 50, limit: 20 });
    expect(middle.rows.map((r) => r.subject.slice(0, 8))).toEqual(
      Array.from({ length: 20 }, (_, i) => `Bulk ${pad(70 - i)}`),
    );
    expect(middle.rows[0]?.flags).not.toContain("\\Seen");
    expect(middle.rows[19]?.flags).toContain("\\Seen");
    const end = await listWindow(client, { mailbox: "Bulk", offset: 100, limit: 50 });
    expect(end.rows.map((r) => r.subject.slice(0, 8))).toEqual(
      Array.from({ length: 20 }, (_, i) => `Bulk ${pad(20 - i)}`),
    );
    expect(end.rows[19]?.flags).toContain("\\Seen");
    const past = await listWindow(client, { mailbox: "Bulk", offset: BULK, limit: 10 });
    expect(past).toMatchObject({ total: BULK, rows: [] });
  });

  it("windows a search in the same order", async () => {
    const all = await listWindow(client, {
      mailbox: "Bulk",
      offset: 0,
      limit: 50,
      query: { subject: "needle" },
    });
    expect(all.total).toBe(12);
    expect(all.rows.map((r) => r.subject)).toEqual(
      Array.from({ length: 12 }, (_, i) => `Bulk ${pad(120 - i * 10)} needle`),
    );
    const page = await listWindow(client, {
      mailbox: "Bulk",
      offset: 5,
      limit: 4,
      query: { subject: "needle" },
    });
    expect(page.total).toBe(12);
    expect(page.rows.map((r) => r.subject)).toEqual([
      "Bulk 070 needle",
      "Bulk 060 needle",
      "Bulk 050 needle",
      "Bulk 040 needle",
    ]);
    const unread = await listWindow(client, {
      mailbox: "Bulk",
      offset: 0,
      limit: 500,
      query: { seen: false },
    });
    expect(unread.total).toBe(BULK - 60);
    expect(unread.rows.at(-1)?.subject).toBe("Bulk 061");
  });

  it("flags attachments and previews html without markup, never setting \\Seen", async () => {
    const w = await listWindow(client, { mailbox: "INBOX", offset: 0, limit: 10 });
    const bySubject = new Map(w.rows.map((r) => [r.subject, r]));
    expect(bySubject.get("With attachments")?.hasAttachments).toBe(true);
    expect(bySubject.get("Alternative")?.hasAttachments).toBe(false);
    expect(bySubject.get("Plain ünïcode")?.preview).toBe("Grüße aus Köln, 日本語 ✓ Second line.");
    expect(bySubject.get("Latin")?.preview).toBe("Çà et là, naïve façade");
    for (const row of w.rows) expect(row.flags).not.toContain("\\Seen");
  });

  it("gives the same previews without the PREVIEW extension", async () => {
    const lock = await client.getMailboxLock("INBOX");
    try {
      const withExt = await fetchRows(client, "1:*", { uid: false, usePreview: true });
      const without = await fetchRows(client, "1:*", { uid: false, usePreview: false });
      const previews = (rows: typeof withExt) =>
        new Map(rows.map((r) => [r.row.uid, r.row.preview]));
      const a = previews(withExt);
      const b = previews(without);
      expect(b.get(inbox.plain as number)).toBe(a.get(inbox.plain as number));
      expect(b.get(inbox.latin1 as number)).toBe(a.get(inbox.latin1 as number));
      expect(b.get(inbox.alternative as number)).toBe("HTML version");
      expect(b.get(inbox.large as number)?.startsWith("Zeile 0: Grüße aus Köln")).toBe(true);
    } finally {
      lock.release();
    }
  });

  it("reuses a search for later windows until the mailbox changes", async () => {
    const cache = (n: number) => buildMessage({ subject: `cache ${n}`, text: "x" });
    await appendMessages(client, "Cache", [cache(1), cache(2), cache(3)]);
    const query = { subject: "cache" };
    const searches = vi.spyOn(client, "search");
    try {
      expect(
        (await listWindow(client, { mailbox: "Cache", offset: 0, limit: 2, query })).total,
      ).toBe(3);
      // The next window of the same search, nothing changed: no second SEARCH.
      const second = await listWindow(client, { mailbox: "Cache", offset: 2, limit: 2, query });
      expect(second.rows.map((r) => r.subject)).toEqual(["cache 1"]);
      expect(searches).toHaveBeenCalledTimes(1);
      // Another client's change is seen at the next window (the connection asks the server
      // what changed before it answers), and the search runs again.
      const other = await fx.connect();
      await other.append("Cache", cache(4));
      await other.logout();
      expect(
        (await listWindow(client, { mailbox: "Cache", offset: 2, limit: 2, query })).total,
      ).toBe(4);
      expect(searches).toHaveBeenCalledTimes(2);
      // So is a change on this connection.
      await client.append("Cache", cache(5));
      const w = await listWindow(client, { mailbox: "Cache", offset: 0, limit: 2, query });
      expect(w.total).toBe(5);
      expect(w.rows.map((r) => r.subject)).toEqual(["cache 5", "cache 4"]);
    } finally {
      searches.mockRestore();
    }
  });

  it("builds rows for given UIDs on the selected mailbox, newest first", async () => {
    const lock = await client.getMailboxLock("INBOX");
    try {
      const rows = await rowsForUids(client, "INBOX", [
        inbox.plain as number,
        inbox.latin1 as number,
        99_999,
      ]);
      expect(rows.map((r) => r.uid)).toEqual([inbox.latin1, inbox.plain]);
      expect(rows[0]?.preview).toBe("Çà et là, naïve façade");
      await expect(rowsForUids(client, "Bulk", [1])).rejects.toMatchObject({ code: "internal" });
    } finally {
      lock.release();
    }
  });

  it("refuses a mailbox that does not exist", async () => {
    await expect(
      listWindow(client, { mailbox: "Nope", offset: 0, limit: 5 }),
    ).rejects.toMatchObject({
      code: "mailbox_not_found",
    });
  });
});

describe("openMessage", () => {
  const ref = async (key: string) => ({
    mailbox: "INBOX",
    uidValidity: await uidValidity("INBOX"),
    uid: inbox[key] as number,
  });

  function check(frames: OpenMessageFrame[]) {
    expect(frames[0]?.type).toBe("message.header");
    expect(frames.at(-1)?.type).toBe("message.end");
    const header = frames[0];
    if (header?.type !== "message.header") throw new Error("no header");
    expect(ZMessageHeader.safeParse({ ...header, id: "t" }).success).toBe(true);
    const bodies = frames.filter((f) => f.type === "message.body");
    const text = new Map<string, string>();
    for (const part of header.bodyParts) {
      const chunks = bodies.filter((b) => b.part === part.part);
      expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
      expect(chunks.map((c) => c.done)).toEqual(chunks.map((_, i) => i === chunks.length - 1));
      expect(chunks.every((c) => c.contentType === part.type)).toBe(true);
      text.set(part.part, chunks.map((c) => c.chunk).join(""));
    }
    return { header, text, bodies };
  }

  it("sends header, then the text, then end for a text-only message", async () => {
    const r = await ref("plain");
    const { header, text } = check(await collect(r));
    expect(header.envelope.subject).toBe("Plain ünïcode");
    expect(header.structure).toMatchObject({ part: "1", type: "text/plain", charset: "utf-8" });
    expect(header.bodyParts).toEqual([{ part: "1", type: "text/plain" }]);
    expect(header.attachments).toEqual([]);
    expect(text.get("1")).toBe("Grüße aus Köln, 日本語 ✓\nSecond line.");
  });

  it("sends only the html alternative", async () => {
    const { header, text } = check(await collect(await ref("alternative")));
    expect(header.bodyParts).toEqual([{ part: "2", type: "text/html" }]);
    expect(text.get("2")).toContain("<p>HTML <b>version</b></p>");
  });

  it("lists attachments, inline cid resources marked inline", async () => {
    const { header } = check(await collect(await ref("attachments")));
    expect(header.bodyParts).toEqual([{ part: "1.2.1", type: "text/html" }]);
    expect(header.attachments).toEqual([
      {
        part: "1.2.2",
        type: "image/png",
        filename: "logo.png",
        size: expect.any(Number),
        contentId: "logo@x",
        inline: true,
      },
      {
        part: "2",
        type: "application/pdf",
        filename: "Résumé 2024.pdf",
        size: expect.any(Number),
        contentId: null,
        inline: false,
      },
    ]);
  });

  it("streams a large part in several chunks without breaking characters", async () => {
    const { text, bodies } = check(await collect(await ref("large"), 64 * 1024));
    expect(bodies.length).toBeGreaterThanOrEqual(4);
    for (const b of bodies.slice(0, -1)) {
      if (b.type !== "message.body") continue;
      expect(Buffer.byteLength(b.chunk)).toBeLessThanOrEqual(64 * 1024);
      expect(Buffer.byteLength(b.chunk)).toBeGreaterThan(60 * 1024);
    }
    expect(text.get("1")).toBe(LARGE);
  });

  it("stops when the caller cannot take a frame, leaving the connection usable", async () => {
    let bodies = 0;
    const failing = (f: OpenMessageFrame) => {
      if (f.type === "message.body" && ++bodies === 2) throw new Error("socket closed");
    };
    await expect(
      openMessage(client, await ref("large"), failing, { chunkBytes: 16 * 1024 }),
    ).rejects.toBeInstanceOf(BridgeError);
    expect(bodies).toBe(2);
    const { text } = check(await collect(await ref("plain")));
    expect(text.get("1")).toBe("Grüße aus Köln, 日本語 ✓\nSecond line.");
  });

  it("decodes a Latin-1 body to UTF-8", async () => {
    const { text } = check(await collect(await ref("latin1")));
    expect(text.get("1")).toBe("Çà et là, naïve façade");
  });

  it("passes References, List-Unsubscribe and List-Id", async () => {
    const { header } = check(await collect(await ref("headers")));
    expect(header.references).toEqual(["<a@x.test>", "<b@x.test>"]);
    expect(header.listUnsubscribe).toBe("<https://x.test/u?id=1>, <mailto:u@x.test>");
    expect(header.listId).toBe("Team news <news.x.test>");
  });

  it("never sets \\Seen", async () => {
    await collect(await ref("plain"));
    const lock = await client.getMailboxLock("INBOX");
    try {
      const msg = await client.fetchOne(String(inbox.plain), { flags: true }, { uid: true });
      expect(msg && [...(msg.flags ?? [])]).not.toContain("\\Seen");
    } finally {
      lock.release();
    }
  });

  it("refuses a changed UIDVALIDITY, a missing message and a missing mailbox", async () => {
    const r = await ref("plain");
    const frames: OpenMessageFrame[] = [];
    const push = (f: OpenMessageFrame) => void frames.push(f);
    await expect(
      openMessage(client, { ...r, uidValidity: r.uidValidity + 1 }, push),
    ).rejects.toMatchObject({
      code: "uidvalidity_changed",
    });
    await expect(openMessage(client, { ...r, uid: 99_999 }, push)).rejects.toMatchObject({
      code: "message_not_found",
    });
    await expect(openMessage(client, { ...r, mailbox: "Nope" }, push)).rejects.toBeInstanceOf(
      BridgeError,
    );
    await expect(openMessage(client, { ...r, mailbox: "Nope" }, push)).rejects.toMatchObject({
      code: "mailbox_not_found",
    });
    expect(frames).toEqual([]);
  });
});
