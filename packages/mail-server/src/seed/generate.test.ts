// Unit tests for the deterministic generator: determinism, RFC 5322/MIME structure, charsets,
// threading, dates and flag proportions per folder role.

import { describe, expect, it } from "vitest";
import {
  DEFAULT_ANCHOR,
  type GeneratedMessage,
  generate,
  generateMessages,
  imapFlags,
} from "./generate";
import {
  decodeWords,
  headerValue,
  type MimeNode,
  parseMime,
  partBytes,
  partText,
  walk,
} from "./test-utils";

const owner = { name: "Alice Example", email: "alice@ferry.test" };
const DAY = 86_400_000;

function concat(msgs: GeneratedMessage[]): Buffer {
  return Buffer.concat(msgs.map((m) => m.raw));
}

describe("determinism", () => {
  it("same seed gives byte-identical messages and metadata, regardless of what ran before", () => {
    const a = generate({ seed: 42, count: 400, owner, folder: "INBOX" });
    // warm every cache with other output in between
    generate({ seed: 43, count: 400, owner, folder: "INBOX" });
    generate({ seed: 42, count: 50, owner, folder: "Sent" });
    const b = generate({ seed: 42, count: 400, owner, folder: "INBOX" });
    expect(concat(a).equals(concat(b))).toBe(true);
    expect(b.map((m) => [m.date.getTime(), m.flags, m.messageId])).toEqual(
      a.map((m) => [m.date.getTime(), m.flags, m.messageId]),
    );
  });

  it("different seeds, folders or anchors give different mail", () => {
    const a = generate({ seed: 1, count: 100, owner, folder: "INBOX" });
    const b = generate({ seed: 2, count: 100, owner, folder: "INBOX" });
    const c = generate({ seed: 1, count: 100, owner, folder: "Archive" });
    const d = generate({
      seed: 1,
      count: 100,
      owner,
      folder: "INBOX",
      anchor: new Date("2020-01-01T00:00:00Z"),
    });
    const same = (x: GeneratedMessage[], y: GeneratedMessage[]) =>
      x.filter((m, i) => m.raw.equals(y[i]?.raw ?? Buffer.alloc(0))).length;
    expect(same(a, b)).toBe(0);
    expect(same(a, c)).toBe(0);
    expect(same(a, d)).toBe(0);
    expect(new Set(a.map((m) => m.subject)).size).toBeGreaterThan(40);
  });

  it("Message-IDs are unique across a whole mailbox", () => {
    const ids = new Set<string>();
    let total = 0;
    for (const folder of ["INBOX", "Sent", "Drafts", "Archive", "Trash", "Junk"]) {
      for (const m of generateMessages({ seed: 5, count: 600, owner, folder })) {
        ids.add(m.messageId);
        total++;
      }
    }
    expect(ids.size).toBe(total);
  });
});

describe("structure of 2,000 INBOX messages", () => {
  const msgs = generate({ seed: 11, count: 2000, owner, folder: "INBOX" });
  const parsed = msgs.map((m) => ({
    m,
    raw: m.raw.toString("latin1"),
    root: parseMime(m.raw.toString("latin1")),
  }));
  const nodes = parsed.flatMap((p) => walk(p.root).map((n) => ({ ...p, n })));

  it("are well-formed RFC 5322: CRLF only, ASCII headers, short lines, required fields", () => {
    for (const { m, raw, root } of parsed) {
      expect(raw).not.toMatch(/[^\r]\n|\r(?!\n)/);
      const head = raw.slice(0, raw.indexOf("\r\n\r\n"));
      expect(head).toMatch(/^[\x20-\x7e\r\n\t]*$/);
      for (const line of raw.split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);
      for (const h of ["from", "to", "date", "message-id", "mime-version", "subject"]) {
        expect(root.headers.has(h), `${h} in #${m.index}`).toBe(true);
      }
      expect(headerValue(root, "message-id")).toBe(m.messageId);
      expect(decodeWords(headerValue(root, "subject") ?? "")).toBe(m.subject);
      expect(headerValue(root, "from")).toContain(`<${m.from}>`);
      const date = Date.parse(headerValue(root, "date") ?? "");
      // Date header is the send time: up to a few minutes before arrival
      expect(m.date.getTime() - date).toBeGreaterThanOrEqual(0);
      expect(m.date.getTime() - date).toBeLessThanOrEqual(5 * 60_000);
    }
  });

  it("declare 7bit only for 7-bit content", () => {
    for (const { n } of nodes) {
      if (n.children.length > 0 || n.type === "message/rfc822") continue;
      const cte = headerValue(n, "content-transfer-encoding") ?? "7bit";
      if (cte === "7bit") expect(/[\x80-\xff]/.test(n.body)).toBe(false);
    }
  });

  it("cover every MIME shape: alternative, mixed, related, rfc822, calendar and attachments", () => {
    const types = new Set(nodes.map(({ n }) => n.type));
    for (const t of [
      "text/plain",
      "text/html",
      "multipart/alternative",
      "multipart/mixed",
      "multipart/related",
      "message/rfc822",
      "text/calendar",
      "application/ics",
      "application/pdf",
      "text/csv",
      "image/png",
    ]) {
      expect(types, t).toContain(t);
    }
    const kinds = new Set(msgs.map((m) => m.kind));
    for (const k of [
      "plain",
      "alternative",
      "remote-images",
      "attachments",
      "inline-images",
      "forward",
      "invite",
      "newsletter",
      "notification",
      "receipt",
      "alert",
      "ticket",
      "travel",
    ]) {
      expect(kinds, k).toContain(k);
    }
  });

  it("attach real PDFs and PNGs", () => {
    const pdfs = nodes.filter(({ n }) => n.type === "application/pdf");
    const pngs = nodes.filter(({ n }) => n.type === "image/png");
    expect(pdfs.length).toBeGreaterThan(20);
    expect(pngs.length).toBeGreaterThan(20);
    for (const { n } of pdfs) {
      expect(partBytes(n).subarray(0, 8).toString("latin1")).toBe("%PDF-1.4");
      expect(headerValue(n, "content-disposition")).toMatch(/^attachment; filename/);
    }
    for (const { n } of pngs)
      expect([...partBytes(n).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it("reference inline images by cid: from the HTML of multipart/related", () => {
    const related = nodes.filter(({ n }) => n.type === "multipart/related");
    expect(related.length).toBeGreaterThan(30);
    for (const { n } of related) {
      const [html, image] = n.children as [MimeNode, MimeNode];
      expect(html.type).toBe("text/html");
      expect(image.type).toBe("image/png");
      const cid = (headerValue(image, "content-id") ?? "").replace(/^<|>$/g, "");
      expect(cid.length).toBeGreaterThan(5);
      expect(partText(html)).toContain(`src="cid:${cid}"`);
    }
  });

  it("include HTML with remote images and links", () => {
    const htmls = nodes.filter(({ n }) => n.type === "text/html").map(({ n }) => partText(n));
    const remote = htmls.filter((h) => /<img[^>]+src="http:\/\/images\.example\.invalid\//.test(h));
    expect(remote.length).toBeGreaterThan(100);
    expect(htmls.filter((h) => /<a href="https:\/\//.test(h)).length).toBeGreaterThan(100);
  });

  it("use legacy charsets and all transfer encodings, and decode to the right scripts", () => {
    const texts = nodes.filter(({ n }) => n.type === "text/plain");
    const charsets = new Set(texts.map(({ n }) => n.params.charset));
    for (const cs of [
      "UTF-8",
      "ISO-8859-1",
      "ISO-8859-2",
      "windows-1252",
      "KOI8-R",
      "Shift_JIS",
      "ISO-2022-JP",
    ]) {
      expect(charsets, cs).toContain(cs);
    }
    const ctes = new Set(nodes.map(({ n }) => headerValue(n, "content-transfer-encoding")));
    for (const cte of ["7bit", "8bit", "quoted-printable", "base64"])
      expect(ctes, cte).toContain(cte);
    const script: Record<string, RegExp> = {
      "KOI8-R": /[\u0400-\u04ff]/,
      Shift_JIS: /[\u3040-\u30ff\u4e00-\u9fff]/,
      "ISO-2022-JP": /[\u3040-\u30ff\u4e00-\u9fff]/,
      "ISO-8859-2": /[\u0100-\u017f]/,
    };
    for (const { n } of texts) {
      const cs = n.params.charset ?? "";
      const text = partText(n);
      expect(text).not.toContain("\ufffd");
      expect(text).not.toContain("\x1b");
      const re = script[cs];
      if (re) expect(text, cs).toMatch(re);
      if (cs === "UTF-8") expect(text).not.toMatch(/Ã|â€/);
    }
  });

  it("encode non-ASCII names and subjects as RFC 2047 words", () => {
    const heads = parsed
      .map(({ root }) => `${headerValue(root, "from")}\n${headerValue(root, "subject")}`)
      .join("\n");
    expect(heads).toMatch(/=\?UTF-8\?B\?/);
    expect(heads).toMatch(/=\?UTF-8\?Q\?/);
    expect(heads).toMatch(/=\?ISO-2022-JP\?B\?/);
    const decodedFroms = parsed.map(({ root }) => decodeWords(headerValue(root, "from") ?? ""));
    for (const name of ["Zoë Ångström", "李雷", "Ðorđe Petrović", "Дмитрий Иванов"]) {
      expect(
        decodedFroms.some((f) => f.startsWith(`${name} <`)),
        name,
      ).toBe(true);
    }
    expect(msgs.some((m) => /\p{Extended_Pictographic}/u.test(m.subject))).toBe(true);
  });

  it("thread replies with In-Reply-To, References and Re: subjects", () => {
    const byId = new Map(msgs.map((m) => [m.messageId, m]));
    const replies = parsed.filter(({ m }) => m.inReplyTo);
    expect(replies.length).toBeGreaterThan(300);
    let inFolder = 0;
    for (const { m, root } of replies) {
      expect(headerValue(root, "in-reply-to")).toBe(m.inReplyTo);
      const refs = (headerValue(root, "references") ?? "").split(/\s+/);
      expect(refs[refs.length - 1]).toBe(m.inReplyTo);
      expect(m.subject).toMatch(/^(Re|AW): /);
      for (const r of refs) {
        const earlier = byId.get(r);
        if (earlier) {
          expect(earlier.index).toBeLessThan(m.index);
          inFolder++;
        }
      }
    }
    expect(inFolder).toBeGreaterThan(100);
    // some conversations run long
    expect(
      parsed.some(({ root }) => (headerValue(root, "references") ?? "").split(/\s+/).length >= 5),
    ).toBe(true);
  });

  it("spread dates over ~2 years ending at the anchor, oldest first", () => {
    const t = msgs.map((m) => m.date.getTime());
    for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThanOrEqual(t[i - 1] as number);
    const anchor = DEFAULT_ANCHOR.getTime();
    expect(anchor - (t[t.length - 1] as number)).toBeLessThan(2 * DAY);
    expect((t[0] as number) - (anchor - 730 * DAY)).toBeLessThan(2 * DAY);
    expect(t[0]).toBeGreaterThanOrEqual(anchor - 730 * DAY);
  });
});

describe("flags", () => {
  it("INBOX: ~70% seen (recent mail more often unseen), ~5% flagged, ~10% answered", () => {
    const msgs = generate({ seed: 3, count: 10_000, owner, folder: "INBOX" });
    const share = (xs: GeneratedMessage[], f: (m: GeneratedMessage) => boolean) =>
      xs.filter(f).length / xs.length;
    expect(share(msgs, (m) => m.flags.seen)).toBeGreaterThan(0.66);
    expect(share(msgs, (m) => m.flags.seen)).toBeLessThan(0.74);
    expect(share(msgs, (m) => m.flags.flagged)).toBeGreaterThan(0.035);
    expect(share(msgs, (m) => m.flags.flagged)).toBeLessThan(0.065);
    expect(share(msgs, (m) => m.flags.answered)).toBeGreaterThan(0.07);
    expect(share(msgs, (m) => m.flags.answered)).toBeLessThan(0.13);
    const oldHalf = msgs.slice(0, 5000);
    const newest = msgs.slice(-1000);
    expect(share(newest, (m) => !m.flags.seen)).toBeGreaterThan(
      3 * share(oldHalf, (m) => !m.flags.seen),
    );
    // answered implies seen; nobody answers a newsletter
    expect(msgs.every((m) => !m.flags.answered || m.flags.seen)).toBe(true);
    expect(msgs.some((m) => m.kind === "newsletter" && m.flags.answered)).toBe(false);
    expect(msgs.every((m) => !m.flags.draft)).toBe(true);
  });

  it("per folder role: Sent is seen and from the owner, Drafts are drafts, Junk mostly unseen", () => {
    const sent = generate({ seed: 9, count: 300, owner, folder: "Sent" });
    expect(sent.every((m) => m.flags.seen && !m.flags.answered && m.from === owner.email)).toBe(
      true,
    );
    expect(sent.some((m) => m.raw.includes("Received:"))).toBe(false);
    expect(sent.filter((m) => m.inReplyTo).length).toBeGreaterThan(50);

    const drafts = generate({ seed: 9, count: 50, owner, folder: "Drafts" });
    expect(drafts.every((m) => m.flags.draft && m.flags.seen && m.kind === "draft")).toBe(true);
    expect(
      imapFlags(drafts[0]?.flags ?? { seen: false, flagged: false, answered: false, draft: false }),
    ).toContain("\\Draft");

    const junk = generate({ seed: 9, count: 400, owner, folder: "Junk" });
    expect(junk.every((m) => m.kind === "spam")).toBe(true);
    expect(junk.filter((m) => m.flags.seen).length / junk.length).toBeLessThan(0.3);
    // Junk spans about a month
    const first = junk[0]?.date.getTime() ?? 0;
    expect(DEFAULT_ANCHOR.getTime() - first).toBeLessThan(31 * DAY);
  });
});

describe("speed", () => {
  it("generates 20,000 messages in a few seconds", () => {
    const t0 = performance.now();
    let bytes = 0;
    for (const m of generateMessages({ seed: 77, count: 20_000, owner, folder: "INBOX" }))
      bytes += m.raw.length;
    const ms = performance.now() - t0;
    expect(bytes / 20_000).toBeGreaterThan(1000);
    // ~1.3 s on the 2-core CI box; the 100k budget is minutes, so this is a loose tripwire
    expect(ms).toBeLessThan(15_000);
  });
});
