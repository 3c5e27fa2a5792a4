import { describe, expect, it } from "vitest";
import { isMailAddress, parseClientFrame, ZComposeDraft } from "./index";

const base = {
  from: { name: "Alice", address: "alice@example.test" },
  to: [{ name: "Bob", address: "bob@example.test" }],
};

describe("isMailAddress", () => {
  it.each([
    "bob@example.test",
    "first.last+tag@sub.example.co.uk",
    "o'hara@example.test",
    "jürgen@bücher.example",
    "x@[192.0.2.1]",
  ])("accepts %s", (a) => expect(isMailAddress(a)).toBe(true));

  it.each([
    "",
    "bob",
    "bob@",
    "@example.test",
    "bob@localhost",
    "Bob <bob@example.test>",
    "bob smith@example.test",
    "bob..smith@example.test",
    ".bob@example.test",
    "bob@example..test",
    "bob@-example.test",
    "a,b@example.test",
    "bob@example.test\r\nBcc: x@y.z",
    `${"a".repeat(65)}@example.test`,
  ])("refuses %j", (a) => expect(isMailAddress(a)).toBe(false));
});

describe("ZComposeDraft", () => {
  it("fills defaults", () => {
    const d = ZComposeDraft.parse(base);
    expect(d).toMatchObject({
      cc: [],
      bcc: [],
      subject: "",
      html: null,
      text: "",
      attachments: [],
      source: null,
    });
  });

  it.each([
    ["subject", { subject: "a\r\nb" }],
    ["subject NUL", { subject: "a\0" }],
    ["name", { to: [{ name: "B\nX-Evil: 1", address: "bob@example.test" }] }],
    ["address", { to: [{ name: "", address: "bob@example.test\n" }] }],
    ["references", { references: ["<a@b>\r\n"] }],
    ["inReplyTo", { inReplyTo: "not-an-id" }],
  ])("refuses a line break or junk in the %s", (_what, extra) => {
    expect(ZComposeDraft.safeParse({ ...base, ...extra }).success).toBe(false);
  });

  it("tells attachments apart by their keys", () => {
    const d = ZComposeDraft.parse({
      ...base,
      attachments: [
        { uploadId: "u1", filename: "a.pdf", size: 1, type: "application/pdf" },
        { forwardOf: { mailbox: "INBOX", uidValidity: 1, uid: 2 }, filename: "m.eml", size: 3 },
        {
          partOf: { mailbox: "INBOX", uidValidity: 1, uid: 2 },
          part: "1.2",
          filename: "b",
          size: 4,
          type: "image/png",
        },
      ],
    });
    expect(d.attachments.map((a) => Object.keys(a).sort().join())).toEqual([
      "filename,size,type,uploadId",
      "filename,forwardOf,size",
      "filename,part,partOf,size,type",
    ]);
  });
});

describe("compose frames", () => {
  it("applies the default undo window and caps it", () => {
    const ok = parseClientFrame(JSON.stringify({ type: "compose.send", id: "1", draft: base }));
    expect(ok.ok && ok.frame.type === "compose.send" && ok.frame.delaySeconds).toBe(10);
    const tooLong = parseClientFrame(
      JSON.stringify({ type: "compose.send", id: "2", draft: base, delaySeconds: 31 }),
    );
    expect(tooLong).toMatchObject({ ok: false, id: "2" });
  });

  it("says which field has a line break", () => {
    const r = parseClientFrame(
      JSON.stringify({ type: "compose.send", id: "3", draft: { ...base, subject: "a\r\nb" } }),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/draft\.subject.*line breaks/);
  });
});
