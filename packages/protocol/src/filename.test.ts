import { describe, expect, it } from "vitest";
import { displayFilename, MAX_FILENAME_CHARS, sanitizeFilename, stripInvisible } from "./filename";

const BIDI = [
  "\u202a",
  "\u202b",
  "\u202c",
  "\u202d",
  "\u202e",
  "\u2066",
  "\u2067",
  "\u2068",
  "\u2069",
  "\u200e",
  "\u200f",
  "\u061c",
];

describe("stripInvisible", () => {
  it("removes every bidi control", () => {
    for (const c of BIDI) expect(stripInvisible(`invoice${c}fdp.exe`)).toBe("invoicefdp.exe");
  });

  it("removes zero-width spaces, soft hyphens, BOM, tag characters and controls", () => {
    expect(stripInvisible("a\u200bb\u00adc\ufeffd\u{e0041}e\u0000f\u0085g\u2028h")).toBe(
      "abcdefgh",
    );
  });

  it("keeps ZWNJ/ZWJ, which scripts and emoji need, and visible text", () => {
    expect(stripInvisible("می\u200cخواهم 👩\u200d💻 Grüße 日本")).toBe(
      "می\u200cخواهم 👩\u200d💻 Grüße 日本",
    );
  });
});

describe("displayFilename", () => {
  it("shows an overridden name in its real order", () => {
    expect(displayFilename("invoice\u202efdp.exe")).toBe("invoicefdp.exe");
    expect(displayFilename(" Re:  minutes\u2067.pdf ")).toBe("Re: minutes.pdf");
  });
});

describe("sanitizeFilename", () => {
  it("drops controls and format characters, keeps the extension honest", () => {
    expect(sanitizeFilename("photo\u202egpj.exe")).toBe("photogpj.exe");
    expect(sanitizeFilename("a\u2066b\u061c.txt")).toBe("ab.txt");
    expect(sanitizeFilename("in\u0000voice\r\n.pdf")).toBe("invoice.pdf");
  });

  it("keeps one path segment, replaces characters Windows refuses, never empty", () => {
    expect(sanitizeFilename("../../etc/passwd")).toBe("passwd");
    expect(sanitizeFilename('a<b>:"c|?*.txt')).toBe("a_b___c___.txt");
    expect(sanitizeFilename("\u202e")).toBe("attachment");
    expect(sanitizeFilename("...", "x.bin")).toBe("x.bin");
  });

  it("caps the length and keeps the extension", () => {
    const long = sanitizeFilename(`${"é".repeat(400)}.tar.gz`);
    expect([...long].length).toBeLessThanOrEqual(MAX_FILENAME_CHARS);
    expect(long.endsWith(".gz")).toBe(true);
  });
});
