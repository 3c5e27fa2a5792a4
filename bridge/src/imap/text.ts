/**
 * Text helpers for the read path: charset decoding that never fails (an unknown or missing
 * charset falls back to UTF-8 when the bytes are valid UTF-8, else windows-1252), streaming
 * base64 and quoted-printable decoders, and the short plain-text preview of a list row.
 * Nothing here produces HTML, and nothing here is a sanitizer: HTML is only reduced to text
 * for a preview.
 */
import { TextDecoder } from "node:util";

/** Replaces every C0 control character and DEL (runs of them) with `replacement`. */
export function replaceControlChars(text: string, replacement: string): string {
  let out = "";
  let inRun = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) {
      if (!inRun) out += replacement;
      inRun = true;
    } else {
      out += text[i];
      inRun = false;
    }
  }
  return out;
}

const UTF8_LABELS = new Set(["utf-8", "utf8", "unicode-1-1-utf-8"]);
const ASCII_LABELS = new Set(["us-ascii", "ascii", "us_ascii", "ansi_x3.4-1968", "iso646-us"]);

function normalizeCharset(charset: string | null | undefined): string {
  return (charset ?? "")
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, "");
}

/** The part of TextDecoder used here. */
interface ByteDecoder {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

/** windows-1252 bytes 0x80–0x9F (Node's TextDecoder decodes this label as plain Latin-1). */
const CP1252_HIGH =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

const windows1252: ByteDecoder = {
  decode(input?: Uint8Array): string {
    if (!input || input.length === 0) return "";
    return Buffer.from(input.buffer, input.byteOffset, input.length)
      .toString("latin1")
      .replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
  },
};

const LATIN1_LABELS = new Set([
  "windows-1252",
  "cp1252",
  "x-cp1252",
  "iso-8859-1",
  "iso8859-1",
  "latin1",
  "l1",
]);

/** A decoder for a declared charset, or null when the platform does not know it. */
function declaredDecoder(charset: string): ByteDecoder | null {
  // Mail labelled Latin-1 is in practice windows-1252 (as WHATWG Encoding defines the label).
  if (LATIN1_LABELS.has(charset)) return windows1252;
  try {
    return new TextDecoder(charset);
  } catch {
    return null;
  }
}

function isValidUtf8(bytes: Uint8Array, final: boolean): boolean {
  try {
    // Unless this is all there is, a sequence cut at the end of the sample is not an error.
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: !final });
    return true;
  } catch {
    return false;
  }
}

/**
 * Streaming bytes → string decoding for one text part. A declared charset the platform knows
 * (other than US-ASCII and UTF-8, which mail in the wild mislabels) is used as declared;
 * otherwise the first SAMPLE_BYTES decide: UTF-8 if they are valid UTF-8, else windows-1252
 * (a superset of Latin-1 that decodes every byte).
 * Multi-byte sequences split across chunks are carried over, never broken.
 */
export class TextPartDecoder {
  private decoder: ByteDecoder | null = null;
  private sample: Buffer[] = [];
  private sampleBytes = 0;
  private readonly charset: string;

  /** Bytes looked at before choosing a decoder for an unknown or untrusted charset. */
  static readonly SAMPLE_BYTES = 4096;

  private readonly html: boolean;

  /** `html`: a charset missing from the MIME header may come from a `<meta>` in the sample. */
  constructor(charset: string | null | undefined, opts: { html?: boolean } = {}) {
    this.charset = normalizeCharset(charset);
    this.html = opts.html === true;
    const label = this.charset;
    if (label !== "" && !ASCII_LABELS.has(label) && !UTF8_LABELS.has(label)) {
      this.decoder = declaredDecoder(label);
    }
  }

  private pick(sample: Uint8Array, final: boolean): ByteDecoder {
    if (this.html && !UTF8_LABELS.has(this.charset)) {
      const meta = metaCharset(Buffer.from(sample.buffer, sample.byteOffset, sample.length));
      if (meta !== null && !ASCII_LABELS.has(meta) && !UTF8_LABELS.has(meta)) {
        const declared = declaredDecoder(meta);
        if (declared) return declared;
      }
    }
    return isValidUtf8(sample, final) ? new TextDecoder("utf-8") : windows1252;
  }

  /** Decodes the next chunk; an incomplete trailing sequence waits for the next call. */
  write(chunk: Uint8Array): string {
    if (this.decoder !== null) return this.decoder.decode(chunk, { stream: true });
    this.sample.push(Buffer.from(chunk));
    this.sampleBytes += chunk.length;
    if (this.sampleBytes < TextPartDecoder.SAMPLE_BYTES) return "";
    const sample = Buffer.concat(this.sample);
    this.sample = [];
    this.decoder = this.pick(sample, false);
    return this.decoder.decode(sample, { stream: true });
  }

  /**
   * Flushes what is left: an incomplete sequence becomes U+FFFD, or is dropped when `truncated`
   * (the bytes are the start of a longer part, cut anywhere).
   */
  end(truncated = false): string {
    if (this.decoder === null) {
      const sample = Buffer.concat(this.sample);
      this.sample = [];
      this.decoder = this.pick(sample, !truncated);
      const text = this.decoder.decode(sample, { stream: truncated });
      return truncated ? text : text + this.decoder.decode();
    }
    return truncated ? "" : this.decoder.decode();
  }
}

/** The charset an HTML document names in a `<meta>` near its start, lower-case, or null. */
export function metaCharset(sample: Buffer): string | null {
  const head = sample.toString("latin1");
  const match = /<meta\b[^>]*?charset\s*=\s*["']?\s*([a-z0-9._:-]{1,40})/i.exec(head);
  return match?.[1] ? match[1].toLowerCase() : null;
}

/**
 * Decodes a byte buffer with the same fallbacks as TextPartDecoder; `truncated` when it is only
 * the start of the text (a character cut at the end is dropped, not replaced).
 */
export function decodeText(
  bytes: Uint8Array,
  charset: string | null | undefined,
  truncated = false,
  opts: { html?: boolean } = {},
): string {
  const decoder = new TextPartDecoder(charset, opts);
  return decoder.write(bytes) + decoder.end(truncated);
}

// ---------------------------------------------------------------------------------------------
// Transfer encodings
// ---------------------------------------------------------------------------------------------

/** A streaming content-transfer-encoding decoder: push encoded bytes, get decoded bytes. */
export interface TransferDecoder {
  write(chunk: Buffer): Buffer;
  end(): Buffer;
}

const BASE64_CHAR = /[^A-Za-z0-9+/]/g;

/** base64, tolerant of line breaks, garbage characters and missing padding. */
export class Base64Decoder implements TransferDecoder {
  private rest = "";

  write(chunk: Buffer): Buffer {
    const text = this.rest + chunk.toString("latin1").replace(BASE64_CHAR, "");
    const usable = text.length - (text.length % 4);
    this.rest = text.slice(usable);
    return Buffer.from(text.slice(0, usable), "base64");
  }

  end(): Buffer {
    const rest = this.rest;
    this.rest = "";
    // A dangling single character carries no full byte.
    return rest.length >= 2 ? Buffer.from(rest, "base64") : Buffer.alloc(0);
  }
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** quoted-printable (RFC 2045), keeping malformed escapes as literal text. */
export class QuotedPrintableDecoder implements TransferDecoder {
  private rest: Buffer = Buffer.alloc(0);

  write(chunk: Buffer): Buffer {
    const input = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
    // Keep up to 2 bytes after a trailing "=" (an escape or soft break cut by the chunk).
    let keep = 0;
    const eq = input.lastIndexOf(0x3d);
    if (eq !== -1 && eq >= input.length - 2) keep = input.length - eq;
    this.rest = Buffer.from(input.subarray(input.length - keep));
    return decodeQP(input.subarray(0, input.length - keep));
  }

  end(): Buffer {
    const rest = this.rest;
    this.rest = Buffer.alloc(0);
    return decodeQP(rest);
  }
}

function decodeQP(input: Buffer): Buffer {
  const out = Buffer.alloc(input.length);
  let o = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as number;
    if (c !== 0x3d) {
      out[o++] = c;
      continue;
    }
    const a = input[i + 1];
    const b = input[i + 2];
    // Soft line break: "=\r\n" or "=\n" (trailing whitespace before the break is allowed).
    let j = i + 1;
    while (j < input.length && (input[j] === 0x20 || input[j] === 0x09)) j++;
    if (input[j] === 0x0d && input[j + 1] === 0x0a) {
      i = j + 1;
      continue;
    }
    if (input[j] === 0x0a) {
      i = j;
      continue;
    }
    if (a !== undefined && b !== undefined) {
      const hi = hexValue(a);
      const lo = hexValue(b);
      if (hi >= 0 && lo >= 0) {
        out[o++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[o++] = c;
  }
  return out.subarray(0, o);
}

/** The decoder for a Content-Transfer-Encoding; identity for 7bit/8bit/binary and unknown ones. */
export function transferDecoder(encoding: string | null | undefined): TransferDecoder {
  switch ((encoding ?? "").trim().toLowerCase()) {
    case "base64":
      return new Base64Decoder();
    case "quoted-printable":
      return new QuotedPrintableDecoder();
    default:
      return { write: (chunk) => chunk, end: () => Buffer.alloc(0) };
  }
}

/**
 * Decodes the first bytes of a part (a partial FETCH): the transfer encoding is undone as far
 * as whole units go. Unless `complete` (the part ended within the bytes), a quoted-printable
 * escape cut at the end is dropped rather than decoded as garbage; base64 leftovers always
 * decode to the correct leading bytes.
 */
export function decodePartial(
  bytes: Buffer,
  encoding: string | null | undefined,
  complete = false,
): Buffer {
  const enc = (encoding ?? "").trim().toLowerCase();
  if (enc === "base64") {
    const decoder = new Base64Decoder();
    return Buffer.concat([decoder.write(bytes), decoder.end()]);
  }
  if (enc === "quoted-printable") {
    const decoder = new QuotedPrintableDecoder();
    const head = decoder.write(bytes);
    return complete ? Buffer.concat([head, decoder.end()]) : head;
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Preview
// ---------------------------------------------------------------------------------------------

/** Length of a list row's preview, in characters. */
export const PREVIEW_LENGTH = 200;

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ndash: "–",
  mdash: "—",
  hellip: "…",
  laquo: "«",
  raquo: "»",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  bull: "•",
  middot: "·",
  copy: "©",
  reg: "®",
  trade: "™",
  euro: "€",
  zwnj: "",
  zwj: "",
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});?/gi, (match, body: string) => {
    if (body.startsWith("#")) {
      const code =
        body[1] === "x" || body[1] === "X"
          ? Number.parseInt(body.slice(2), 16)
          : Number(body.slice(1));
      if (
        !Number.isFinite(code) ||
        code <= 0 ||
        code > 0x10ffff ||
        (code >= 0xd800 && code <= 0xdfff)
      ) {
        return " ";
      }
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? match;
  });
}

/**
 * Reduces (possibly truncated) HTML to its visible text, for a preview only: the contents of
 * head, style, script, title and comments are dropped, tags are removed, entities decoded.
 */
export function htmlToText(html: string): string {
  let text = html
    .replace(/<!--[\s\S]*?(-->|$)/g, " ")
    .replace(/<(head|style|script|title|template|noscript)\b[\s\S]*?(<\/\1\s*>|$)/gi, " ")
    .replace(/<(br|\/p|\/div|\/tr|\/li|\/h[1-6]|\/td|hr)\b[^>]*>/gi, " ")
    .replace(/<[^>]*>/g, "");
  // A tag cut by the end of a partial fetch.
  text = text.replace(/<[^>]*$/, "");
  return decodeEntities(text);
}

/** Whitespace collapsed, invisible characters dropped, cut to PREVIEW_LENGTH on a word boundary. */
export function previewOf(text: string, max = PREVIEW_LENGTH): string {
  const collapsed = replaceControlChars(text, " ")
    .replace(/[\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff\ufffd]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (collapsed.length <= max) return collapsed;
  const cut = collapsed.slice(0, max);
  const space = cut.lastIndexOf(" ");
  const trimmed = space > max * 0.6 ? cut.slice(0, space) : cut;
  // Never end on half of a surrogate pair.
  return trimmed.replace(/[\ud800-\udbff]$/, "");
}

/** The preview of the first bytes of a text part, decoded as far as they go. */
export function previewFromPartial(
  bytes: Buffer,
  opts: { type: string; charset: string | null; encoding: string | null; complete?: boolean },
): string {
  const complete = opts.complete ?? false;
  const decoded = decodeText(
    decodePartial(bytes, opts.encoding, complete),
    opts.charset,
    !complete,
    {
      html: opts.type === "text/html",
    },
  );
  const text = opts.type === "text/html" ? htmlToText(decoded) : stripQuotedLines(decoded);
  return previewOf(text);
}

/** Drops quoted lines ("> …") from plain text so a reply's preview shows what is new. */
function stripQuotedLines(text: string): string {
  const lines = text.split(/\r?\n/);
  const own = lines.filter((line) => !line.startsWith(">"));
  return own.length > 0 ? own.join("\n") : text;
}
