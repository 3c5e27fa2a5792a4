/**
 * What a `/api/parts` request serves and how its bytes come from IMAP (parts.ts answers the HTTP
 * side): the request's query checked, the part looked up in BODYSTRUCTURE, and a plan chosen for
 * producing its bytes in partial `BODY.PEEK[…]<offset.length>` FETCHes of at most CHUNK_BYTES
 * (never setting \Seen, never buffered whole).
 *
 * - The mailbox lock is taken per FETCH, never across a wait on the browser, so a slow download
 *   does not hold up the session's other requests; every FETCH re-checks UIDVALIDITY.
 * - Transfer encodings are removed here, not with BINARY: Dovecot 2.3 answers a BINARY request
 *   on a message with any broken base64 part (even another one) with BYE, closing the session.
 * - Exact sizes, so Content-Length and Range work, for: the raw source (RFC822.SIZE); parts
 *   without a transfer encoding (their BODYSTRUCTURE size); parts up to CHUNK_BYTES encoded
 *   (fetched in one FETCH and decoded); and larger base64 parts whose lines all have one length
 *   (what every mailer writes), where the decoded size and the line holding any offset follow
 *   from the first and last lines. Anything else (large quoted-printable, irregular base64) is
 *   decoded as it streams, and its size is unknown.
 */
import type { TErrorCode } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { BridgeError } from "../errors";
import { assertUidValidity, withMailbox } from "../imap/mailbox-access";
import { findPart, isLeaf, toBodyPart } from "../imap/structure";
import { Base64Decoder, transferDecoder } from "../imap/text";

/** Runs `fn` with the session's connected IMAP client (the session's `run`). */
export type RunWithClient = <T>(fn: (client: ImapFlow) => Promise<T>) => Promise<T>;

/** Bytes asked of the server per FETCH; parts up to this size (encoded) are fetched whole. */
export const CHUNK_BYTES = 256 * 1024;
const PART_SPEC = /^[1-9][0-9]{0,4}(\.[1-9][0-9]{0,4}){0,31}$/;
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

export interface PartRequest {
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
export type Plan =
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

export interface PartMeta {
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
export async function fetchRange(
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
export async function resolvePart(client: ImapFlow, req: PartRequest): Promise<PartMeta> {
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

/** Produces the bytes `start…end` (inclusive) of a sized plan, in chunks. */
export type ChunkSource = (start: number, end: number) => AsyncGenerator<Buffer>;

export function sizedSource(
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
