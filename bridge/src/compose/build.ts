/**
 * Building a message once: a ComposeDraft plus its resolved attachments → RFC 5322 bytes with
 * nodemailer's MailComposer (file and URL access turned off: only content the bridge hands it
 * is attached). Two views of the same build: `stored` keeps the Bcc header (the copy in Sent
 * and Drafts, so the user sees whom they Bcc'd), `wire` is the same bytes without it (what goes
 * to SMTP, whose envelope carries the Bcc recipients). Images the HTML shows by `cid:` go
 * inline, with the HTML in a multipart/related part.
 */
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { domainToASCII } from "node:url";
import type { TComposeDraft } from "@ferry/protocol";
import MailComposer from "nodemailer/lib/mail-composer";
import { BridgeError } from "../errors";
import { assertDraftHeaders, envelopeRecipients } from "./headers";
import { htmlToPlain } from "./text";

/** An attachment ready to be built: its bytes in memory or a stream the bridge opened. */
export interface ResolvedAttachment {
  filename: string;
  /** MIME type; message/rfc822 for a forwarded message. */
  type: string;
  size: number;
  content: Buffer | (() => Readable);
  /** An image the HTML shows (`cid:` it): sent inline with this Content-ID, next to the HTML. */
  contentId?: string;
}

export interface BuildInput {
  draft: TComposeDraft;
  attachments?: ResolvedAttachment[];
  /** Default: now. */
  date?: Date;
  /** Default: a new one in the From address's domain. */
  messageId?: string;
  /** Extra header fields (already validated by the caller), e.g. X-Ferry-Source on drafts. */
  headers?: Record<string, string>;
}

export interface BuiltMessage {
  messageId: string;
  /** With the Bcc header: for Sent and Drafts. */
  stored: Buffer;
  /** Without the Bcc header: for SMTP. */
  wire: Buffer;
  envelope: { from: string; to: string[] };
}

/** A new Message-ID in the domain of `address`. */
export function newMessageId(address: string): string {
  const domain = address.slice(address.lastIndexOf("@") + 1).toLowerCase();
  const ascii = domain.startsWith("[") ? domain : domainToASCII(domain) || "ferry.invalid";
  return `<${randomUUID()}@${ascii}>`;
}

/** Builds the message. Throws bad_request for an unsafe header (checked again here). */
export async function buildMessage(input: BuildInput): Promise<BuiltMessage> {
  const { draft } = input;
  assertDraftHeaders(draft);
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (/[\r\n\0]/.test(name + value)) throw new BridgeError("internal", "Unsafe header.");
  }
  const messageId = input.messageId ?? newMessageId(draft.from.address);
  let text = draft.text;
  if (draft.html !== null && text.trim() === "") text = await htmlToPlain(draft.html);

  const composer = new MailComposer({
    from: { name: draft.from.name, address: draft.from.address },
    to: draft.to.map((a) => ({ name: a.name, address: a.address })),
    cc: draft.cc.map((a) => ({ name: a.name, address: a.address })),
    bcc: draft.bcc.map((a) => ({ name: a.name, address: a.address })),
    subject: draft.subject,
    messageId,
    date: input.date ?? new Date(),
    ...(draft.inReplyTo === null ? {} : { inReplyTo: draft.inReplyTo }),
    ...(draft.references.length === 0 ? {} : { references: draft.references }),
    text,
    ...(draft.html === null ? {} : { html: draft.html }),
    attachments: (input.attachments ?? []).map((att) => ({
      filename: att.filename,
      contentType: att.type,
      contentDisposition: att.contentId === undefined ? "attachment" : "inline",
      ...(att.contentId === undefined ? {} : { cid: att.contentId }),
      content: typeof att.content === "function" ? att.content() : att.content,
    })),
    headers: input.headers ?? {},
    disableFileAccess: true,
    disableUrlAccess: true,
    newline: "win",
  });
  const root = composer.compile();
  root.keepBcc = true;
  let stored: Buffer;
  try {
    stored = await root.build();
  } catch (err) {
    throw new BridgeError("internal", "The message could not be built.", { cause: err });
  }
  return {
    messageId,
    stored,
    wire: withoutHeader(stored, "bcc"),
    envelope: { from: draft.from.address, to: envelopeRecipients(draft) },
  };
}

/**
 * `message` without every occurrence of header field `name` (and its folded continuation
 * lines) in the top-level header block; the body is untouched, byte for byte.
 */
export function withoutHeader(message: Buffer, name: string): Buffer {
  let end = message.indexOf("\r\n\r\n");
  if (end < 0) end = message.length;
  else end += 2;
  const head = message.subarray(0, end).toString("latin1");
  const lines = head.split("\r\n");
  const kept: string[] = [];
  let skipping = false;
  const prefix = `${name.toLowerCase()}:`;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && skipping) continue;
    skipping = line.toLowerCase().startsWith(prefix);
    if (!skipping) kept.push(line);
  }
  return Buffer.concat([Buffer.from(kept.join("\r\n"), "latin1"), message.subarray(end)]);
}
