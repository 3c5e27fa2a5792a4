/**
 * The ManageSieve wire format (RFC 5804 §4) that client.ts speaks: response lines parsed into
 * tokens (atoms, quoted strings, literals, parentheses), a final line read as its status, strings
 * and literals written for commands, and server text cleaned before it is shown to anyone.
 */

/** Longest server explanation passed on in a BridgeError's message. */
const MAX_REASON_CHARS = 1000;

/** A token of a response line (RFC 5804 §4: atoms, quoted strings, literals, parentheses). */
export type Token =
  | { kind: "atom"; value: string }
  | { kind: "string"; value: string }
  | { kind: "open" }
  | { kind: "close" };

/** A response's last line: OK, NO or BYE, its response code and its human-readable text. */
export interface SieveStatus {
  status: "OK" | "NO" | "BYE";
  /** The response code (§1.3), e.g. `WARNINGS`, `QUOTA/MAXSIZE`, `NONEXISTENT`, upper-cased. */
  code: string | null;
  /** Strings inside the response code's parentheses (e.g. `SASL` data, `TAG`). */
  codeArgs: string[];
  text: string;
}

export interface SieveResponse extends SieveStatus {
  /** The lines before the status line, as tokens. */
  lines: Token[][];
}

/** Server text made safe to show: no control characters, at most MAX_REASON_CHARS. */
export function cleanReason(text: string): string {
  const clean = [...text]
    .filter((ch) => {
      const c = ch.codePointAt(0) ?? 0;
      const control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
      const bidi = (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
      return !control && !bidi && c !== 0x2028 && c !== 0x2029;
    })
    .join("")
    .trim();
  return clean.length > MAX_REASON_CHARS ? `${clean.slice(0, MAX_REASON_CHARS)}…` : clean;
}

/**
 * A quoted string (§4, `quoted`) when `value` may be one (no CR, LF or NUL, at most 1024
 * octets), else a non-synchronizing literal `{n+}` (§4, `literal-c2s`), which clients must use.
 */
export function sieveString(value: string): string {
  const bytes = Buffer.byteLength(value, "utf8");
  if (!/[\r\n\0]/.test(value) && bytes <= 1024) {
    return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  }
  return `{${bytes}+}\r\n${value}`;
}

/**
 * Parses one complete response line from `buf` starting at 0 (§4): tokens up to a CRLF outside
 * any literal. Returns null when more bytes are needed. Throws on a literal above `maxLiteral`.
 */
export function parseLine(
  buf: Buffer,
  maxLiteral: number,
): { tokens: Token[]; used: number } | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < buf.length) {
    const c = buf[i] as number;
    if (c === 0x0d) {
      if (i + 1 >= buf.length) return null;
      if (buf[i + 1] !== 0x0a) throw new Error("bare CR in response");
      return { tokens, used: i + 2 };
    }
    if (c === 0x0a) return { tokens, used: i + 1 };
    if (c === 0x20) {
      i++;
      continue;
    }
    if (c === 0x28) {
      tokens.push({ kind: "open" });
      i++;
      continue;
    }
    if (c === 0x29) {
      tokens.push({ kind: "close" });
      i++;
      continue;
    }
    if (c === 0x22) {
      // quoted (§4): "\" escapes only "\" and DQUOTE
      const bytes: number[] = [];
      let j = i + 1;
      for (;;) {
        if (j >= buf.length) return null;
        const d = buf[j] as number;
        if (d === 0x5c) {
          if (j + 1 >= buf.length) return null;
          bytes.push(buf[j + 1] as number);
          j += 2;
          continue;
        }
        if (d === 0x22) break;
        if (d === 0x0d || d === 0x0a) throw new Error("line break in a quoted string");
        bytes.push(d);
        j++;
      }
      tokens.push({ kind: "string", value: Buffer.from(bytes).toString("utf8") });
      i = j + 1;
      continue;
    }
    if (c === 0x7b) {
      // literal-s2c (§4): "{" number [ "+" ] "}" CRLF *OCTET
      const end = buf.indexOf(0x7d, i);
      if (end < 0) {
        if (buf.length - i > 24) throw new Error("bad literal");
        return null;
      }
      const spec = buf.subarray(i + 1, end).toString("latin1");
      if (!/^\d{1,12}\+?$/.test(spec)) throw new Error("bad literal");
      const size = Number(spec.replace("+", ""));
      if (size > maxLiteral) throw new Error("literal too large");
      if (end + 3 > buf.length) return null;
      if (buf[end + 1] !== 0x0d || buf[end + 2] !== 0x0a) throw new Error("bad literal");
      const start = end + 3;
      if (buf.length < start + size) return null;
      tokens.push({ kind: "string", value: buf.subarray(start, start + size).toString("utf8") });
      i = start + size;
      continue;
    }
    let j = i;
    while (j < buf.length) {
      const d = buf[j] as number;
      if (
        d === 0x20 ||
        d === 0x0d ||
        d === 0x0a ||
        d === 0x28 ||
        d === 0x29 ||
        d === 0x22 ||
        d === 0x7b
      )
        break;
      j++;
    }
    if (j >= buf.length) return null;
    tokens.push({ kind: "atom", value: buf.subarray(i, j).toString("utf8") });
    i = j;
  }
  return null;
}

/** The status of a final line (§4 `response-oknobye`), or null for a data line. */
export function statusOf(tokens: readonly Token[]): SieveStatus | null {
  const first = tokens[0];
  if (first?.kind !== "atom") return null;
  const status = first.value.toUpperCase();
  if (status !== "OK" && status !== "NO" && status !== "BYE") return null;
  let code: string | null = null;
  const codeArgs: string[] = [];
  let i = 1;
  if (tokens[i]?.kind === "open") {
    i++;
    for (; i < tokens.length && tokens[i]?.kind !== "close"; i++) {
      const t = tokens[i];
      if (t?.kind === "atom" && code === null) code = t.value.toUpperCase();
      else if (t?.kind === "string" || t?.kind === "atom") codeArgs.push(t.value);
    }
    i++;
  }
  const textToken = tokens[i];
  const text = textToken?.kind === "string" ? textToken.value : "";
  return { status, code, codeArgs, text };
}

/** A client→server literal (§4 `literal-c2s`): always `{n+}`, whatever the text holds. */
export function literal(value: string): string {
  return `{${Buffer.byteLength(value, "utf8")}+}\r\n${value}`;
}
