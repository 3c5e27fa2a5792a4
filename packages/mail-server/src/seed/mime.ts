// Low-level MIME encoding for the seeder. Owns: charset encoders (UTF-8, ISO-8859-1/-2,
// windows-1252, KOI8-R, Shift_JIS, ISO-2022-JP — legacy tables are derived once from the
// platform's TextDecoder, except windows-1252's 0x80-0x9f row), quoted-printable and base64 body encodings, RFC 2047 encoded-words,
// RFC 2231 parameters, header folding and RFC 5322 dates.
//
// Convention: a message is assembled as a "byte string" — a JS string whose every char code is
// < 256 and stands for one octet — and turned into a Buffer with `Buffer.from(s, "latin1")`.
// All helpers here return byte strings with CRLF line breaks.

export type Charset =
  | "UTF-8"
  | "ISO-8859-1"
  | "ISO-8859-2"
  | "windows-1252"
  | "KOI8-R"
  | "Shift_JIS"
  | "ISO-2022-JP";

export const CRLF = "\r\n";

// ---------------------------------------------------------------------------------------------
// charsets

const singleByteTables = new Map<string, Map<number, number>>();

// windows-1252 0x80..0x9f (0 = undefined). Spelled out because Node's TextDecoder decodes
// "windows-1252" as plain Latin-1 and would map these bytes to C1 controls.
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152,
  0, 0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161,
  0x203a, 0x0153, 0, 0x017e, 0x0178,
];

/** Reverse table code point → byte for a single-byte charset, built from TextDecoder. */
function singleByteTable(label: string): Map<number, number> {
  let table = singleByteTables.get(label);
  if (table) return table;
  table = new Map();
  if (label === "windows-1252") {
    CP1252_HIGH.forEach((cp, i) => {
      if (cp !== 0) table?.set(cp, 0x80 + i);
    });
    for (let b = 0xa0; b <= 0xff; b++) table.set(b, b);
    singleByteTables.set(label, table);
    return table;
  }
  const decoder = new TextDecoder(label);
  const bytes = new Uint8Array(256);
  for (let i = 0; i < 256; i++) bytes[i] = i;
  const decoded = decoder.decode(bytes);
  for (let i = 0; i < 256 && i < decoded.length; i++) {
    const cp = decoded.charCodeAt(i);
    if (cp !== 0xfffd && !table.has(cp)) table.set(cp, i);
  }
  singleByteTables.set(label, table);
  return table;
}

let sjisTable: Map<number, number> | undefined;

/** Code point → Shift_JIS double-byte code (lead << 8 | trail). */
function shiftJisTable(): Map<number, number> {
  if (sjisTable) return sjisTable;
  const table = new Map<number, number>();
  const decoder = new TextDecoder("shift_jis");
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfc; lead++) {
    if (lead > 0x9f && lead < 0xe0) continue;
    pair[0] = lead;
    for (let trail = 0x40; trail <= 0xfc; trail++) {
      if (trail === 0x7f) continue;
      pair[1] = trail;
      const s = decoder.decode(pair);
      if (s.length === 1 && s !== "\ufffd") {
        const cp = s.charCodeAt(0);
        if (!table.has(cp)) table.set(cp, (lead << 8) | trail);
      }
    }
  }
  sjisTable = table;
  return table;
}

let jisTable: Map<number, number> | undefined;

/** Code point → JIS X 0208 row/cell pair (b1 << 8 | b2, each 0x21..0x7e), via EUC-JP. */
function jisX0208Table(): Map<number, number> {
  if (jisTable) return jisTable;
  const table = new Map<number, number>();
  const decoder = new TextDecoder("euc-jp");
  const pair = new Uint8Array(2);
  for (let b1 = 0xa1; b1 <= 0xfe; b1++) {
    pair[0] = b1;
    for (let b2 = 0xa1; b2 <= 0xfe; b2++) {
      pair[1] = b2;
      const s = decoder.decode(pair);
      if (s.length === 1 && s !== "\ufffd") {
        const cp = s.charCodeAt(0);
        if (!table.has(cp)) table.set(cp, ((b1 - 0x80) << 8) | (b2 - 0x80));
      }
    }
  }
  jisTable = table;
  return table;
}

function unencodable(ch: string, charset: string): Error {
  return new Error(`cannot encode ${JSON.stringify(ch)} in ${charset}`);
}

/** Encode `text` in `charset`. Throws if a character is not representable. */
export function encodeCharset(text: string, charset: Charset): Buffer {
  switch (charset) {
    case "UTF-8":
      return Buffer.from(text, "utf8");
    case "ISO-8859-1": {
      for (let i = 0; i < text.length; i++) {
        if (text.charCodeAt(i) > 0xff) throw unencodable(text.charAt(i), charset);
      }
      return Buffer.from(text, "latin1");
    }
    case "ISO-8859-2":
    case "windows-1252":
    case "KOI8-R": {
      const table = singleByteTable(charset.toLowerCase());
      const out = Buffer.allocUnsafe(text.length);
      for (let i = 0; i < text.length; i++) {
        const cp = text.charCodeAt(i);
        const b = cp < 0x80 ? cp : table.get(cp);
        if (b === undefined) throw unencodable(text.charAt(i), charset);
        out[i] = b;
      }
      return out;
    }
    case "Shift_JIS": {
      const table = shiftJisTable();
      const out: number[] = [];
      for (const ch of text) {
        const cp = ch.codePointAt(0) ?? 0;
        if (cp < 0x80) {
          out.push(cp);
          continue;
        }
        const code = table.get(cp);
        if (code === undefined) throw unencodable(ch, charset);
        out.push(code >> 8, code & 0xff);
      }
      return Buffer.from(out);
    }
    case "ISO-2022-JP": {
      const table = jisX0208Table();
      const out: number[] = [];
      let jis = false;
      for (const ch of text) {
        const cp = ch.codePointAt(0) ?? 0;
        if (cp < 0x80) {
          if (jis) out.push(0x1b, 0x28, 0x42); // ESC ( B
          jis = false;
          out.push(cp);
          continue;
        }
        const code = table.get(cp);
        if (code === undefined) throw unencodable(ch, charset);
        if (!jis) out.push(0x1b, 0x24, 0x42); // ESC $ B
        jis = true;
        out.push(code >> 8, code & 0xff);
      }
      if (jis) out.push(0x1b, 0x28, 0x42);
      return Buffer.from(out);
    }
  }
}

/** Byte string for UTF-8 text (each char = one octet). */
export function utf8Bytes(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7e) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// body encodings

const HEX = "0123456789ABCDEF";

/**
 * Quoted-printable encoding of one line of octets (no line break inside); returns the encoded
 * line, with soft breaks ("=\r\n") keeping every output line at most 76 chars.
 */
function qpLine(bytes: Uint8Array, start: number, end: number): string {
  let out = "";
  let lineLen = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i] as number;
    let tok: string;
    if ((b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && i !== end - 1)) {
      tok = String.fromCharCode(b);
    } else {
      tok = `=${HEX[b >> 4]}${HEX[b & 15]}`;
    }
    // keep room for the soft-break "=" unless this token ends the line
    const limit = i === end - 1 ? 76 : 75;
    if (lineLen + tok.length > limit) {
      out += "=\r\n";
      lineLen = 0;
    }
    out += tok;
    lineLen += tok.length;
  }
  return out;
}

/** Quoted-printable encoding of octets whose line breaks are CRLF (or LF). */
export function encodeQP(bytes: Uint8Array): string {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 10) {
      let end = i;
      if (end > start && bytes[end - 1] === 13) end--;
      lines.push(qpLine(bytes, start, end));
      start = i + 1;
    }
  }
  return lines.join(CRLF);
}

const qpCache = new Map<string, string>();

/**
 * Quoted-printable UTF-8 encoding of text (CRLF line breaks), cached line by line: QP encodes
 * each hard line independently, so repeated lines (greetings, paragraphs, HTML chrome) are free.
 */
export function qpUtf8(text: string): string {
  const lines = text.split(CRLF);
  let out = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    let enc = qpCache.get(line);
    if (enc === undefined) {
      enc = encodeQP(Buffer.from(line, "utf8"));
      if (qpCache.size < 50_000) qpCache.set(line, enc);
    }
    out += i === 0 ? enc : CRLF + enc;
  }
  return out;
}

/** Base64 of `bytes`, wrapped at 76 columns, CRLF line breaks (no trailing break). */
export function base64Wrapped(bytes: Uint8Array | string): string {
  const b64 =
    typeof bytes === "string"
      ? Buffer.from(bytes, "utf8").toString("base64")
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  if (b64.length <= 76) return b64;
  const parts: string[] = [];
  for (let i = 0; i < b64.length; i += 76) parts.push(b64.slice(i, i + 76));
  return parts.join(CRLF);
}

// ---------------------------------------------------------------------------------------------
// headers

const MAX_ENCODED_WORD = 75;

/** RFC 2047 Q-encoding of octets for use inside a phrase/unstructured encoded-word. */
function qWordBody(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) {
    if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)) {
      out += String.fromCharCode(b);
    } else if (b === 0x20) out += "_";
    else out += `=${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/**
 * RFC 2047 encoded-words for `text`, split on character boundaries so each word is at most 75
 * chars and decodes on its own. Adjacent words must be separated by folding white space only.
 */
export function encodedWords(
  text: string,
  charset: Charset = "UTF-8",
  mode: "B" | "Q" = "B",
): string[] {
  const prefix = `=?${charset}?${mode}?`;
  const budget = MAX_ENCODED_WORD - prefix.length - 2;
  const encode = (chunk: string): string => {
    const bytes = encodeCharset(chunk, charset);
    return mode === "B" ? bytes.toString("base64") : qWordBody(bytes);
  };
  const words: string[] = [];
  const chars = Array.from(text);
  let i = 0;
  while (i < chars.length) {
    // grow the chunk one character at a time while it still fits
    let j = i + 1;
    let best = encode(chars[i] as string);
    while (j < chars.length) {
      const candidate = encode(chars.slice(i, j + 1).join(""));
      if (candidate.length > budget) break;
      best = candidate;
      j++;
    }
    words.push(`${prefix}${best}?=`);
    i = j;
  }
  return words;
}

const unstructuredCache = new Map<string, string>();

/**
 * Unstructured header text (Subject): plain when ASCII; otherwise the span from the first to
 * the last non-ASCII word becomes encoded-words and the ASCII words around it stay readable, the
 * way common MUAs do it ("Re: =?UTF-8?B?...?=").
 */
export function encodeUnstructured(
  text: string,
  charset: Charset = "UTF-8",
  mode: "B" | "Q" = "B",
): string {
  if (isAscii(text)) return text;
  const key = `${charset}|${mode}|${text}`;
  const hit = unstructuredCache.get(key);
  if (hit !== undefined) return hit;
  const tokens = text.split(" ");
  let first = tokens.findIndex((t) => !isAscii(t));
  let last = tokens.length - 1;
  while (last > first && isAscii(tokens[last] as string)) last--;
  // an encoded-word must stand alone as a token: include leading/trailing ASCII glued to it
  if (first < 0) first = 0;
  const head = tokens.slice(0, first).join(" ");
  const mid = tokens.slice(first, last + 1).join(" ");
  const tail = tokens.slice(last + 1).join(" ");
  const encoded = encodedWords(mid, charset, mode).join(" ");
  const out = [head, encoded, tail].filter((s) => s.length > 0).join(" ");
  if (unstructuredCache.size < 20_000) unstructuredCache.set(key, out);
  return out;
}

const SPECIALS = /[()<>[\]:;@\\,."]/;

/** Display-name phrase: atom(s), quoted-string, or encoded-words. */
export function encodePhrase(name: string, charset: Charset = "UTF-8", mode?: "B" | "Q"): string {
  if (isAscii(name)) {
    if (!SPECIALS.test(name)) return name;
    return `"${name.replace(/(["\\])/g, "\\$1")}"`;
  }
  // Latin-ish names read better as Q; CJK, Cyrillic, emoji are shorter as B
  const latinish = /^[\u0020-\u024f]*$/.test(name);
  return encodedWords(name, charset, mode ?? (latinish ? "Q" : "B")).join(" ");
}

export function formatAddress(
  name: string | undefined,
  email: string,
  charset: Charset = "UTF-8",
): string {
  if (!name) return `<${email}>`;
  return `${encodePhrase(name, charset)} <${email}>`;
}

/** `Name: value` folded at spaces so lines stay within 78 chars where possible. */
export function header(name: string, value: string): string {
  const line = `${name}: ${value}`;
  if (line.length <= 78) return line;
  const tokens = line.split(" ");
  let out = tokens[0] as string;
  let lineLen = out.length;
  for (let i = 1; i < tokens.length; i++) {
    const tok = tokens[i] as string;
    // never fold straight after "Name:" — a long first token just makes a long first line
    if (lineLen + 1 + tok.length > 78 && i > 1) {
      out += `${CRLF} ${tok}`;
      lineLen = 1 + tok.length;
    } else {
      out += ` ${tok}`;
      lineLen += 1 + tok.length;
    }
  }
  return out;
}

/** RFC 2231 extended parameter (`filename*=UTF-8''...`) when the value is not plain ASCII. */
export function param(name: string, value: string): string {
  if (isAscii(value) && !/["\\\r\n]/.test(value)) return `${name}="${value}"`;
  const pct = Array.from(Buffer.from(value, "utf8"))
    .map((b) =>
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      b === 0x2e ||
      b === 0x2d ||
      b === 0x5f
        ? String.fromCharCode(b)
        : `%${HEX[b >> 4]}${HEX[b & 15]}`,
    )
    .join("");
  return `${name}*=UTF-8''${pct}`;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** RFC 5322 date-time for `ms` (epoch millis) as seen in a zone `offsetMinutes` east of UTC. */
export function formatDate(ms: number, offsetMinutes: number): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad2(
    d.getUTCHours(),
  )}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`;
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c] ?? c);
}
