/**
 * The IMAP side of writing: finding (or creating) the Sent and Drafts mailboxes, APPEND with the
 * new message's UID, deleting one message by UID (UID EXPUNGE, never a plain EXPUNGE of other
 * \Deleted mail), flagging the original of a reply, and downloading a part or a whole message
 * into memory with a size cap. Every function takes the mailbox lock it needs itself.
 */
import type { TMessageRef, TUidRef } from "@ferry/protocol";
import type { ImapFlow, ListResponse } from "imapflow";
import { BridgeError } from "../errors";
import { commandError } from "../imap/errors";
import { assertUidValidity, uidValidityOf, withMailbox } from "../imap/mailbox-access";

export type Role = "sent" | "drafts";

const ROLE_FLAG: Record<Role, string> = { sent: "\\Sent", drafts: "\\Drafts" };
const ROLE_NAMES: Record<Role, string[]> = {
  sent: ["sent", "sent items", "sent messages", "sent mail"],
  drafts: ["drafts", "draft"],
};
const ROLE_CREATE: Record<Role, string> = { sent: "Sent", drafts: "Drafts" };

function hasFlag(entry: ListResponse, flag: string): boolean {
  for (const f of entry.flags ?? []) if (f.toLowerCase() === flag.toLowerCase()) return true;
  return false;
}

/**
 * The mailbox with special use `role` (RFC 6154, or imapflow's guess from common names); when
 * there is none it is created ("Sent", "Drafts") as desktop clients do, unless `create` is
 * false (then null).
 */
export async function findRoleMailbox(
  client: ImapFlow,
  role: Role,
  create = true,
): Promise<string | null> {
  let list: ListResponse[];
  try {
    list = await client.list();
  } catch (err) {
    throw commandError(err, "The mail server could not list the folders.");
  }
  const selectable = list.filter((e) => !hasFlag(e, "\\Noselect") && !hasFlag(e, "\\NonExistent"));
  const flag = ROLE_FLAG[role];
  const byUse =
    selectable.find((e) => hasFlag(e, flag)) ??
    selectable.find((e) => e.specialUse?.toLowerCase() === flag.toLowerCase());
  if (byUse) return byUse.path;
  const byName = selectable.find((e) => ROLE_NAMES[role].includes(e.name.toLowerCase()));
  if (byName) return byName.path;
  if (!create) return null;
  try {
    const created = await client.mailboxCreate(ROLE_CREATE[role]);
    return created.path;
  } catch (err) {
    throw commandError(err, `The ${ROLE_CREATE[role]} folder could not be created.`);
  }
}

/** APPENDs `raw` to `mailbox` with `flags`; the new message's ref when the server tells. */
export async function appendMessage(
  client: ImapFlow,
  mailbox: string,
  raw: Buffer,
  flags: string[],
  opts: { date?: Date; messageId?: string } = {},
): Promise<TMessageRef | null> {
  let result: Awaited<ReturnType<ImapFlow["append"]>>;
  try {
    result = await client.append(mailbox, raw, flags, opts.date);
  } catch (err) {
    throw commandError(err, "The mail server refused to store the message.");
  }
  if (!result)
    throw new BridgeError("server_refused", "The mail server refused to store the message.");
  if (result.uid !== undefined && result.uidValidity !== undefined) {
    return {
      mailbox: result.destination,
      uidValidity: Number(result.uidValidity),
      uid: result.uid,
    };
  }
  // No APPENDUID (no UIDPLUS): find the message by its Message-ID.
  if (!opts.messageId) return null;
  const messageId = opts.messageId;
  return withMailbox(client, mailbox, { readOnly: true }, async (mb) => {
    const uids = await client.search({ header: { "message-id": messageId } }, { uid: true });
    const uid = Array.isArray(uids) && uids.length > 0 ? Math.max(...uids) : undefined;
    return uid === undefined ? null : { mailbox, uidValidity: uidValidityOf(mb), uid };
  });
}

/**
 * Deletes message `ref.uid` of `mailbox` for good (\Deleted + UID EXPUNGE). Returns false when
 * the mailbox's UIDVALIDITY changed (the message cannot be named any more) or the server said no.
 */
export async function deleteMessage(
  client: ImapFlow,
  mailbox: string,
  ref: TUidRef,
): Promise<boolean> {
  return withMailbox(client, mailbox, { readOnly: false }, async (mb) => {
    if (uidValidityOf(mb) !== ref.uidValidity) return false;
    return (await client.messageDelete(String(ref.uid), { uid: true })) === true;
  });
}

/** Adds `flag` to the original message (\Answered after a reply, $Forwarded after a forward). */
export async function flagOriginal(
  client: ImapFlow,
  ref: TMessageRef,
  flag: string,
): Promise<boolean> {
  return withMailbox(client, ref.mailbox, { readOnly: false }, async (mb) => {
    assertUidValidity(mb, ref.uidValidity);
    if (flag.startsWith("$")) {
      const permanent = mb.permanentFlags ?? new Set<string>();
      if (!permanent.has("\\*") && !permanent.has(flag)) return false;
    }
    return (await client.messageFlagsAdd(String(ref.uid), [flag], { uid: true })) === true;
  });
}

/**
 * The decoded bytes of part `part` of `ref` (or the whole message source when `part` is
 * undefined), at most `maxBytes` (too_large beyond). Text parts are not charset-converted.
 */
export async function downloadBytes(
  client: ImapFlow,
  ref: TMessageRef,
  part: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  return withMailbox(client, ref.mailbox, {}, async (mb) => {
    assertUidValidity(mb, ref.uidValidity);
    const download = await client.download(String(ref.uid), part, {
      uid: true,
      decodeText: false,
      maxBytes: maxBytes + 1,
    });
    if (!download.content) {
      throw new BridgeError("message_not_found", "The message or attachment no longer exists.");
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of download.content as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        download.content.destroy();
        throw new BridgeError("too_large", "The attachment is larger than a message may carry.");
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  });
}

/**
 * A text part as UTF-8 (imapflow converts the charset and unwraps format=flowed), cut at
 * `maxBytes`: quoting needs the beginning of a long text, not an error.
 */
export async function downloadText(
  client: ImapFlow,
  ref: TMessageRef,
  part: string,
  maxBytes: number,
): Promise<string> {
  return withMailbox(client, ref.mailbox, {}, async (mb) => {
    assertUidValidity(mb, ref.uidValidity);
    const download = await client.download(String(ref.uid), part, { uid: true, maxBytes });
    if (!download.content) {
      throw new BridgeError("message_not_found", "The message no longer exists.");
    }
    const chunks: Buffer[] = [];
    for await (const chunk of download.content as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks).toString("utf8");
  });
}
