/**
 * Opening a message, headers before bodies: one FETCH for envelope, flags, size, structure and
 * the References / List-Unsubscribe headers becomes a `message.header` frame; then each text
 * part the reader displays (see structure.ts for the choice) streams as `message.body` chunks of
 * about `chunkBytes` of UTF-8; then `message.end`.
 *
 * Frames are emitted without `id`: the caller (the socket dispatch) adds the request id. `emit`
 * may return a promise, which is awaited, so a caller can apply socket backpressure.
 *
 * Bodies are read with imapflow's download(): BODY.PEEK (never sets \Seen; marking read is a
 * separate flags.update), transfer encoding removed, format=flowed unwrapped and known charsets
 * converted to UTF-8. What it leaves undecoded (an unknown charset, bytes mislabelled as
 * US-ASCII or UTF-8) goes through TextPartDecoder: UTF-8 when valid, else windows-1252. A body
 * that fails midway ends with what was read (`done: true`) rather than failing the whole open.
 */

import type { TMessageBody, TMessageHeader, TMessageRef, TServerFrameOf } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { BridgeError } from "../errors";
import { commandError } from "./errors";
import { wireFlags } from "./flags";
import { assertUidValidity, withMailbox } from "./mailbox-access";
import { analyzeStructure, type BodyPartRef, toBodyPart, toEnvelope } from "./structure";
import { replaceControlChars, TextPartDecoder } from "./text";

type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

/** A frame of a message.open reply, before the caller adds the request id. */
export type OpenMessageFrame = WithoutId<
  TMessageHeader | TMessageBody | TServerFrameOf<"message.end">
>;

export interface OpenMessageOptions {
  /** Target size of one `message.body` chunk, in bytes of UTF-8 (default 64 KiB). */
  chunkBytes?: number;
  /** EXAMINE instead of SELECT; left out, the mode the mailbox is already selected in. */
  readOnly?: boolean;
}

export const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** Longest List-Unsubscribe value passed on. */
const MAX_HEADER_VALUE = 2048;
/** Most References ids passed on. */
const MAX_REFERENCES = 100;

function unfoldHeaders(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  const unfolded = raw.replace(/\r?\n[ \t]+/g, " ");
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(colon + 1).trim());
  }
  return out;
}

/** References, List-Unsubscribe and List-Id from the raw header fields imapflow returns. */
export function parseHeaderFields(raw: Buffer | undefined): {
  references: string[];
  listUnsubscribe: string | null;
  listId: string | null;
} {
  const headers = unfoldHeaders(raw ? raw.toString("utf8") : "");
  const references = (headers.get("references") ?? "").match(/<[^<>\s]+>/g) ?? [];
  const unsubscribe = replaceControlChars(headers.get("list-unsubscribe") ?? "", "").trim();
  const listId = replaceControlChars(headers.get("list-id") ?? "", "").trim();
  return {
    references: references.slice(-MAX_REFERENCES),
    listUnsubscribe: unsubscribe === "" ? null : unsubscribe.slice(0, MAX_HEADER_VALUE),
    listId: listId === "" ? null : listId.slice(0, MAX_HEADER_VALUE),
  };
}

/**
 * Collects decoded text into chunks of about `chunkBytes` UTF-8 bytes and emits them, holding
 * the latest one back so the last can carry `done: true`.
 */
class ChunkEmitter {
  private seq = 0;
  private pending: string | null = null;
  private buffer = "";
  private bufferBytes = 0;

  constructor(
    private readonly chunkBytes: number,
    private readonly send: (chunk: string, seq: number, done: boolean) => Promise<void>,
  ) {}

  async push(text: string): Promise<void> {
    if (text === "") return;
    this.buffer += text;
    this.bufferBytes += Buffer.byteLength(text, "utf8");
    while (this.bufferBytes >= this.chunkBytes) {
      const cut = cutAtBytes(this.buffer, this.chunkBytes);
      await this.flushPending();
      this.pending = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut);
      this.bufferBytes = Buffer.byteLength(this.buffer, "utf8");
    }
  }

  private async flushPending(): Promise<void> {
    if (this.pending === null) return;
    const chunk = this.pending;
    this.pending = null;
    await this.send(chunk, this.seq++, false);
  }

  async end(): Promise<void> {
    if (this.buffer !== "") {
      await this.flushPending();
      this.pending = this.buffer;
      this.buffer = "";
    }
    await this.send(this.pending ?? "", this.seq++, true);
    this.pending = null;
  }
}

/** The largest index ≤ the string whose UTF-8 prefix is at most `bytes` long, never in a pair. */
function cutAtBytes(text: string, bytes: number): number {
  let total = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i) as number;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (total + width > bytes) break;
    total += width;
    i += code >= 0x10000 ? 2 : 1;
  }
  return Math.max(i, 1);
}

/**
 * Streams a message to `emit`: `message.header`, then `message.body` chunks of each displayed
 * text part, then `message.end`. Throws BridgeError (uidvalidity_changed, message_not_found,
 * mailbox_not_found, connection_lost, …) before the header when the message cannot be opened.
 */
export async function openMessage(
  client: ImapFlow,
  ref: TMessageRef,
  emit: (frame: OpenMessageFrame) => void | Promise<void>,
  opts: OpenMessageOptions = {},
): Promise<void> {
  const chunkBytes = Math.max(1024, opts.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  await withMailbox(client, ref.mailbox, { readOnly: opts.readOnly }, async (mailbox) => {
    assertUidValidity(mailbox, ref.uidValidity);
    const message = await client.fetchOne(
      String(ref.uid),
      {
        uid: true,
        flags: true,
        envelope: true,
        bodyStructure: true,
        size: true,
        headers: ["references", "list-unsubscribe", "list-id"],
      },
      { uid: true },
    );
    if (!message || message.uid !== ref.uid) {
      throw new BridgeError("message_not_found", "This message no longer exists.");
    }
    const structure = toBodyPart(message.bodyStructure);
    // A message of one part has its text at TEXT. Said so here, download() need not FETCH the
    // BODYSTRUCTURE just read to find that out before the text (one round trip less).
    const single = !message.bodyStructure?.childNodes;
    const { bodyParts, attachments } = analyzeStructure(structure);
    const { references, listUnsubscribe, listId } = parseHeaderFields(message.headers);
    await emit({
      type: "message.header",
      ref,
      envelope: toEnvelope(message.envelope),
      flags: wireFlags(message.flags),
      size: typeof message.size === "number" && message.size >= 0 ? message.size : 0,
      structure,
      attachments,
      bodyParts,
      references,
      listUnsubscribe,
      listId,
    });

    for (const body of bodyParts) {
      const chunks = new ChunkEmitter(chunkBytes, (chunk, seq, done) =>
        Promise.resolve(
          emit({
            type: "message.body",
            ref,
            part: body.part,
            contentType: body.type,
            seq,
            chunk,
            done,
          }),
        ),
      );
      const fetchAs = single && body.part === "1" ? "TEXT" : body.part;
      await streamTextPart(client, ref.uid, body, fetchAs, chunks);
      await chunks.end();
    }
    await emit({ type: "message.end", ref });
  });
}

/**
 * Downloads one text part (`fetchAs`: its number, or TEXT for the body of a one-part message) and
 * feeds its decoded text to `chunks`; see the module comment.
 */
async function streamTextPart(
  client: ImapFlow,
  uid: number,
  body: BodyPartRef,
  fetchAs: string,
  chunks: ChunkEmitter,
): Promise<void> {
  let download: Awaited<ReturnType<ImapFlow["download"]>>;
  try {
    download = await client.download(String(uid), fetchAs, { uid: true });
  } catch (err) {
    throw commandError(err, "The mail server could not send this message.");
  }
  const content = download.content;
  if (!content) return;
  const decoder = new TextPartDecoder(download.meta.charset ?? null, {
    html: body.type === "text/html",
  });
  let emitFailure: { error: unknown } | undefined;
  try {
    for await (const chunk of content as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      try {
        await chunks.push(decoder.write(bytes));
      } catch (error) {
        // The caller could not take the frame (its socket went away): stop, and say so.
        emitFailure = { error };
        break;
      }
    }
  } catch (err) {
    content.destroy();
    if (!client.usable) throw commandError(err);
    // A decoding failure or a part cut short: keep what was read.
  }
  if (emitFailure) {
    content.destroy();
    throw emitFailure.error;
  }
  await chunks.push(decoder.end());
}
