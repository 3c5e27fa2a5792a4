/**
 * What arrived in a mailbox as the IMAP server sees it, for the compose specs: our own imapflow
 * connection to the worker's Dovecot (trusting the fixture's CA), a mailbox's messages with their
 * headers and structure, a bounded wait for one by subject, and a part's bytes or text.
 */
import { createHash } from "node:crypto";
import { ImapFlow, type MessageStructureObject } from "imapflow";
import type { Account, Stack } from "../fixtures/stack";
import { expect } from "../fixtures/test";

export async function withImap<T>(
  stack: Stack,
  account: Account,
  fn: (client: ImapFlow) => Promise<T>,
): Promise<T> {
  const client = new ImapFlow({
    host: stack.mail.host,
    port: stack.mail.imap.tlsPort,
    secure: true,
    tls: { ca: stack.mail.ca },
    auth: { user: account.email, pass: account.password },
    logger: false,
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => undefined);
  }
}

export interface Arrived {
  uid: number;
  subject: string;
  from: string;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  flags: string[];
  structure: MessageStructureObject | undefined;
}

/** The messages of a mailbox (special-use role or path) with headers and structure. */
export async function listMailbox(
  stack: Stack,
  account: Account,
  mailbox: string,
): Promise<Arrived[]> {
  return withImap(stack, account, async (client) => {
    const path = await resolveMailbox(client, mailbox);
    const lock = await client.getMailboxLock(path, { readOnly: true });
    try {
      const exists = client.mailbox ? client.mailbox.exists : 0;
      if (exists === 0) return [];
      const out: Arrived[] = [];
      for await (const m of client.fetch("1:*", {
        uid: true,
        envelope: true,
        flags: true,
        bodyStructure: true,
        headers: ["references"],
      })) {
        const refs = (m.headers?.toString("utf8") ?? "").match(/<[^<>\s]+>/g) ?? [];
        out.push({
          uid: m.uid,
          subject: m.envelope?.subject ?? "",
          from: m.envelope?.from?.[0]?.address ?? "",
          messageId: m.envelope?.messageId ?? null,
          inReplyTo: m.envelope?.inReplyTo ?? null,
          references: refs,
          flags: [...(m.flags ?? [])],
          structure: m.bodyStructure,
        });
      }
      return out;
    } finally {
      lock.release();
    }
  });
}

async function resolveMailbox(client: ImapFlow, mailbox: string): Promise<string> {
  if (!mailbox.startsWith("\\")) return mailbox;
  const list = await client.list();
  const found = list.find((m) => m.specialUse === mailbox);
  if (!found) throw new Error(`no ${mailbox} mailbox`);
  return found.path;
}

/** Waits (bounded) until a message with `subject` is in `mailbox`; returns it. */
export async function waitForMessage(
  stack: Stack,
  account: Account,
  mailbox: string,
  subject: string,
  timeout = 30_000,
): Promise<Arrived> {
  let found: Arrived | undefined;
  await expect
    .poll(
      async () => {
        found = (await listMailbox(stack, account, mailbox)).find((m) => m.subject === subject);
        return found !== undefined;
      },
      { timeout, intervals: [250, 500, 1000] },
    )
    .toBe(true);
  if (!found) throw new Error("unreachable");
  return found;
}

export interface Part {
  part: string;
  type: string;
  filename: string | null;
  size: number;
}

/** The leaf parts of a structure, with their (decoded) filenames. */
export function leafParts(node: MessageStructureObject | undefined, out: Part[] = []): Part[] {
  if (!node) return out;
  if (node.childNodes?.length) {
    for (const child of node.childNodes) leafParts(child, out);
    return out;
  }
  const filename = node.dispositionParameters?.filename ?? node.parameters?.name ?? null;
  out.push({ part: node.part ?? "1", type: node.type, filename, size: node.size ?? 0 });
  return out;
}

/** Reads part `part` of message `uid` in `mailbox`, decoded, through `consume`. */
async function readPart<T>(
  stack: Stack,
  account: Account,
  where: { mailbox: string; uid: number; part: string },
  consume: (content: AsyncIterable<Buffer>) => Promise<T>,
): Promise<T> {
  return withImap(stack, account, async (client) => {
    const path = await resolveMailbox(client, where.mailbox);
    const lock = await client.getMailboxLock(path, { readOnly: true });
    try {
      const { uid, part } = where;
      const { content } = await client.download(String(uid), part, { uid: true });
      if (!content) throw new Error(`part ${part} of ${uid} has no content`);
      return await consume(content as AsyncIterable<Buffer>);
    } finally {
      lock.release();
    }
  });
}

/** SHA-256 (hex) of a part's decoded bytes. */
export function partSha256(
  stack: Stack,
  account: Account,
  mailbox: string,
  uid: number,
  part: string,
): Promise<{ sha256: string; bytes: number }> {
  return readPart(stack, account, { mailbox, uid, part }, async (content) => {
    const hash = createHash("sha256");
    let bytes = 0;
    for await (const chunk of content) {
      bytes += chunk.length;
      hash.update(chunk);
    }
    return { sha256: hash.digest("hex"), bytes };
  });
}

/** The decoded text of a part. */
export function partText(
  stack: Stack,
  account: Account,
  mailbox: string,
  uid: number,
  part: string,
): Promise<string> {
  return readPart(stack, account, { mailbox, uid, part }, async (content) => {
    const chunks: Buffer[] = [];
    for await (const chunk of content) chunks.push(chunk);
    return Buffer.concat(chunks).toString("utf8");
  });
}

export function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
