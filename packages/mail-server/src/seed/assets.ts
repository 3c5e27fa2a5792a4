// Binary attachment bodies for the seeder. Owns: tiny valid PNG images (real zlib stream + CRC),
// minimal single-page PDFs with a correct xref table, CSV exports and iCalendar invites.
// Everything is derived from its arguments only (no clock, no randomness of its own).

import { deflateSync } from "node:zlib";

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = (crc ^ 0xffffffff) >>> 0;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export type PngPattern = "gradient" | "checker" | "stripes" | "dot";

/** A valid RGB PNG of `width`×`height` drawing `pattern` in two colors (0xRRGGBB). */
export function makePng(
  width: number,
  height: number,
  pattern: PngPattern,
  fg: number,
  bg: number,
): Buffer {
  const rowLen = 1 + width * 3;
  const raw = Buffer.alloc(rowLen * height);
  for (let y = 0; y < height; y++) {
    raw[y * rowLen] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      let t: number;
      switch (pattern) {
        case "gradient":
          t = (x + y) / (width + height - 2 || 1);
          break;
        case "checker":
          t = ((x >> 2) + (y >> 2)) & 1;
          break;
        case "stripes":
          t = (y >> 1) & 1;
          break;
        case "dot": {
          const dx = x - width / 2;
          const dy = y - height / 2;
          t = dx * dx + dy * dy < (width * width) / 9 ? 1 : 0;
          break;
        }
      }
      const o = y * rowLen + 1 + x * 3;
      for (let c = 0; c < 3; c++) {
        const shift = 16 - c * 8;
        const a = (bg >> shift) & 0xff;
        const b = (fg >> shift) & 0xff;
        raw[o + c] = Math.round(a + (b - a) * t);
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // color type: truecolor
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(raw, { level: 9 })),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}

function pdfString(text: string): string {
  // PDF literal string in WinAnsi (Latin-1 subset); escape delimiters, drop anything wider
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 63;
    if (ch === "(" || ch === ")" || ch === "\\") out += `\\${ch}`;
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp >= 0xa0 && cp <= 0xff) out += `\\${cp.toString(8).padStart(3, "0")}`;
    else out += "?";
  }
  return out;
}

/** A minimal one-page PDF 1.4 (Helvetica text lines) with a byte-exact xref table. */
export function makePdf(title: string, lines: readonly string[]): Buffer {
  let content = `BT /F1 20 Tf 72 770 Td (${pdfString(title)}) Tj ET\n`;
  let y = 730;
  for (const line of lines) {
    content += `BT /F1 11 Tf 72 ${y} Td (${pdfString(line)}) Tj ET\n`;
    y -= 16;
  }
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${Buffer.byteLength(content, "latin1")} >>\nstream\n${content}endstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    `<< /Title (${pdfString(title)}) /Producer (Ferry seeder) >>`,
  ];
  let pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) pdf += `${String(off).padStart(10, "0")} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, "latin1");
}

/** CSV text (CRLF rows, RFC 4180 quoting). */
export function makeCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows
    .map((row) =>
      row
        .map((cell) => {
          const s = String(cell);
          return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
        })
        .join(","),
    )
    .join("\r\n")
    .concat("\r\n");
}

function icsDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** RFC 5545 line folding: at most 75 octets per line, never splitting a UTF-8 sequence. */
function foldIcsLine(line: string): string {
  if (Buffer.byteLength(line, "utf8") <= 75) return line;
  let out = "";
  let len = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, "utf8");
    if (len + n > 75) {
      out += "\r\n ";
      len = 1;
    }
    out += ch;
    len += n;
  }
  return out;
}

/** A METHOD:REQUEST iCalendar invite (CRLF lines, folded). */
export function makeIcs(opts: {
  uid: string;
  summary: string;
  startMs: number;
  minutes: number;
  organizer: string;
  attendees: readonly string[];
  location: string;
  stampMs: number;
}): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "PRODID:-//Ferry//Seeder//EN",
    "VERSION:2.0",
    "METHOD:REQUEST",
    "BEGIN:VEVENT",
    `UID:${opts.uid}`,
    `DTSTAMP:${icsDate(opts.stampMs)}`,
    `DTSTART:${icsDate(opts.startMs)}`,
    `DTEND:${icsDate(opts.startMs + opts.minutes * 60_000)}`,
    `SUMMARY:${opts.summary.replace(/([,;\\])/g, "\\$1")}`,
    `LOCATION:${opts.location.replace(/([,;\\])/g, "\\$1")}`,
    `ORGANIZER:mailto:${opts.organizer}`,
    ...opts.attendees.map((a) => `ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:${a}`),
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return `${lines.map(foldIcsLine).join("\r\n")}\r\n`;
}
