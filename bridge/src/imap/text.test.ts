import { describe, expect, it } from "vitest";
import {
  Base64Decoder,
  decodePartial,
  decodeText,
  htmlToText,
  previewFromPartial,
  previewOf,
  QuotedPrintableDecoder,
  TextPartDecoder,
} from "./text";

const latin1 = (s: string) => Buffer.from(s, "latin1");

describe("TextPartDecoder", () => {
  it("decodes declared charsets the platform knows", () => {
    expect(decodeText(latin1("H\xe9llo"), "iso-8859-1")).toBe("Héllo");
    expect(decodeText(Buffer.from([0xc1, 0xc2]), "koi8-r")).toBe("аб");
    expect(decodeText(Buffer.from([0x82, 0xa0]), "shift_jis")).toBe("あ");
  });

  it("takes unknown, missing or US-ASCII-labelled bytes as UTF-8 when they are UTF-8", () => {
    expect(decodeText(Buffer.from("Grüße ✓"), "fakescii")).toBe("Grüße ✓");
    expect(decodeText(Buffer.from("Grüße ✓"), null)).toBe("Grüße ✓");
    expect(decodeText(Buffer.from("Grüße ✓"), "us-ascii")).toBe("Grüße ✓");
  });

  it("falls back to windows-1252 for bytes that are not UTF-8", () => {
    expect(decodeText(latin1("caf\xe9 \x80"), "x-unknown")).toBe("café €");
    expect(decodeText(latin1("caf\xe9"), "utf-8")).toBe("café");
  });

  it("takes an html document's <meta> charset when the MIME header names none", () => {
    const html = latin1('<html><head><meta charset="iso-8859-2"></head><body>\xb1</body></html>');
    expect(decodeText(html, null, false, { html: true })).toContain("<body>ą</body>");
    const httpEquiv = latin1(
      '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">\x80',
    );
    expect(decodeText(httpEquiv, "", false, { html: true }).endsWith("€")).toBe(true);
    // A valid UTF-8 document saying UTF-8 stays UTF-8; plain text ignores markup.
    expect(decodeText(Buffer.from('<meta charset="utf-8">é'), null, false, { html: true })).toBe(
      '<meta charset="utf-8">é',
    );
    expect(decodeText(latin1('<meta charset="iso-8859-2">\xb1'), null)).toBe(
      '<meta charset="iso-8859-2">±',
    );
  });

  it("drops a character cut at the end of truncated text instead of changing charset", () => {
    const cut = Buffer.from("Grüße €").subarray(0, -1);
    expect(decodeText(cut, null, true)).toBe("Grüße ");
    expect(decodeText(cut, "utf-8", true)).toBe("Grüße ");
  });

  it("never splits a multi-byte sequence across chunks", () => {
    const bytes = Buffer.from("€uro ünï 𝄞");
    const decoder = new TextPartDecoder("utf-8");
    let out = "";
    for (const byte of bytes) out += decoder.write(Buffer.from([byte]));
    out += decoder.end();
    expect(out).toBe("€uro ünï 𝄞");
  });
});

describe("transfer decoders", () => {
  it("decodes base64 in arbitrary chunks, ignoring line breaks and junk", () => {
    const encoded = Buffer.from("Hello, streaming world! ünï").toString("base64");
    const wrapped = `${encoded.slice(0, 10)}\r\n${encoded.slice(10, 17)}*\r\n${encoded.slice(17)}`;
    const decoder = new Base64Decoder();
    const parts: Buffer[] = [];
    for (let i = 0; i < wrapped.length; i += 3)
      parts.push(decoder.write(Buffer.from(wrapped.slice(i, i + 3))));
    parts.push(decoder.end());
    expect(Buffer.concat(parts).toString()).toBe("Hello, streaming world! ünï");
  });

  it("decodes quoted-printable with soft breaks and escapes cut by chunk edges", () => {
    const encoded = "Caf=C3=A9 au lait =\r\nsoft=3Dbreak =ZZ bad\r\n";
    const decoder = new QuotedPrintableDecoder();
    const parts: Buffer[] = [];
    for (let i = 0; i < encoded.length; i += 2)
      parts.push(decoder.write(Buffer.from(encoded.slice(i, i + 2))));
    parts.push(decoder.end());
    expect(Buffer.concat(parts).toString()).toBe("Café au lait soft=break =ZZ bad\r\n");
  });

  it("drops a unit cut at the end of a partial fetch", () => {
    expect(decodePartial(Buffer.from("SGVsbG8gd29y"), "base64").toString()).toBe("Hello wor");
    expect(decodePartial(Buffer.from("SGVsbG8gd2"), "base64").toString()).toBe("Hello w");
    expect(decodePartial(Buffer.from("SGk="), "base64").toString()).toBe("Hi");
    expect(decodePartial(Buffer.from("abc=C3=A"), "quoted-printable").toString("latin1")).toBe(
      "abc\xc3",
    );
    expect(decodePartial(Buffer.from("abc="), "quoted-printable", true).toString()).toBe("abc=");
  });
});

describe("preview", () => {
  it("reduces html to visible text without markup", () => {
    const html =
      "<html><head><title>T</title><style>p{color:red}</style></head><body><!-- c --><p>Hello&nbsp;<b>there</b></p><script>x()</script><div>&lt;tag&gt; &#233;&#x20AC;</div>";
    expect(previewOf(htmlToText(html))).toBe("Hello there <tag> é€");
  });

  it("copes with html cut by a partial fetch", () => {
    expect(previewOf(htmlToText('<p>Visible</p><div class="abc'))).toBe("Visible");
    expect(previewOf(htmlToText("<p>Start</p><style>.a{"))).toBe("Start");
  });

  it("collapses whitespace and cuts on a word boundary", () => {
    const long = `${"word ".repeat(100)}end`;
    const p = previewOf(long);
    expect(p.length).toBeLessThanOrEqual(200);
    expect(p.endsWith("word")).toBe(true);
    expect(previewOf("  a\r\n\tb  ")).toBe("a b");
  });

  it("builds a preview from an encoded partial, skipping quoted lines", () => {
    const body = Buffer.from("> quoted\r\nNew text here\r\n").toString("base64");
    expect(
      previewFromPartial(Buffer.from(body), {
        type: "text/plain",
        charset: "utf-8",
        encoding: "base64",
      }),
    ).toBe("New text here");
    expect(
      previewFromPartial(latin1("<p>Gr=FC=DFe</p>"), {
        type: "text/html",
        charset: "iso-8859-1",
        encoding: "quoted-printable",
      }),
    ).toBe("Grüße");
  });
});
