// Test-only helpers for the seeder's tests: a deliberately small, independent MIME reader
// (headers, multipart splitting, QP/base64/RFC 2047 decoding) so generated messages can be
// checked without pulling a mail parser into this package. Not used by production code.

export interface MimeNode {
  headers: Map<string, string[]>;
  /** lower-case "type/subtype" */
  type: string;
  params: Record<string, string>;
  /** raw body as a byte string */
  body: string;
  children: MimeNode[];
}

export function decodeQP(text: string): Buffer {
  const soft = text.replace(/=\r\n/g, "");
  const out: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const ch = soft[i] as string;
    if (ch === "=" && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(soft.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

function decoderFor(charset: string) {
  const cs = charset.toLowerCase();
  return new TextDecoder(cs === "iso-8859-1" ? "latin1" : cs);
}

/** Decodes RFC 2047 encoded-words (dropping white space between adjacent words). */
export function decodeWords(value: string): string {
  return value.replace(
    /=\?([^?]+)\?([BbQq])\?([^?]*)\?=(\s+(?==\?))?/g,
    (_m, cs: string, mode: string, body: string) => {
      const bytes =
        mode.toUpperCase() === "B"
          ? Buffer.from(body, "base64")
          : decodeQP(body.replace(/_/g, " "));
      return decoderFor(cs).decode(bytes);
    },
  );
}

function parseParams(value: string): { type: string; params: Record<string, string> } {
  const [type = "", ...rest] = value.split(";");
  const params: Record<string, string> = {};
  const re = /\s*([\w*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]+)/g;
  for (const m of rest.join(";").matchAll(re)) {
    const key = (m[1] as string).toLowerCase();
    let v = m[2] as string;
    if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, "$1");
    params[key] = v;
  }
  return { type: type.trim().toLowerCase(), params };
}

export function parseHeaders(section: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const unfolded = section.replace(/\r\n(?=[ \t])/g, "");
  for (const line of unfolded.split("\r\n")) {
    const i = line.indexOf(":");
    if (i <= 0) continue;
    const name = line.slice(0, i).toLowerCase();
    const list = headers.get(name) ?? [];
    list.push(line.slice(i + 1).trim());
    headers.set(name, list);
  }
  return headers;
}

export function headerValue(node: MimeNode, name: string): string | undefined {
  return node.headers.get(name.toLowerCase())?.[0];
}

/** Parses a message or body part (byte string, CRLF). Throws on an unterminated multipart. */
export function parseMime(raw: string): MimeNode {
  const split = raw.indexOf("\r\n\r\n");
  const headerSection = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? "" : raw.slice(split + 4);
  const headers = parseHeaders(headerSection);
  const { type, params } = parseParams(headers.get("content-type")?.[0] ?? "text/plain");
  const node: MimeNode = { headers, type, params, body, children: [] };
  if (type.startsWith("multipart/")) {
    const boundary = params.boundary;
    if (!boundary) throw new Error("multipart without boundary");
    const delim = `--${boundary}`;
    const lines = body.split("\r\n");
    let current: string[] | undefined;
    let closed = false;
    for (const line of lines) {
      if (line === delim || line === `${delim}--`) {
        if (current) node.children.push(parseMime(current.join("\r\n")));
        if (line === `${delim}--`) {
          closed = true;
          break;
        }
        current = [];
      } else current?.push(line);
    }
    if (!closed) throw new Error(`multipart boundary ${boundary} never closed`);
  }
  return node;
}

/** Transfer-decoded body bytes of a leaf. */
export function partBytes(node: MimeNode): Buffer {
  const cte = (headerValue(node, "content-transfer-encoding") ?? "7bit").toLowerCase();
  if (cte === "base64") return Buffer.from(node.body.replace(/\r\n/g, ""), "base64");
  if (cte === "quoted-printable") return decodeQP(node.body);
  return Buffer.from(node.body, "latin1");
}

/** Charset-decoded text of a text leaf (windows-1252 is decoded as Latin-1, like Node does). */
export function partText(node: MimeNode): string {
  return decoderFor(node.params.charset ?? "us-ascii").decode(partBytes(node));
}

/** All nodes, depth first. */
export function walk(node: MimeNode): MimeNode[] {
  return [node, ...node.children.flatMap(walk)];
}
