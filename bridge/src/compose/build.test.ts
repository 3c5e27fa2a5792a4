import { Readable } from "node:stream";
import type { TComposeDraft } from "@ferry/protocol";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { buildMessage, newMessageId, withoutHeader } from "./build";

function draft(over: Partial<TComposeDraft> = {}): TComposeDraft {
  return {
    from: { name: "Alice Ä", address: "alice@example.test" },
    to: [{ name: 'Bob "B" <evil@x.y>, Eve', address: "bob@example.test" }],
    cc: [],
    bcc: [{ name: "Carol", address: "carol@example.test" }],
    subject: "Grüße, Bob",
    html: null,
    text: "Hello\nBob",
    inReplyTo: null,
    references: [],
    attachments: [],
    identityId: null,
    source: null,
    ...over,
  };
}

describe("buildMessage", () => {
  it("keeps Bcc in the stored copy and out of the wire copy, bodies identical", async () => {
    const built = await buildMessage({ draft: draft() });
    const stored = await simpleParser(built.stored);
    const wire = await simpleParser(built.wire);
    expect(stored.bcc && !Array.isArray(stored.bcc) ? stored.bcc.text : "").toContain(
      "carol@example.test",
    );
    expect(wire.bcc).toBeUndefined();
    expect(built.wire.toString("latin1")).not.toMatch(/carol/i);
    const body = (b: Buffer) => b.subarray(b.indexOf("\r\n\r\n"));
    expect(body(built.wire).equals(body(built.stored))).toBe(true);
    expect(built.envelope).toEqual({
      from: "alice@example.test",
      to: ["bob@example.test", "carol@example.test"],
    });
  });

  it("quotes a display name that looks like an address instead of parsing it", async () => {
    const built = await buildMessage({ draft: draft() });
    const parsed = await simpleParser(built.wire);
    const to = parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : [];
    expect(to).toHaveLength(1);
    expect(to[0]?.address).toBe("bob@example.test");
    expect(to[0]?.name).toBe('Bob "B" <evil@x.y>, Eve');
  });

  it("round-trips a non-ASCII subject, threading headers and attachments", async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    const built = await buildMessage({
      draft: draft({
        subject: "Schöne Grüße 🚀",
        inReplyTo: "<a@x>",
        references: ["<z@x>", "<a@x>"],
        html: "<p>Hi <b>Bob</b></p>",
        text: "",
      }),
      attachments: [
        { filename: "données.bin", type: "application/octet-stream", size: 7, content: bytes },
        {
          filename: "stream.txt",
          type: "text/plain",
          size: 3,
          content: () => Readable.from([Buffer.from("abc")]),
        },
      ],
    });
    const parsed = await simpleParser(built.wire);
    expect(parsed.subject).toBe("Schöne Grüße 🚀");
    expect(parsed.inReplyTo).toBe("<a@x>");
    expect(parsed.references).toEqual(["<z@x>", "<a@x>"]);
    expect(parsed.messageId).toBe(built.messageId);
    expect(parsed.text?.trim()).toBe("Hi Bob"); // derived from the HTML
    expect(parsed.attachments.map((a) => a.filename)).toEqual(["données.bin", "stream.txt"]);
    expect(parsed.attachments[0]?.content.equals(bytes)).toBe(true);
  });

  it("refuses a header with a line break even past the schema", async () => {
    await expect(
      buildMessage({ draft: draft({ subject: "a\r\nBcc: x@y.z" }), attachments: [] }),
    ).rejects.toMatchObject({ code: "bad_request" });
  });
});

describe("withoutHeader", () => {
  it("removes every occurrence with its folded lines and nothing else", () => {
    const raw = Buffer.from(
      "From: a@b.c\r\nBcc: x@y.z,\r\n y@y.z\r\nSubject: s\r\nbcc: q@y.z\r\n\r\nBcc: in the body\r\n",
    );
    expect(withoutHeader(raw, "bcc").toString()).toBe(
      "From: a@b.c\r\nSubject: s\r\n\r\nBcc: in the body\r\n",
    );
  });
});

describe("newMessageId", () => {
  it("uses the sender's domain, in ASCII", () => {
    expect(newMessageId("a@Example.TEST")).toMatch(/^<[0-9a-f-]{36}@example\.test>$/);
    expect(newMessageId("a@bücher.example")).toMatch(/@xn--bcher-kva\.example>$/);
  });
});
