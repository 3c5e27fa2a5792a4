import type { TComposeDraft } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import {
  assertDraftHeaders,
  envelopeRecipients,
  forwardSubject,
  MAX_FILENAME_CHARS,
  MAX_REFERENCES,
  parseMessageIds,
  replyReferences,
  replySubject,
  sanitizeFilename,
  sanitizeMimeType,
} from "./headers";

function draft(over: Partial<TComposeDraft> = {}): TComposeDraft {
  return {
    from: { name: "Alice", address: "alice@example.test" },
    to: [{ name: "Bob", address: "bob@example.test" }],
    cc: [],
    bcc: [],
    subject: "Hello",
    html: null,
    text: "hi",
    inReplyTo: null,
    references: [],
    attachments: [],
    identityId: null,
    source: null,
    ...over,
  };
}

describe("replySubject / forwardSubject", () => {
  it.each([
    ["Lunch", "Re: Lunch"],
    ["Re: Lunch", "Re: Lunch"],
    ["RE: Lunch", "Re: Lunch"],
    ["re:Lunch", "Re: Lunch"],
    ["Re[2]: Lunch", "Re: Lunch"],
    ["Re(3): Lunch", "Re: Lunch"],
    ["AW: Lunch", "Re: Lunch"],
    ["SV: Re: AW: Lunch", "Re: Lunch"],
    ["Re : Lunch", "Re: Lunch"],
    ["回复：午饭", "Re: 午饭"],
    ["Fwd: Lunch", "Re: Fwd: Lunch"],
    ["[list] Re: Lunch", "Re: [list] Re: Lunch"],
    ["", "Re: "],
  ])("reply to %j → %j", (subject, expected) => {
    expect(replySubject(subject)).toBe(expected);
  });

  it.each([
    ["Lunch", "Fwd: Lunch"],
    ["Fwd: Lunch", "Fwd: Lunch"],
    ["Fw: Lunch", "Fwd: Lunch"],
    ["FW: FWD: Lunch", "Fwd: Lunch"],
    ["WG: Lunch", "Fwd: Lunch"],
    ["Re: Lunch", "Fwd: Re: Lunch"],
  ])("forward of %j → %j", (subject, expected) => {
    expect(forwardSubject(subject)).toBe(expected);
  });

  it("does not take a word that merely starts like a prefix", () => {
    expect(replySubject("Regarding: plans")).toBe("Re: Regarding: plans");
    expect(forwardSubject("Fwdish thing")).toBe("Fwd: Fwdish thing");
  });
});

describe("replyReferences", () => {
  it("appends the original's Message-ID to its References", () => {
    expect(replyReferences(["<a@x>", "<b@x>"], "<b@x>", "<c@x>")).toEqual([
      "<a@x>",
      "<b@x>",
      "<c@x>",
    ]);
  });

  it("falls back to In-Reply-To when the original has no References", () => {
    expect(replyReferences([], "<b@x>", "<c@x>")).toEqual(["<b@x>", "<c@x>"]);
  });

  it("keeps the first and the newest ids of a long chain", () => {
    const refs = Array.from({ length: 40 }, (_, i) => `<m${i}@x>`);
    const out = replyReferences(refs, null, "<new@x>");
    expect(out).toHaveLength(MAX_REFERENCES);
    expect(out[0]).toBe("<m0@x>");
    expect(out.at(-1)).toBe("<new@x>");
  });

  it("parses ids out of a folded header value", () => {
    expect(parseMessageIds("<a@x>\r\n <b@x> junk <c@y>")).toEqual(["<a@x>", "<b@x>", "<c@y>"]);
  });
});

describe("sanitizeFilename", () => {
  it("keeps the last path segment only", () => {
    expect(sanitizeFilename("../../etc/passwd")).toBe("passwd");
    expect(sanitizeFilename("C:\\Users\\me\\report.pdf")).toBe("report.pdf");
  });

  it("drops control and bidi-override characters", () => {
    expect(sanitizeFilename("in\u0000voice\r\n.pdf")).toBe("invoice.pdf");
    expect(sanitizeFilename("photo\u202Egpj.exe")).toBe("photogpj.exe");
  });

  it("never returns an empty or hidden name", () => {
    expect(sanitizeFilename("")).toBe("attachment");
    expect(sanitizeFilename("...")).toBe("attachment");
    expect(sanitizeFilename(".bashrc")).toBe("bashrc");
    expect(sanitizeFilename("name. ")).toBe("name");
  });

  it("keeps non-ASCII names and caps the length keeping the extension", () => {
    expect(sanitizeFilename("Grüße – 日本.txt")).toBe("Grüße – 日本.txt");
    const long = sanitizeFilename(`${"é".repeat(400)}.tar.gz`);
    expect([...long].length).toBeLessThanOrEqual(MAX_FILENAME_CHARS);
    expect(long.endsWith(".gz")).toBe(true);
  });
});

describe("sanitizeMimeType", () => {
  it("keeps a plain type and drops parameters", () => {
    expect(sanitizeMimeType("Image/PNG; charset=x")).toBe("image/png");
  });
  it("turns anything else into octet-stream", () => {
    expect(sanitizeMimeType(undefined)).toBe("application/octet-stream");
    expect(sanitizeMimeType("text/html\r\nX-Evil: 1")).toBe("application/octet-stream");
    expect(sanitizeMimeType("nonsense")).toBe("application/octet-stream");
  });
});

describe("assertDraftHeaders", () => {
  it("accepts a clean draft", () => {
    expect(() => assertDraftHeaders(draft())).not.toThrow();
  });

  it.each([
    ["subject", draft({ subject: "Hi\r\nBcc: victim@example.test" })],
    ["subject with LF", draft({ subject: "Hi\nthere" })],
    ["subject with NUL", draft({ subject: "Hi\0" })],
    ["recipient name", draft({ to: [{ name: "Bob\r\nX-Evil: 1", address: "bob@example.test" }] })],
    ["from name", draft({ from: { name: "A\nB", address: "alice@example.test" } })],
    ["address", draft({ cc: [{ name: "", address: "bob@example.test\r\nBcc: x@y.z" }] })],
    ["references", draft({ references: ["<a@b>\r\nX: y"] })],
  ])("refuses a line break in the %s", (_what, d) => {
    expect(() => assertDraftHeaders(d)).toThrowError(
      expect.objectContaining({ code: "bad_request" }),
    );
  });

  it("refuses an address that is not an addr-spec", () => {
    for (const address of [
      "bob",
      "bob@",
      "@x.y",
      "Bob <bob@x.y>",
      "a b@x.y",
      "a@b",
      "a@@b.c",
      "a,b@c.d",
    ]) {
      expect(
        () => assertDraftHeaders(draft({ to: [{ name: "", address }] })),
        address,
      ).toThrowError(expect.objectContaining({ code: "bad_request" }));
    }
  });
});

describe("envelopeRecipients", () => {
  it("merges To, Cc and Bcc without duplicates (case-insensitive)", () => {
    const d = draft({
      to: [{ name: "", address: "Bob@example.test" }],
      cc: [
        { name: "", address: "bob@example.test" },
        { name: "", address: "carol@example.test" },
      ],
      bcc: [{ name: "", address: "dave@example.test" }],
    });
    expect(envelopeRecipients(d)).toEqual([
      "Bob@example.test",
      "carol@example.test",
      "dave@example.test",
    ]);
  });
});
