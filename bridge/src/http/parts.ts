/**
 * `GET /api/parts?mailbox=&uidValidity=&uid=&part=[&download=1]`: one MIME part of a message
 * (attachments, inline cid: images), or with `part=raw` the whole RFC 822 source ("Show
 * original"), streamed from IMAP in partial `BODY.PEEK[…]<offset.length>` FETCHes (never
 * setting \Seen) of at most CHUNK_BYTES, never buffered whole.
 *
 * - The mailbox lock is taken per FETCH, never across a wait on the browser, so a slow download
 *   does not hold up the session's other requests; every FETCH re-checks UIDVALIDITY.
 * - Transfer encodings are removed here, not with BINARY: Dovecot 2.3 answers a BINARY request
 *   on a message with any broken base64 part (even another one) with BYE, closing the session.
 * - Exact sizes, so Content-Length and Range (one range, 206) work, for: the raw source
 *   (RFC822.SIZE); parts without a transfer encoding (their BODYSTRUCTURE size); parts up to
 *   CHUNK_BYTES encoded (fetched in one FETCH and decoded); and larger base64 parts whose lines
 *   all have one length (what every mailer writes), where the decoded size and the line holding
 *   any offset follow from the first and last lines. Anything else (large quoted-printable,
 *   irregular base64) is decoded as it streams, chunked, and Range is ignored (a full 200, as
 *   RFC 9110 allows).
 * - Only images (png, jpeg, gif, webp, avif, bmp; never SVG) and PDFs are served inline, with
 *   their type, and the raw source as text/plain for "Show original". Everything else, and
 *   anything asked for with download=1, is a download: `Content-Disposition: attachment` with
 *   the real file name and `Content-Type: application/octet-stream`, whatever the sender
 *   declared, so no part (text/javascript, text/html, …) can be used by a page as a script,
 *   style or document. Every reply carries nosniff and `Content-Security-Policy: default-src
 *   'none'; sandbox`, except an inline PDF (see PDF_CSP).
 * - Replies are `Cache-Control: private, no-store`: mail is never left in the browser's HTTP
 *   cache, where the next person on a shared computer could read it after sign-out (or after a
 *   session simply expired). The ETag still lets a client revalidate what it kept in memory.
 * - A browser that goes away stops the loop after the FETCH in flight; every FETCH is a whole
 *   IMAP command, so the connection stays usable.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { stripInvisible, type TErrorCode, type THttpError } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { BridgeError, httpStatusOf, isBridgeError } from "../errors";
import { commandError } from "../imap/errors";
import { assertUidValidity, withMailbox } from "../imap/mailbox-access";
import { findPart, isLeaf, toBodyPart } from "../imap/structure";
import { Base64Decoder, replaceControlChars, transferDecoder } from "../imap/text";

/** Runs `fn` with the session's connected IMAP client (the session's `run`). */
export type RunWithClient = <T>(fn: (client: ImapFlow) => Promise<T>) => Promise<T>;

/** Bytes asked of the server per FETCH; parts up to this size (encoded) are fetched whole. */
export const CHUNK_BYTES = 256 * 1024;
/** What is served inline (previews) besides PDF; anything else is a download. */
const INLINE_TYPES = new Set([
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/avif",
  "image/bmp",
]);

/** The type every download is served with: the browser saves it and runs nothing. */
const DOWNLOAD_TYPE = "application/octet-stream";

const SANDBOXED_CSP = "default-src 'none'; sandbox";

/**
 * The CSP of a PDF shown inline (the "open in a new tab" preview), deliberately without
 * `sandbox`. Checked in Chromium 156: a PDF whose CSP has `sandbox` (alone, or with
 * `object-src 'self'`) is not shown at all (the tab stays blank: the viewer, an extension
 * frame, is never loaded into a sandboxed document), while without it the viewer loads. A
 * sandbox would thus cost the preview for what it would add, which is little:
 * - the document Chromium wraps around the viewer is its own, holding no content of the mail,
 *   and `default-src 'none'` still lets it load nothing but its viewer (object-src 'self');
 * - scripts inside a PDF run in the viewer's own interpreter (PDFium), which has no access to
 *   this origin's DOM, cookies (HttpOnly anyway) or storage;
 * - the reply cannot be framed (X-Frame-Options: DENY from the API's headers) and is opened by
 *   the app with noopener, so the tab has no handle on the app;
 * - with nosniff, a part declared application/pdf that is really HTML is handed to the viewer,
 *   which fails to parse it; it is never rendered as a page.
 * Downloads (download=1) of a PDF stay sandboxed octet-stream like every other download.
 */
const PDF_CSP = "default-src 'none'; object-src 'self'";

const PART_SPEC = /^[1-9][0-9]{0,4}(\.[1-9][0-9]{0,4}){0,31}$/;
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

interface PartRequest {
  mailbox: string;
  uidValidity: number;
  uid: number;
  /** "raw" or an IMAP part number such as "2" or "1.2". */
  part: string;
  download: boolean;
}

/** Where the lines of a regular base64 part fall. */
export interface Base64Layout {
  /** Base64 characters per line (a multiple of 4). */
  lineChars: number;
  /** Encoded bytes per line, line break included. */
  stride: number;
  /** Lines before the last one, all `lineChars` long. */
  fullLines: number;
  /** Decoded bytes of each full line. */
  bytesPerLine: number;
  decodedSize: number;
}

/** How a request's bytes are produced. */
type Plan =
  /** The source, `BODY.PEEK[]<…>`. */
  | { kind: "raw"; size: number }
  /** A part without transfer encoding, `BODY.PEEK[part]<…>` as stored. */
  | { kind: "identity"; size: number }
  /** A small part fetched whole and decoded. */
  | { kind: "buffer"; data: Buffer }
  /** A large base64 part with regular lines. */
  | { kind: "base64"; encodedSize: number; layout: Base64Layout }
  /** Decoded while streaming; size unknown. */
  | { kind: "stream"; encoding: string | null };

interface PartMeta {
  type: string;
  filename: string;
  plan: Plan;
}

function fail(code: TErrorCode, message: string): never {
  throw new BridgeError(code, message);
}

/** Parses and validates the query string. */
export function parsePartRequest(url: string | undefined): PartRequest {
  const query = new URL(url ?? "/", "http://bridge.invalid").searchParams;
  const mailbox = query.get("mailbox") ?? "";
  const uidValidity = Number(query.get("uidValidity") ?? "");
  const uid = Number(query.get("uid") ?? "");
  const part = (query.get("part") ?? "").trim();
  if (mailbox === "" || mailbox.length > 1024)
    fail("bad_request", "The mailbox is missing or too long.");
  if (!Number.isInteger(uidValidity) || uidValidity < 0 || uidValidity > 0xffffffff) {
    fail("bad_request", "The uidValidity is not valid.");
  }
  if (!Number.isInteger(uid) || uid < 1 || uid > 0xffffffff)
    fail("bad_request", "The uid is not valid.");
  if (part !== "raw" && !PART_SPEC.test(part)) fail("bad_request", "The part is not valid.");
  const download = query.get("download");
  return { mailbox, uidValidity, uid, part, download: download === "1" || download === "true" };
}

const BASE64_LINE = /^[A-Za-z0-9+/]+$/;
const BASE64_LAST = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The layout of a base64 part of `size` encoded bytes from its first bytes (`head`) and its last
 * bytes (`tail`, at least two lines), or null unless every line before the last has the first
 * line's length and the last line is whole.
 */
export function base64Layout(head: Buffer, tail: Buffer, size: number): Base64Layout | null {
  const headText = head.toString("latin1");
  const lineChars = headText.indexOf("\r\n");
  if (lineChars <= 0 || lineChars % 4 !== 0) return null;
  const stride = lineChars + 2;
  const headLines = headText.split("\r\n").slice(0, -1);
  if (!headLines.every((line) => line.length === lineChars && BASE64_LINE.test(line))) return null;

  const tailText = tail.toString("latin1");
  const trimmed = tailText.replace(/[\r\n\t ]+$/, "");
  const trailing = tailText.length - trimmed.length;
  const lastBreak = trimmed.lastIndexOf("\r\n");
  if (lastBreak < 0) return null;
  const last = trimmed.slice(lastBreak + 2);
  if (
    last.length === 0 ||
    last.length > lineChars ||
    last.length % 4 !== 0 ||
    !BASE64_LAST.test(last)
  ) {
    return null;
  }
  const previous = trimmed.slice(0, lastBreak);
  const previousLine = previous.slice(previous.lastIndexOf("\r\n") + 2);
  if (
    previous.includes("\r\n") &&
    (previousLine.length !== lineChars || !BASE64_LINE.test(previousLine))
  ) {
    return null;
  }
  const prefix = size - trailing - last.length;
  if (prefix < 0 || prefix % stride !== 0) return null;
  const fullLines = prefix / stride;
  const bytesPerLine = (lineChars / 4) * 3;
  return {
    lineChars,
    stride,
    fullLines,
    bytesPerLine,
    decodedSize: fullLines * bytesPerLine + Buffer.from(last, "base64").length,
  };
}

/** One partial FETCH of the part (encoded, as stored) or of the source. */
async function fetchRange(
  client: ImapFlow,
  req: PartRequest,
  start: number,
  length: number,
): Promise<Buffer> {
  // resolvePart() brought the connection up to date; a NOOP per chunk would only cost time.
  return withMailbox(client, req.mailbox, { refresh: false }, async (mailbox) => {
    assertUidValidity(mailbox, req.uidValidity);
    return fetchRangeLocked(client, req, start, length);
  });
}

async function fetchRangeLocked(
  client: ImapFlow,
  req: PartRequest,
  start: number,
  length: number,
): Promise<Buffer> {
  if (req.part === "raw") {
    const msg = await client.fetchOne(
      String(req.uid),
      { uid: true, source: { start, maxLength: length } },
      { uid: true },
    );
    if (!msg) fail("message_not_found", "This message no longer exists.");
    return msg.source ?? Buffer.alloc(0);
  }
  const msg = await client.fetchOne(
    String(req.uid),
    { uid: true, bodyParts: [{ key: req.part, start, maxLength: length }] },
    { uid: true },
  );
  if (!msg) fail("message_not_found", "This message no longer exists.");
  return msg.bodyParts?.get(req.part) ?? Buffer.alloc(0);
}

function decodeWhole(data: Buffer, encoding: string | null): Buffer {
  const decoder = transferDecoder(encoding);
  return Buffer.concat([decoder.write(data), decoder.end()]);
}

/** Looks the part up in BODYSTRUCTURE and chooses how to serve it (see the module comment). */
async function resolvePart(client: ImapFlow, req: PartRequest): Promise<PartMeta> {
  return withMailbox(client, req.mailbox, {}, async (mailbox) => {
    assertUidValidity(mailbox, req.uidValidity);
    const msg = await client.fetchOne(
      String(req.uid),
      { uid: true, size: true, bodyStructure: true },
      { uid: true },
    );
    if (!msg || msg.uid !== req.uid) fail("message_not_found", "This message no longer exists.");
    if (req.part === "raw") {
      return {
        type: "message/rfc822",
        filename: `message-${req.uid}.eml`,
        plan: { kind: "raw", size: msg.size ?? 0 },
      };
    }
    const node = findPart(toBodyPart(msg.bodyStructure), req.part);
    if (!node || (!isLeaf(node) && node.type !== "message/rfc822")) {
      fail("malformed_message", "This message has no such part.");
    }
    const meta = {
      type: MIME_TYPE.test(node.type) ? node.type : "application/octet-stream",
      filename: node.filename ?? `part-${req.part}`,
    };
    const encoding = (node.encoding ?? "").toLowerCase();
    const size = node.size;
    let plan: Plan;
    if (encoding !== "base64" && encoding !== "quoted-printable") {
      // No transfer encoding (or one nobody can undo): the stored bytes are the content.
      plan = { kind: "identity", size };
    } else if (size <= CHUNK_BYTES) {
      const data = await fetchRangeLocked(client, req, 0, CHUNK_BYTES);
      plan = { kind: "buffer", data: decodeWhole(data, encoding) };
    } else if (encoding === "base64") {
      const head = await fetchRangeLocked(client, req, 0, 4096);
      const tailLength = Math.min(size, 1024);
      const tail = await fetchRangeLocked(client, req, size - tailLength, tailLength);
      const layout = base64Layout(head, tail, size);
      plan = layout ? { kind: "base64", encodedSize: size, layout } : { kind: "stream", encoding };
    } else {
      plan = { kind: "stream", encoding };
    }
    return { ...meta, plan };
  });
}

// ---------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------

function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * `Content-Disposition` with an ASCII `filename="…"` fallback and an RFC 5987 `filename*`.
 * Quotes, backslashes, slashes, control and invisible format characters (bidi overrides that
 * would make "invoice\u202Efdp.exe" save as "invoiceexe.pdf") never reach either form.
 */
export function contentDisposition(kind: "inline" | "attachment", filename: string): string {
  const safe = stripInvisible(replaceControlChars(filename, ""))
    .replace(/[/\\]+/g, "_")
    .replace(/^\.+/, "")
    .trim()
    .slice(0, 200);
  const name = safe === "" ? "download" : safe;
  const ascii =
    name
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\x20-\x7e]/g, "_")
      .replace(/["%;]/g, "_")
      .trim() || "download";
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${percentEncode(name)}`;
}

interface ByteRange {
  start: number;
  end: number;
}

/** A single `bytes=` range against `size`; null to serve everything, "unsatisfiable" for 416. */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | null | "unsatisfiable" {
  if (header === undefined) return null;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return null; // several ranges or another unit: serve the whole part
  const [, a = "", b = ""] = match;
  if (a === "" && b === "") return null;
  if (a === "") {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

function sendError(res: ServerResponse, err: unknown): void {
  const bridgeError = isBridgeError(err) ? err : commandError(err);
  if (res.headersSent) {
    res.destroy(bridgeError);
    return;
  }
  const body: THttpError = { error: { code: bridgeError.code, message: bridgeError.message } };
  const text = JSON.stringify(body);
  res.writeHead(httpStatusOf(bridgeError.code), {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": SANDBOXED_CSP,
  });
  res.end(text);
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** Writes a buffer, waiting out backpressure; false when the browser went away. */
async function write(res: ServerResponse, data: Buffer): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (data.length === 0) return true;
  if (!res.write(data)) await waitForDrain(res);
  return !res.destroyed;
}

/** Produces the bytes `start…end` (inclusive) of a sized plan, in chunks. */
type ChunkSource = (start: number, end: number) => AsyncGenerator<Buffer>;

function sizedSource(
  run: RunWithClient,
  req: PartRequest,
  plan: Exclude<Plan, { kind: "stream" }>,
): {
  size: number;
  read: ChunkSource;
} {
  switch (plan.kind) {
    case "buffer":
      return {
        size: plan.data.length,
        read: async function* (start, end) {
          yield plan.data.subarray(start, end + 1);
        },
      };
    case "raw":
    case "identity":
      return {
        size: plan.size,
        read: async function* (start, end) {
          for (let offset = start; offset <= end; ) {
            const from = offset;
            const chunk = await run((client) =>
              fetchRange(client, req, from, Math.min(CHUNK_BYTES, end - from + 1)),
            );
            if (chunk.length === 0) return;
            yield chunk.subarray(0, end - from + 1);
            offset += chunk.length;
          }
        },
      };
    case "base64": {
      const { layout, encodedSize } = plan;
      const linesPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / layout.stride));
      return {
        size: layout.decodedSize,
        read: async function* (start, end) {
          // Whole lines from the one holding `start` to the one holding `end`.
          let line = Math.floor(start / layout.bytesPerLine);
          const lastLine = Math.min(Math.floor(end / layout.bytesPerLine), layout.fullLines);
          let skip = start - line * layout.bytesPerLine;
          let remaining = end - start + 1;
          while (line <= lastLine && remaining > 0) {
            const lines = Math.min(linesPerChunk, lastLine - line + 1);
            const from = line * layout.stride;
            const length = Math.min(lines * layout.stride, encodedSize - from);
            const encoded = await run((client) => fetchRange(client, req, from, length));
            if (encoded.length === 0) return;
            const decoder = new Base64Decoder();
            let decoded = Buffer.concat([decoder.write(encoded), decoder.end()]);
            decoded = decoded.subarray(skip, skip + remaining);
            skip = 0;
            remaining -= decoded.length;
            yield decoded;
            line += lines;
          }
        },
      };
    }
  }
}

/**
 * Answers one parts request. `run` gives the session's IMAP client (the core's `session.run`);
 * authentication happened before this is called.
 */
export async function handlePartRequest(
  req: IncomingMessage,
  res: ServerResponse,
  run: RunWithClient,
): Promise<void> {
  let aborted = false;
  res.on("close", () => {
    if (!res.writableFinished) aborted = true;
  });
  try {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      throw new BridgeError("bad_request", "Only GET and HEAD are allowed here.");
    }
    const part = parsePartRequest(req.url);
    const meta = await run((client) => resolvePart(client, part));

    const etag = `"${part.uidValidity}-${part.uid}-${part.part}"`;
    const pdf = meta.type === "application/pdf";
    const inline = !part.download && (part.part === "raw" || pdf || INLINE_TYPES.has(meta.type));
    let contentType: string;
    if (!inline) contentType = DOWNLOAD_TYPE;
    else if (part.part === "raw") contentType = "text/plain; charset=utf-8";
    else contentType = meta.type;
    const filename =
      part.part === "raw" && !part.download ? `message-${part.uid}.txt` : meta.filename;
    const headers: Record<string, string | number> = {
      "Content-Type": contentType,
      "Content-Disposition": contentDisposition(inline ? "inline" : "attachment", filename),
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": pdf && inline ? PDF_CSP : SANDBOXED_CSP,
      "Cross-Origin-Resource-Policy": "same-origin",
      "Referrer-Policy": "no-referrer",
      "Cache-Control": "private, no-store",
      Vary: "Cookie",
      ETag: etag,
      "Accept-Ranges": meta.plan.kind === "stream" ? "none" : "bytes",
    };

    const ifNoneMatch = req.headers["if-none-match"];
    if (ifNoneMatch?.split(",").some((t) => t.trim() === etag || t.trim() === "*")) {
      res.writeHead(304, {
        ETag: etag,
        "Cache-Control": headers["Cache-Control"] as string,
        Vary: "Cookie",
      });
      res.end();
      return;
    }

    if (meta.plan.kind === "stream") {
      await sendStreamed(req, res, run, part, meta.plan.encoding, headers, () => aborted);
    } else {
      await sendSized(req, res, sizedSource(run, part, meta.plan), headers, () => aborted);
    }
  } catch (err) {
    if (!aborted) sendError(res, err);
    else res.destroy();
  }
}

/** Content of known size: Content-Length and a single Range. */
async function sendSized(
  req: IncomingMessage,
  res: ServerResponse,
  source: { size: number; read: ChunkSource },
  headers: Record<string, string | number>,
  isAborted: () => boolean,
): Promise<void> {
  const { size } = source;
  const ifRange = req.headers["if-range"];
  const rangeHeader =
    ifRange === undefined || ifRange === headers.ETag ? req.headers.range : undefined;
  const range = parseRange(rangeHeader, size);
  if (range === "unsatisfiable") {
    res.writeHead(416, { ...headers, "Content-Range": `bytes */${size}`, "Content-Length": 0 });
    res.end();
    return;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  const length = Math.max(0, end - start + 1);
  const status = range ? 206 : 200;
  const replyHeaders: Record<string, string | number> = { ...headers, "Content-Length": length };
  if (range) replyHeaders["Content-Range"] = `bytes ${start}-${end}/${size}`;
  if (req.method === "HEAD" || length === 0) {
    res.writeHead(status, replyHeaders);
    res.end();
    return;
  }
  const chunks = source.read(start, end);
  // The first chunk comes before the head is written, so a failure is still a clean error.
  let next = await chunks.next();
  res.writeHead(status, replyHeaders);
  let sent = 0;
  while (!next.done) {
    if (!(await write(res, next.value)) || isAborted()) {
      await chunks.return(undefined);
      return;
    }
    sent += next.value.length;
    next = await chunks.next();
    if (isAborted()) return;
  }
  // The server had less than it announced: end the reply short rather than pass it off whole.
  if (sent !== length) res.destroy();
  else res.end();
}

/** Content of unknown size (decoded while streaming): chunked, no Range. */
async function sendStreamed(
  req: IncomingMessage,
  res: ServerResponse,
  run: RunWithClient,
  part: PartRequest,
  encoding: string | null,
  headers: Record<string, string | number>,
  isAborted: () => boolean,
): Promise<void> {
  if (req.method === "HEAD") {
    res.writeHead(200, headers);
    res.end();
    return;
  }
  const decoder = transferDecoder(encoding);
  let offset = 0;
  let chunk = await run((client) => fetchRange(client, part, 0, CHUNK_BYTES));
  res.writeHead(200, headers);
  for (;;) {
    if (!(await write(res, decoder.write(chunk))) || isAborted()) return;
    offset += chunk.length;
    if (chunk.length < CHUNK_BYTES) break;
    const from = offset;
    chunk = await run((client) => fetchRange(client, part, from, CHUNK_BYTES));
    if (isAborted()) return;
  }
  if (!(await write(res, decoder.end()))) return;
  res.end();
}
