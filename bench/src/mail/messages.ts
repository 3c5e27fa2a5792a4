/**
 * Raw RFC 5322 messages the benchmark delivers: a small plain-text message with a unique subject
 * (push figures) and a message with a big attachment (reader figure).
 */
import { randomBytes } from "node:crypto";

function dateHeader(): string {
  return new Date().toUTCString().replace("GMT", "+0000");
}

/** A unique token for subjects, so a waiter can find exactly one message. */
export function token(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}

export function smallMessage(opts: { from: string; to: string[]; subject: string }): string {
  return [
    `From: "Bench Sender" <${opts.from}>`,
    `To: ${opts.to.map((t) => `<${t}>`).join(", ")}`,
    `Subject: ${opts.subject}`,
    `Date: ${dateHeader()}`,
    `Message-ID: <${randomBytes(8).toString("hex")}@bench.test>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 7bit",
    "",
    `This is ${opts.subject}, delivered by the Ferry benchmark.`,
    "",
  ].join("\r\n");
}

export interface BigMessage {
  raw: Buffer;
  subject: string;
  /** A phrase of the text part, to wait for in the reader. */
  textMarker: string;
  /** MIME part numbers of the text and of the attachment. */
  textPart: "1";
  attachmentPart: "2";
  attachmentBytes: number;
  filename: string;
}

/**
 * multipart/mixed: a short text/plain part, then `bytes` of random data as a base64
 * application/octet-stream attachment in 76-character lines (what every mailer writes).
 */
export function bigAttachmentMessage(opts: {
  from: string;
  to: string;
  bytes: number;
}): BigMessage {
  const subject = token("Quarterly archive");
  const textMarker = `The archive for ${subject} is attached`;
  const boundary = `bench-${randomBytes(8).toString("hex")}`;
  const filename = "archive-20mb.bin";
  const b64 = randomBytes(opts.bytes).toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  const head = [
    `From: "Bench Sender" <${opts.from}>`,
    `To: <${opts.to}>`,
    `Subject: ${subject}`,
    `Date: ${dateHeader()}`,
    `Message-ID: <${randomBytes(8).toString("hex")}@bench.test>`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 7bit",
    "",
    `${textMarker}. It is about ${Math.round(opts.bytes / 1024 / 1024)} MB.`,
    "Open it when you have a moment.",
    `--${boundary}`,
    `Content-Type: application/octet-stream; name="${filename}"`,
    `Content-Disposition: attachment; filename="${filename}"`,
    "Content-Transfer-Encoding: base64",
    "",
    "",
  ].join("\r\n");
  const raw = Buffer.concat([
    Buffer.from(head),
    Buffer.from(lines.join("\r\n")),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return {
    raw,
    subject,
    textMarker,
    textPart: "1",
    attachmentPart: "2",
    attachmentBytes: opts.bytes,
    filename,
  };
}
