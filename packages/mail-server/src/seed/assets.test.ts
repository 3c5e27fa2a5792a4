// Unit tests for the seeder's generated attachment bytes (PNG, PDF, CSV, iCalendar).

import { inflateSync, crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, makeCsv, makeIcs, makePdf, makePng } from "./assets";

describe("makePng", () => {
  it("writes a valid PNG: signature, IHDR, CRCs, inflatable IDAT of the right size", () => {
    const png = makePng(24, 10, "checker", 0xff0000, 0x00ff00);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chunks: { type: string; data: Buffer }[] = [];
    let off = 8;
    while (off < png.length) {
      const len = png.readUInt32BE(off);
      const type = png.toString("ascii", off + 4, off + 8);
      const data = png.subarray(off + 8, off + 8 + len);
      const crc = png.readUInt32BE(off + 8 + len);
      expect(crc).toBe(crc32(png.subarray(off + 4, off + 8 + len)));
      chunks.push({ type, data });
      off += 12 + len;
    }
    expect(off).toBe(png.length);
    expect(chunks.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    const ihdr = chunks[0]?.data as Buffer;
    expect(ihdr.readUInt32BE(0)).toBe(24);
    expect(ihdr.readUInt32BE(4)).toBe(10);
    const raw = inflateSync(chunks[1]?.data as Buffer);
    expect(raw.length).toBe(10 * (1 + 24 * 3));
    // the checker pattern really uses both colors
    expect(raw.subarray(1, 4).equals(Buffer.from([0, 255, 0]))).toBe(true);
    expect(raw.includes(Buffer.from([255, 0, 0]))).toBe(true);
  });

  it("crc32 agrees with zlib", () => {
    const data = Buffer.from("The quick brown fox jumps over the lazy dog");
    expect(crc32(data)).toBe(zlibCrc32(data));
    expect(crc32(data)).toBe(0x414fa339);
  });
});

describe("makePdf", () => {
  it("has a byte-exact xref table and startxref", () => {
    const pdf = makePdf("Invoice (42)", ["Total: 12.50 EUR", "Müller GmbH"]).toString("latin1");
    expect(pdf.startsWith("%PDF-1.4\n")).toBe(true);
    expect(pdf.endsWith("%%EOF\n")).toBe(true);
    const startxref = Number(/startxref\n(\d+)\n/.exec(pdf)?.[1]);
    expect(pdf.slice(startxref, startxref + 4)).toBe("xref");
    const entries = [...pdf.slice(startxref).matchAll(/^(\d{10}) 00000 n \n/gm)].map((m) =>
      Number(m[1]),
    );
    expect(entries).toHaveLength(6);
    entries.forEach((off, i) => {
      expect(pdf.slice(off, off + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`);
    });
    // stream /Length matches the stream body
    const m = /\/Length (\d+) >>\nstream\n/.exec(pdf);
    const start = (m?.index ?? 0) + (m?.[0].length ?? 0);
    expect(pdf.slice(start + Number(m?.[1])).startsWith("endstream")).toBe(true);
    expect(pdf).toContain("(Invoice \\(42\\)) Tj");
    expect(pdf).toContain("M\\374ller"); // ü as a WinAnsi octal escape
  });
});

describe("makeCsv / makeIcs", () => {
  it("quotes CSV cells that need it", () => {
    expect(makeCsv([["a", 'say "hi"', "x,y", 3]])).toBe('a,"say ""hi""","x,y",3\r\n');
  });

  it("folds iCalendar lines at 75 octets without splitting UTF-8", () => {
    const ics = makeIcs({
      uid: "u1@example.org",
      summary: "Réunion de suivi – très longue description pour dépasser la limite de la ligne",
      startMs: Date.UTC(2024, 0, 2, 9),
      minutes: 30,
      organizer: "organizer@example.org",
      attendees: ["a-very-long-attendee-address@subdomain.example.org"],
      location: "Room 1",
      stampMs: Date.UTC(2024, 0, 1),
    });
    const lines = ics.split("\r\n");
    for (const l of lines) expect(Buffer.byteLength(l, "utf8")).toBeLessThanOrEqual(75);
    expect(ics).not.toContain("\ufffd");
    const unfolded = ics.replace(/\r\n /g, "");
    expect(unfolded).toContain("DTSTART:20240102T090000Z");
    expect(unfolded).toContain("DTEND:20240102T093000Z");
    expect(unfolded).toContain(
      "SUMMARY:Réunion de suivi – très longue description pour dépasser la limite de la ligne",
    );
    expect(unfolded).toContain("mailto:a-very-long-attendee-address@subdomain.example.org");
  });
});
