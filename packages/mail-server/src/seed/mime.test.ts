// Unit tests for the seeder's MIME encoders (charsets, QP, base64, RFC 2047/2231, folding, dates).

import { describe, expect, it } from "vitest";
import {
  base64Wrapped,
  type Charset,
  encodeCharset,
  encodedWords,
  encodePhrase,
  encodeQP,
  encodeUnstructured,
  formatDate,
  header,
  param,
  qpUtf8,
} from "./mime";

/** Test-side QP decoder (independent of the encoder under test). */
function decodeQP(text: string): Buffer {
  const soft = text.replace(/=\r\n/g, "");
  const out: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const ch = soft[i] as string;
    if (ch === "=") {
      out.push(Number.parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(soft.charCodeAt(i));
  }
  return Buffer.from(out);
}

const LABELS: Record<string, string> = { "ISO-8859-1": "latin1" };

/** Test-side RFC 2047 decoder for a run of encoded-words separated by spaces. */
function decodeWords(words: string): string {
  return words.replace(
    /=\?([^?]+)\?([BQ])\?([^?]*)\?=(\s+(?==\?))?/g,
    (_m, cs: string, mode: string, body: string) => {
      const bytes =
        mode === "B"
          ? Buffer.from(body, "base64")
          : decodeQP(body.replace(/_/g, " ").replace(/\r\n/g, ""));
      return new TextDecoder(LABELS[cs] ?? cs).decode(bytes);
    },
  );
}

describe("encodeCharset", () => {
  const samples: [Charset, string][] = [
    ["UTF-8", "Zoë Ångström 李雷 🎉"],
    ["ISO-8859-1", "Grüße aus Köln, ça va? ¡Sí!"],
    ["ISO-8859-2", "Đorđe Petrović: Zażółć gęślą jaźń, příliš žluťoučký kůň"],
    ["KOI8-R", "Отчёт за квартал готов"],
    ["Shift_JIS", "打ち合わせの件、よろしくお願いいたします。"],
    ["ISO-2022-JP", "Alice様\r\n見積書を送付いたします。OK"],
  ];
  it.each(samples)("round-trips %s through TextDecoder", (charset, text) => {
    const bytes = encodeCharset(text, charset);
    const label = charset === "ISO-8859-1" ? "latin1" : charset;
    // WHATWG maps "latin1" to windows-1252, identical for these characters
    expect(new TextDecoder(label).decode(bytes)).toBe(text);
  });

  it("maps windows-1252's 0x80-0x9f range", () => {
    // Node's TextDecoder treats windows-1252 as Latin-1, so check the bytes directly
    const bytes = encodeCharset("“Smart” — 1 250 € Œuvres, naïve", "windows-1252");
    expect([...bytes.subarray(0, 1)]).toEqual([0x93]);
    expect(bytes.includes(0x94)).toBe(true);
    expect(bytes.includes(0x97)).toBe(true);
    expect(bytes.includes(0x80)).toBe(true);
    expect(bytes.includes(0x8c)).toBe(true);
    expect(bytes.includes(0xef)).toBe(true); // ï
    expect(bytes.length).toBe("“Smart” — 1 250 € Œuvres, naïve".length);
  });

  it("produces 7-bit ISO-2022-JP that ends every line in ASCII mode", () => {
    const bytes = encodeCharset("日本語\r\nテスト", "ISO-2022-JP");
    expect(bytes.every((b) => b < 0x80)).toBe(true);
    const s = bytes.toString("latin1");
    expect(s.split("\r\n")[0]?.endsWith("\x1b(B")).toBe(true);
    expect(s.endsWith("\x1b(B")).toBe(true);
  });

  it("refuses characters the charset cannot hold", () => {
    expect(() => encodeCharset("€", "ISO-8859-1")).toThrow(/cannot encode/);
    expect(() => encodeCharset("李", "KOI8-R")).toThrow(/cannot encode/);
    expect(() => encodeCharset("🎉", "Shift_JIS")).toThrow(/cannot encode/);
  });
});

describe("quoted-printable", () => {
  it("keeps lines within 76 chars and round-trips", () => {
    const text = `${"Grüße ".repeat(40)}\r\nshort = line with trailing space \r\n${"x".repeat(200)}\ttab\r\n`;
    const enc = encodeQP(Buffer.from(text, "utf8"));
    for (const line of enc.split("\r\n")) expect(line.length).toBeLessThanOrEqual(76);
    expect(enc).not.toMatch(/[ \t]\r\n/); // trailing whitespace must be encoded
    expect(enc).toContain("=3D");
    expect(decodeQP(enc).toString("utf8")).toBe(text);
  });

  it("qpUtf8 (line-cached) matches the plain encoder", () => {
    const text = "Hallo Jürgen,\r\n\r\nViele Grüße\r\nHallo Jürgen,\r\n";
    expect(qpUtf8(text)).toBe(encodeQP(Buffer.from(text, "utf8")));
  });

  it("never splits an =XX escape across a soft break", () => {
    const enc = encodeQP(Buffer.from("é".repeat(100), "utf8"));
    for (const line of enc.split("=\r\n")) expect(line).not.toMatch(/=[0-9A-F]?$/);
  });
});

describe("base64Wrapped", () => {
  it("wraps at 76 columns and decodes back", () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
    const enc = base64Wrapped(bytes);
    const lines = enc.split("\r\n");
    expect(lines.every((l) => l.length <= 76)).toBe(true);
    expect(lines[0]?.length).toBe(76);
    expect(Buffer.from(lines.join(""), "base64").equals(bytes)).toBe(true);
  });
});

describe("RFC 2047", () => {
  it.each([
    ["Zoë Ångström", "Q"],
    ["李雷", "B"],
    ["🎉🎂📦 party time with emoji in a subject that is long enough to need several words 🎉", "B"],
    ["Νίκος Παπαδόπουλος και η πολύ μεγάλη ομάδα του στην Αθήνα", "B"],
  ] as const)("encodes %s into ≤75-char words that decode back", (text, mode) => {
    const words = encodedWords(text, "UTF-8", mode);
    for (const w of words) {
      expect(w.length).toBeLessThanOrEqual(75);
      // every word decodes on its own: no code point is split between words
      expect(decodeWords(w)).not.toContain("\ufffd");
    }
    expect(decodeWords(words.join(" "))).toBe(text);
  });

  it("keeps an ASCII prefix readable in unstructured text", () => {
    const enc = encodeUnstructured("Re: Œuvres sélectionnées pour l’exposition");
    expect(enc.startsWith("Re: =?UTF-8?B?")).toBe(true);
    expect(decodeWords(enc)).toBe("Re: Œuvres sélectionnées pour l’exposition");
    expect(encodeUnstructured("plain ascii")).toBe("plain ascii");
  });

  it("encodes legacy-charset subjects", () => {
    const enc = encodeUnstructured("打ち合わせの件", "ISO-2022-JP");
    expect(enc).toMatch(/^=\?ISO-2022-JP\?B\?/);
    expect(decodeWords(enc)).toBe("打ち合わせの件");
  });

  it("quotes specials in ASCII display names and encodes non-ASCII ones", () => {
    expect(encodePhrase("Victor Hughes, PhD")).toBe('"Victor Hughes, PhD"');
    expect(encodePhrase("Tara O'Neill")).toBe("Tara O'Neill");
    expect(encodePhrase("Zoë Ångström")).toMatch(/^=\?UTF-8\?Q\?Zo=C3=AB/);
    expect(decodeWords(encodePhrase("Ðorđe Petrović"))).toBe("Ðorđe Petrović");
  });
});

describe("headers", () => {
  it("folds long values at spaces and unfolds to the original", () => {
    const value = Array.from({ length: 12 }, (_, i) => `<id${i}.abcdefgh@example.org>`).join(" ");
    const folded = header("References", value);
    const lines = folded.split("\r\n");
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(78);
    for (const l of lines.slice(1)) expect(l.startsWith(" ")).toBe(true);
    expect(folded.replace(/\r\n/g, "")).toBe(`References: ${value}`);
  });

  it("formats RFC 5322 dates in the sender's zone", () => {
    const ms = Date.UTC(2024, 1, 29, 23, 5, 9);
    expect(formatDate(ms, 0)).toBe("Thu, 29 Feb 2024 23:05:09 +0000");
    expect(formatDate(ms, 60)).toBe("Fri, 1 Mar 2024 00:05:09 +0100");
    expect(formatDate(ms, -300)).toBe("Thu, 29 Feb 2024 18:05:09 -0500");
    expect(formatDate(ms, 330)).toBe("Fri, 1 Mar 2024 04:35:09 +0530");
  });

  it("uses RFC 2231 for non-ASCII parameters", () => {
    expect(param("filename", "report.pdf")).toBe('filename="report.pdf"');
    expect(param("filename", "Übersicht 2024.csv")).toBe(
      "filename*=UTF-8''%C3%9Cbersicht%202024.csv",
    );
  });
});
