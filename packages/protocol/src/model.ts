/**
 * The mail model as it crosses the wire: mailboxes, addresses, envelopes, list rows and
 * message structure. Shared by the bridge (which builds these from IMAP) and the web app.
 */
import { z } from "zod";
import { SORT_KEYS } from "./sort-keys";

/** Special-use roles (RFC 6154) plus INBOX, normalised to lower-case words. */
export const ZSpecialUse = z.enum([
  "inbox",
  "drafts",
  "sent",
  "trash",
  "junk",
  "archive",
  "all",
  "flagged",
]);
export type TSpecialUse = z.infer<typeof ZSpecialUse>;

export const ZMailbox = z.object({
  /** Full IMAP path, e.g. "INBOX" or "Archive/2024". The identity of a mailbox. */
  path: z.string().min(1),
  /** Last path segment, decoded, for display. */
  name: z.string(),
  /** Hierarchy delimiter, or null for a flat namespace. */
  delimiter: z.string().nullable(),
  /** Path of the parent mailbox, or null at the top level. */
  parent: z.string().nullable(),
  specialUse: ZSpecialUse.nullable(),
  subscribed: z.boolean(),
  /** \Noselect or \NonExistent: a folder that only holds other folders. */
  selectable: z.boolean(),
  messages: z.number().int().nonnegative().nullable(),
  unseen: z.number().int().nonnegative().nullable(),
});
export type TMailbox = z.infer<typeof ZMailbox>;

export const ZAddress = z.object({
  name: z.string(),
  address: z.string(),
});
export type TAddress = z.infer<typeof ZAddress>;

export const ZEnvelope = z.object({
  /** ISO 8601, or null when the message has no usable Date. */
  date: z.string().nullable(),
  subject: z.string(),
  from: z.array(ZAddress),
  sender: z.array(ZAddress),
  replyTo: z.array(ZAddress),
  to: z.array(ZAddress),
  cc: z.array(ZAddress),
  bcc: z.array(ZAddress),
  messageId: z.string().nullable(),
  inReplyTo: z.string().nullable(),
});
export type TEnvelope = z.infer<typeof ZEnvelope>;

/**
 * A message is addressed by mailbox path + UIDVALIDITY + UID, never by sequence number.
 * UIDVALIDITY is a 32-bit unsigned number; it fits a JS number exactly.
 */
export const ZMessageRef = z.object({
  mailbox: z.string().min(1),
  uidValidity: z.number().int().nonnegative(),
  uid: z.number().int().positive(),
});
export type TMessageRef = z.infer<typeof ZMessageRef>;

/** A UID set within one mailbox generation. */
export const ZUidSet = z.object({
  mailbox: z.string().min(1),
  uidValidity: z.number().int().nonnegative(),
  uids: z.array(z.number().int().positive()).min(1).max(100_000),
});
export type TUidSet = z.infer<typeof ZUidSet>;

/** One row of a message list: enough to draw it, nothing more. */
export const ZMessageRow = z.object({
  uid: z.number().int().positive(),
  /** System flags (\Seen, \Flagged, \Answered, \Draft, \Deleted) and keywords, as IMAP spells them. */
  flags: z.array(z.string()),
  date: z.string().nullable(),
  subject: z.string(),
  from: z.array(ZAddress),
  to: z.array(ZAddress),
  size: z.number().int().nonnegative(),
  hasAttachments: z.boolean(),
  /** A short plain-text preview of the body; empty when unknown. */
  preview: z.string(),
  messageId: z.string().nullable(),
  /**
   * Set only on the rows of a search of several folders (`in:anywhere`): the folder the message
   * is in and that folder's UIDVALIDITY, which then address it instead of the window's own.
   */
  mailbox: z.string().optional(),
  uidValidity: z.number().int().nonnegative().optional(),
});
export type TMessageRow = z.infer<typeof ZMessageRow>;

/** A message of a conversation that sits in another folder than the list's (the user's reply in Sent). */
export const ZConversationMember = z.object({
  mailbox: z.string(),
  uidValidity: z.number().int().nonnegative(),
  uid: z.number().int().positive(),
});
export type TConversationMember = z.infer<typeof ZConversationMember>;

/**
 * One row of a list of conversations (`list.window` with `conversations`): a thread as the
 * server's THREAD=REFERENCES groups it (else the bridge's RFC 5256 algorithm), placed where its
 * newest message in this folder sits.
 */
export const ZConversationRow = z.object({
  /** The row of the conversation's newest message in this folder. */
  newest: ZMessageRow,
  /** UIDs of its messages in this folder, newest first. */
  uids: z.array(z.number().int().positive()),
  /** Its messages found in other folders by Message-ID (the user's replies in Sent). */
  elsewhere: z.array(ZConversationMember),
  /** Messages in all: `uids` and `elsewhere`. */
  count: z.number().int().positive(),
  /** Who wrote its messages, oldest first, each once; `me` marks the user. */
  participants: z.array(ZAddress.extend({ me: z.boolean() })),
  /** The newest message's subject (of all its messages, wherever they are). */
  subject: z.string(),
  /** The newest date of all its messages (ISO 8601). */
  date: z.string().nullable(),
  /** Any of its messages is unread / starred / has attachments / is a draft. */
  unread: z.boolean(),
  starred: z.boolean(),
  hasAttachments: z.boolean(),
  hasDraft: z.boolean(),
});
export type TConversationRow = z.infer<typeof ZConversationRow>;

/**
 * What a list is ordered by. `arrival` is when the server received the message (the default
 * order, needs no SORT); the others need the server's SORT (RFC 5256): `date` is the Date header
 * (when it was sent), `from` the sender (its display name where the server has SORT=DISPLAY),
 * `subject` the base subject (no Re:/Fwd:), `size` the size in bytes.
 */
export const ZSortKey = z.enum(SORT_KEYS);
export type TSortKey = z.infer<typeof ZSortKey>;

/** An order of a list: a key, ascending or (`reverse`) descending. */
export const ZListSort = z.object({ key: ZSortKey, reverse: z.boolean() });
export type TListSort = z.infer<typeof ZListSort>;

/** One node of BODYSTRUCTURE. Leaf parts have a `part` number usable with the parts endpoint. */
export interface TBodyPart {
  /** IMAP part specifier: "1", "1.2"; a single-part message's body is "1", a multipart root "TEXT". */
  part: string;
  /** Lower-case MIME type, e.g. "text/plain", "multipart/alternative". */
  type: string;
  charset: string | null;
  /** Content-Disposition type, lower-case, or null. */
  disposition: "inline" | "attachment" | null;
  filename: string | null;
  /** Content-ID without angle brackets, for cid: references. */
  contentId: string | null;
  /** Encoded size in bytes as the server reports it. */
  size: number;
  encoding: string | null;
  children: TBodyPart[];
}
export const ZBodyPart: z.ZodType<TBodyPart> = z.lazy(() =>
  z.object({
    part: z.string(),
    type: z.string(),
    charset: z.string().nullable(),
    disposition: z.enum(["inline", "attachment"]).nullable(),
    filename: z.string().nullable(),
    contentId: z.string().nullable(),
    size: z.number().int().nonnegative(),
    encoding: z.string().nullable(),
    children: z.array(ZBodyPart),
  }),
);

/** An attachment as the reader lists it: a leaf part that is not the displayed body. */
export const ZAttachment = z.object({
  part: z.string(),
  type: z.string(),
  filename: z.string(),
  size: z.number().int().nonnegative(),
  contentId: z.string().nullable(),
  inline: z.boolean(),
});
export type TAttachment = z.infer<typeof ZAttachment>;

/** The state of the bridge's IMAP connections for this session, as the browser shows it. */
export const ZConnectionState = z.enum(["online", "reconnecting", "offline"]);
export type TConnectionState = z.infer<typeof ZConnectionState>;

/**
 * A point in the history of one mailbox's list, so the browser can order list replies and pushed
 * events (they travel on different IMAP connections) and notice what it missed.
 *
 * - `source` says where the numbers come from; numbers of different sources do not compare.
 *   `modseq:<uidValidity>`: the mailbox's CONDSTORE mod-sequence (RFC 7162), the same for every
 *   connection, session and bridge; events then skip numbers. `bridge:<id>`: a counter of the
 *   bridge for a server (or mailbox) without CONDSTORE, one step per event, and a new `<id>`
 *   whenever it starts over.
 * - `n`: on a `list.window`, every change numbered up to `n` is in the rows (they may hold later
 *   ones too). On a pushed event, every change it carries is numbered at most `n`, except that
 *   IMAP numbers no expunge it announces: `messages.expunged` is applied whatever its revision
 *   (removing a row again changes nothing).
 */
export const ZRevision = z.object({
  source: z.string().min(1).max(100),
  n: z.number().int().nonnegative(),
});
export type TRevision = z.infer<typeof ZRevision>;

/**
 * The revision of a pushed list event: `since` is the `n` of the event before it from the same
 * source (every change up to `since` was pushed before this one). A list whose revision is below
 * `since` missed something in between: it refetches. One whose revision is past `n` (or at `n`,
 * when `since` is below `n`) already holds this event's changes: it ignores the event.
 */
export const ZEventRevision = ZRevision.extend({
  since: z.number().int().nonnegative(),
});
export type TEventRevision = z.infer<typeof ZEventRevision>;
