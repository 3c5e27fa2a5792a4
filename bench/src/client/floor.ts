/**
 * The floor: a bare imapflow client doing the same IMAP work as a figure, against the same
 * Dovecot, in the same run. Nothing here is Ferry code; it is what any IMAP client must pay.
 */
import type { MailServer } from "@ferry/mail-server";
import { ImapFlow } from "imapflow";
import { nowMs } from "../progress";
import type { Account } from "../stack/mail";

/** A connected, logged-in bare client (implicit TLS, the fixture's CA, no logging). */
export async function connectBare(
  mail: MailServer,
  user: Account,
  opts: { disableAutoIdle?: boolean } = {},
): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: mail.host,
    port: mail.imap.tlsPort,
    secure: true,
    tls: { ca: mail.ca },
    auth: { user: user.email, pass: user.password },
    logger: false,
    disableAutoIdle: opts.disableAutoIdle ?? false,
  });
  client.on("error", () => {});
  await client.connect();
  return client;
}

/** A bare client IDLE on one mailbox, the floor of the push figures. */
export interface IdleFloor {
  /** Resolves at the nowMs() of the next `exists` event; ask before the delivery it awaits. */
  nextExists(): Promise<number>;
  /** Settles when the IDLE ends (after closeBare). */
  idling: Promise<unknown>;
}

/** Opens `path` on a client connected with `disableAutoIdle` and starts IDLE there. */
export async function idleFloor(client: ImapFlow, path: string): Promise<IdleFloor> {
  await client.mailboxOpen(path);
  let onExists: ((at: number) => void) | null = null;
  client.on("exists", () => {
    const at = nowMs();
    onExists?.(at);
  });
  const idling = client.idle().catch(() => undefined);
  return {
    idling,
    nextExists: () =>
      new Promise<number>((resolve) => {
        onExists = (at) => {
          onExists = null;
          resolve(at);
        };
      }),
  };
}

/** Logs out, or drops the connection if that fails. */
export async function closeBare(client: ImapFlow): Promise<void> {
  try {
    await client.logout();
  } catch {
    client.close();
  }
}

/**
 * The sign-in floor: connect + login + SELECT INBOX + FETCH the 50 newest envelopes (with flags
 * and UIDs). Returns milliseconds.
 */
export async function bareSignIn(mail: MailServer, user: Account): Promise<number> {
  const t0 = performance.now();
  const client = await connectBare(mail, user);
  const box = await client.mailboxOpen("INBOX");
  const from = Math.max(1, box.exists - 49);
  const rows = await client.fetchAll(`${from}:${box.exists}`, {
    uid: true,
    flags: true,
    envelope: true,
  });
  const ms = performance.now() - t0;
  if (rows.length === 0 && box.exists > 0) throw new Error("the floor fetched no rows");
  await closeBare(client);
  return ms;
}

/**
 * The jump floor: on a connection that already has INBOX selected, FETCH the envelopes of 50
 * messages starting at sequence `from`. Returns milliseconds.
 */
export async function bareWindow(client: ImapFlow, from: number, count: number): Promise<number> {
  const t0 = performance.now();
  const rows = await client.fetchAll(`${from}:${from + count - 1}`, {
    uid: true,
    flags: true,
    envelope: true,
  });
  const ms = performance.now() - t0;
  if (rows.length === 0) throw new Error("the floor fetched no rows");
  return ms;
}

/**
 * The open floor: on a connection with INBOX selected, FETCH envelope + BODYSTRUCTURE of one
 * message (→ structure), then download its text part (→ text). Milliseconds from the start.
 */
export async function bareOpen(
  client: ImapFlow,
  uid: number,
  textPart: string,
): Promise<{ structureMs: number; textMs: number }> {
  const t0 = performance.now();
  const msg = await client.fetchOne(
    String(uid),
    { uid: true, flags: true, envelope: true, bodyStructure: true, size: true },
    { uid: true },
  );
  if (!msg) throw new Error(`the floor found no message ${uid}`);
  const structureMs = performance.now() - t0;
  const dl = await client.download(String(uid), textPart, { uid: true });
  if (!dl.content) throw new Error(`the floor found no part ${textPart}`);
  for await (const _chunk of dl.content) {
    // drain
  }
  return { structureMs, textMs: performance.now() - t0 };
}

/** Downloads one part (transfer encoding removed) and returns its size and milliseconds. */
export async function bareDownload(
  client: ImapFlow,
  uid: number,
  part: string,
): Promise<{ bytes: number; ms: number }> {
  const t0 = performance.now();
  const dl = await client.download(String(uid), part, { uid: true });
  if (!dl.content) throw new Error(`the floor found no part ${part}`);
  let bytes = 0;
  for await (const chunk of dl.content) bytes += (chunk as Buffer).length;
  return { bytes, ms: performance.now() - t0 };
}

/**
 * The conversation-open floor: what the reader's stack asks of IMAP, on a connection with INBOX
 * selected. The newest message opened (bareOpen), the collapsed lines of the others (one UID
 * FETCH of their flags, envelopes, dates, sizes and first 200 bytes of text, the preview), then
 * each of them that is unread opened. Returns milliseconds and how many were opened.
 */
export async function bareConversationOpen(
  client: ImapFlow,
  newest: number,
  others: readonly number[],
): Promise<{ ms: number; opened: number }> {
  const t0 = performance.now();
  await bareOpen(client, newest, "1");
  const lines = await client.fetchAll(
    others.join(","),
    {
      uid: true,
      flags: true,
      envelope: true,
      internalDate: true,
      size: true,
      bodyParts: [{ key: "1", start: 0, maxLength: 200 }],
    },
    { uid: true },
  );
  if (lines.length !== others.length) throw new Error("the floor missed collapsed lines");
  const unread = lines.filter((m) => !m.flags?.has("\\Seen")).map((m) => m.uid);
  for (const uid of unread) await bareOpen(client, uid, "1");
  return { ms: performance.now() - t0, opened: unread.length + 1 };
}
