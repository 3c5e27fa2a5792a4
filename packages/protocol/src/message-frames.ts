/**
 * The frames of messages: opening one (its header, body chunks and end), flag changes, moving,
 * copying, archiving and deleting UID sets, and the list rows of named messages in any folders
 * (`messages.rows`, a conversation's collapsed lines).
 */
import { z } from "zod";
import { ZAttachment, ZBodyPart, ZEnvelope, ZMessageRef, ZMessageRow, ZUidSet } from "./model";

const ZId = z.string().min(1).max(64);
const ZPath = z.string().min(1).max(1024);

// ---------------------------------------------------------------------------------------------
// Client → bridge requests
// ---------------------------------------------------------------------------------------------

/** Open a message: a `message.header` reply at once, then `message.body` chunks, then `message.end`. */
export const ZMessageOpen = z.object({
  type: z.literal("message.open"),
  id: ZId,
  ref: ZMessageRef,
  /** Read-ahead nobody is waiting for: the bridge answers the socket's other requests first. */
  background: z.boolean().optional(),
});

/** Add and/or remove flags (\Seen, \Flagged, \Answered) and keywords on a UID set. */
export const ZFlagsUpdate = z.object({
  type: z.literal("flags.update"),
  id: ZId,
  set: ZUidSet,
  add: z.array(z.string().min(1).max(64)).max(16).default([]),
  remove: z.array(z.string().min(1).max(64)).max(16).default([]),
});

export const ZMessagesMove = z.object({
  type: z.literal("messages.move"),
  id: ZId,
  set: ZUidSet,
  to: ZPath,
});

export const ZMessagesCopy = z.object({
  type: z.literal("messages.copy"),
  id: ZId,
  set: ZUidSet,
  to: ZPath,
});

/** Move to the \Archive mailbox. */
export const ZMessagesArchive = z.object({
  type: z.literal("messages.archive"),
  id: ZId,
  set: ZUidSet,
});

/** Move to \Trash, or expunge for good when the set is already in \Trash. */
export const ZMessagesDelete = z.object({
  type: z.literal("messages.delete"),
  id: ZId,
  set: ZUidSet,
});

/** Most refs one `messages.rows` may name; a larger conversation asks in pages. */
export const MAX_ROWS_REFS = 200;

/**
 * The list rows of some messages, in any folders (the collapsed lines of a conversation in the
 * reader): rows only, no bodies, one FETCH per folder. A ref that no longer names a message (it
 * was expunged, or its folder's UIDVALIDITY is no longer the ref's) is answered in `missing`, not
 * with an error; a folder that cannot be opened fails the request with its error.
 */
export const ZMessagesRows = z.object({
  type: z.literal("messages.rows"),
  id: ZId,
  refs: z.array(ZMessageRef).min(1).max(MAX_ROWS_REFS),
  /** Read-ahead nobody is waiting for: the bridge answers the socket's other requests first. */
  background: z.boolean().optional(),
});

// ---------------------------------------------------------------------------------------------
// Bridge → client: replies (carry the request id) and events (no id)
// ---------------------------------------------------------------------------------------------

export const ZMessageHeader = z.object({
  type: z.literal("message.header"),
  id: ZId,
  ref: ZMessageRef,
  envelope: ZEnvelope,
  flags: z.array(z.string()),
  size: z.number().int().nonnegative(),
  structure: ZBodyPart,
  attachments: z.array(ZAttachment),
  /** Parts that `message.body` frames will carry, in the order they come. */
  bodyParts: z.array(z.object({ part: z.string(), type: z.enum(["text/plain", "text/html"]) })),
  references: z.array(z.string()),
  listUnsubscribe: z.string().nullable(),
  /** The List-Id (RFC 2919) value, for "Filter messages like this"; absent from older bridges. */
  listId: z.string().nullable().optional(),
});
export type TMessageHeader = z.infer<typeof ZMessageHeader>;

/** A chunk of a decoded (UTF-8) text part. Chunks of one part arrive in `seq` order. */
export const ZMessageBody = z.object({
  type: z.literal("message.body"),
  id: ZId,
  ref: ZMessageRef,
  part: z.string(),
  contentType: z.enum(["text/plain", "text/html"]),
  seq: z.number().int().nonnegative(),
  chunk: z.string(),
  /** Last chunk of this part. */
  done: z.boolean(),
});
export type TMessageBody = z.infer<typeof ZMessageBody>;

/** The last frame of a `message.open`. */
export const ZMessageEnd = z.object({ type: z.literal("message.end"), id: ZId, ref: ZMessageRef });

/** A `messages.rows` row: the list row with the folder it is in and its In-Reply-To. */
export const ZMemberRow = ZMessageRow.extend({
  mailbox: z.string(),
  uidValidity: z.number().int().nonnegative(),
  /** The envelope's In-Reply-To (a Message-ID in angle brackets), null when none. */
  inReplyTo: z.string().nullable(),
});
export type TMemberRow = z.infer<typeof ZMemberRow>;

/** The answer to `messages.rows`: the rows found, in no particular order, and the refs not found. */
export const ZMessagesRowsReply = z.object({
  type: z.literal("messages.rows"),
  id: ZId,
  rows: z.array(ZMemberRow),
  missing: z.array(ZMessageRef),
});

export const ZMessagesMoved = z.object({
  type: z.literal("messages.moved"),
  id: ZId,
  /** Destination mailbox, or null when the messages were expunged for good. */
  to: z.string().nullable(),
  /** [source UID, destination UID] pairs where the server reports them (UIDPLUS). */
  uidMap: z.array(z.tuple([z.number().int(), z.number().int()])).nullable(),
  /**
   * UIDVALIDITY of the destination (COPYUID reports it), so the moved messages can be addressed
   * there, e.g. to undo. Optional: a client that lacks it can learn it from a `list.window`.
   */
  toUidValidity: z.number().int().nonnegative().nullable().optional(),
});
