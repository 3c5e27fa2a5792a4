/**
 * Test-only support for the IMAP read-path tests: the real mail-server fixture with one user, a
 * plain imapflow client for it, and a small MIME builder for messages whose every byte the tests
 * know. Not used by production code.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import { ImapFlow } from "imapflow";

export interface Fixture {
  server: MailServer;
  email: string;
  password: string;
  /** A new connected, logged-in client (the caller logs it out). */
  connect(): Promise<ImapFlow>;
  stop(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  const server = await startMailServer({ postfix: false });
  const user = server.users[0];
  if (!user) throw new Error("the fixture has no user");
  const clients = new Set<ImapFlow>();
  return {
    server,
    email: user.email,
    password: user.password,
    async connect() {
      const client = new ImapFlow({
        host: server.host,
        port: server.imap.tlsPort,
        secure: true,
        auth: { user: user.email, pass: user.password },
        tls: { ca: server.ca },
        logger: false,
        disableAutoIdle: true,
      });
      client.on("error", () => undefined);
      await client.connect();
      clients.add(client);
      return client;
    },
    async stop() {
      await Promise.all([...clients].map((c) => c.logout().catch(() => c.close())));
      await server.stop();
    },
  };
}

export interface AttachmentSpec {
  filename: string;
  type: string;
  content: Buffer;
  /** Content-ID (without brackets) for an inline resource of the HTML. */
  cid?: string;
}

export interface MessageSpec {
  subject: string;
  from?: string;
  to?: string;
  date?: Date;
  messageId?: string;
  text?: string;
  html?: string;
  /** Charset of the text/html parts; bodies are encoded to it (latin1-family and utf-8 only). */
  charset?: "utf-8" | "iso-8859-1";
  attachments?: AttachmentSpec[];
  headers?: Record<string, string>;
}

const CRLF = "\r\n";

function encodedWord(text: string): string {
  const ascii = [...text].every((c) => c.charCodeAt(0) < 0x80);
  return ascii ? text : `=?UTF-8?B?${Buffer.from(text).toString("base64")}?=`;
}

function base64Lines(bytes: Buffer): string {
  return (bytes.toString("base64").match(/.{1,76}/g) ?? []).join(CRLF);
}

function textPart(type: "plain" | "html", body: string, charset: "utf-8" | "iso-8859-1"): string {
  const bytes = Buffer.from(body, charset === "utf-8" ? "utf8" : "latin1");
  return [
    `Content-Type: text/${type}; charset=${charset}`,
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(bytes),
  ].join(CRLF);
}

function attachmentPart(a: AttachmentSpec, inline: boolean): string {
  const ascii = /^[\x20-\x7e]*$/.test(a.filename);
  const nameParam = ascii ? `"${a.filename}"` : `"${encodedWord(a.filename)}"`;
  const dispParam = ascii
    ? `filename="${a.filename}"`
    : `filename*=UTF-8''${encodeURIComponent(a.filename)}`;
  return [
    `Content-Type: ${a.type}; name=${nameParam}`,
    "Content-Transfer-Encoding: base64",
    `Content-Disposition: ${inline ? "inline" : "attachment"}; ${dispParam}`,
    ...(a.cid ? [`Content-ID: <${a.cid}>`] : []),
    "",
    base64Lines(a.content),
  ].join(CRLF);
}

let boundaryCounter = 0;
function multipart(sub: string, parts: string[]): string {
  const boundary = `----=_ferry_${sub}_${++boundaryCounter}`;
  return [
    `Content-Type: multipart/${sub}; boundary="${boundary}"`,
    "",
    ...parts.map((p) => `--${boundary}${CRLF}${p}`),
    `--${boundary}--`,
    "",
  ].join(CRLF);
}

/** Builds an RFC 5322 message with CRLF line ends. */
export function buildMessage(spec: MessageSpec): Buffer {
  const charset = spec.charset ?? "utf-8";
  const inline = (spec.attachments ?? []).filter((a) => a.cid !== undefined);
  const attached = (spec.attachments ?? []).filter((a) => a.cid === undefined);
  let body: string;
  const text = spec.text !== undefined ? textPart("plain", spec.text, charset) : null;
  let html = spec.html !== undefined ? textPart("html", spec.html, charset) : null;
  if (html !== null && inline.length > 0) {
    html = multipart("related", [html, ...inline.map((a) => attachmentPart(a, true))]);
  }
  if (text !== null && html !== null) body = multipart("alternative", [text, html]);
  else body = text ?? html ?? textPart("plain", "", charset);
  if (attached.length > 0)
    body = multipart("mixed", [body, ...attached.map((a) => attachmentPart(a, false))]);
  const headers = [
    `From: ${spec.from ?? "Sender <sender@example.test>"}`,
    `To: ${spec.to ?? "Receiver <receiver@example.test>"}`,
    `Subject: ${encodedWord(spec.subject)}`,
    `Date: ${(spec.date ?? new Date("2024-06-01T12:00:00Z")).toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: ${spec.messageId ?? `<${Math.random().toString(36).slice(2)}@example.test>`}`,
    "MIME-Version: 1.0",
    ...Object.entries(spec.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  return Buffer.from(`${headers.join(CRLF)}${CRLF}${body}`, "latin1");
}

/** APPENDs messages to `folder` (created when missing), oldest first; returns their UIDs. */
export async function appendMessages(
  client: ImapFlow,
  folder: string,
  messages: Buffer[],
  opts: { flags?: string[]; dates?: Date[] } = {},
): Promise<number[]> {
  if (folder.toUpperCase() !== "INBOX") await client.mailboxCreate(folder).catch(() => undefined);
  const uids: number[] = [];
  for (const [i, raw] of messages.entries()) {
    const result = await client.append(folder, raw, opts.flags ?? [], opts.dates?.[i]);
    if (!result || result.uid === undefined) throw new Error(`APPEND to ${folder} failed`);
    uids.push(result.uid);
  }
  return uids;
}
