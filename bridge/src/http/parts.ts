/**
 * `GET /api/parts?mailbox=&uidValidity=&uid=&part=[&download=1]`: one MIME part of a message
 * (attachments, inline cid: images), or with `part=raw` the whole RFC 822 source ("Show
 * original"), streamed as part-plan.ts produces it.
 *
 * - Content of known size has Content-Length and honours one Range (206); content decoded while
 *   streaming is chunked and Range is ignored (a full 200, as RFC 9110 allows).
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
import { stripInvisible, type THttpError } from "@ferry/protocol";
import { BridgeError, httpStatusOf, isBridgeError } from "../errors";
import { commandError } from "../imap/errors";
import { replaceControlChars, transferDecoder } from "../imap/text";
import {
  CHUNK_BYTES,
  type ChunkSource,
  fetchRange,
  type PartRequest,
  parsePartRequest,
  type RunWithClient,
  resolvePart,
  sizedSource,
} from "./part-plan";

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
