/**
 * The default builder of list rows for messages that just arrived: one UID FETCH of envelope,
 * flags, size and BODYSTRUCTURE, with an empty preview. bridge/src/imap/window.ts has the
 * full builder (with previews); a MailSession takes either through its `rowsFetcher` option.
 */

import type { TAddress, TMessageRow } from "@ferry/protocol";
import type {
  FetchMessageObject,
  ImapFlow,
  MessageAddressObject,
  MessageStructureObject,
} from "imapflow";
import { wireFlags } from "../imap/flags";
import { type UidSelection, uidQuery } from "../imap/mailbox-access";

/**
 * Builds the rows of `uids` in `mailbox`, newest first. It is called on a connection where
 * `mailbox` is already selected: it must not select another mailbox or take a mailbox lock in a
 * different access mode. UIDs that no longer exist are left out.
 */
export type RowsFetcher = (
  client: ImapFlow,
  mailbox: string,
  uids: UidSelection,
) => Promise<TMessageRow[]>;

export const fetchRows: RowsFetcher = async (client, _mailbox, uids) => {
  const query = uidQuery(uids);
  if (!query) return [];
  const messages = await client.fetchAll(
    query.set,
    { uid: true, flags: true, envelope: true, size: true, bodyStructure: true, internalDate: true },
    { uid: true },
  );
  const rows: TMessageRow[] = [];
  for (const msg of messages) if (query.wanted(msg.uid)) rows.push(toMessageRow(msg));
  return rows.sort((a, b) => b.uid - a.uid);
};

/** A list row from what one FETCH returned. Never throws: odd values become empty ones. */
export function toMessageRow(msg: FetchMessageObject): TMessageRow {
  const env = msg.envelope;
  return {
    uid: msg.uid,
    flags: wireFlags(msg.flags),
    date: isoDate(env?.date) ?? isoDate(msg.internalDate),
    subject: typeof env?.subject === "string" ? env.subject : "",
    from: addresses(env?.from),
    to: addresses(env?.to),
    size: typeof msg.size === "number" && msg.size >= 0 ? Math.floor(msg.size) : 0,
    hasAttachments: msg.bodyStructure ? hasAttachments(msg.bodyStructure, 0) : false,
    preview: "",
    messageId: typeof env?.messageId === "string" && env.messageId ? env.messageId : null,
  };
}

function isoDate(value: Date | string | undefined): string | null {
  if (value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function addresses(list: MessageAddressObject[] | undefined): TAddress[] {
  if (!Array.isArray(list)) return [];
  return list.map((a) => ({
    name: typeof a.name === "string" ? a.name : "",
    address: typeof a.address === "string" ? a.address : "",
  }));
}

/**
 * A leaf part marked as an attachment, or a named leaf that is neither text nor inline. Bounded
 * in depth so a hostile structure cannot recurse without end.
 */
function hasAttachments(node: MessageStructureObject, depth: number): boolean {
  if (depth > 32) return false;
  const children = node.childNodes ?? [];
  if (children.length > 0) return children.some((child) => hasAttachments(child, depth + 1));
  const disposition = (node.disposition ?? "").toLowerCase();
  if (disposition === "attachment") return true;
  if (disposition === "inline") return false;
  const named = Boolean(node.dispositionParameters?.filename ?? node.parameters?.name);
  const type = (node.type ?? "").toLowerCase();
  return named && type !== "text/plain" && type !== "text/html";
}

export type { UidSelection };
export { wireFlags };
