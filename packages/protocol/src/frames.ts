/**
 * Every WebSocket frame, as zod schemas. Client frames are requests carrying an `id` that the
 * bridge echoes in its replies. Server frames are replies (with that id) or pushed events (no id).
 * Both sides parse what they receive with `safeParse`; nothing is cast.
 */
import { z } from "zod";
import { COMPOSE_CLIENT_FRAMES, COMPOSE_SERVER_FRAMES } from "./compose";
import { ErrorCode } from "./errors";
import { FOLDER_CLIENT_FRAMES, FOLDER_SERVER_FRAMES } from "./folders";
import {
  ZAttachment,
  ZBodyPart,
  ZConnectionState,
  ZConversationRow,
  ZEnvelope,
  ZEventRevision,
  ZListSort,
  ZMailbox,
  ZMessageRef,
  ZMessageRow,
  ZRevision,
  ZUidSet,
} from "./model";
import { QUOTA_CLIENT_FRAMES, QUOTA_SERVER_FRAMES } from "./quota";
import { RULES_CLIENT_FRAMES, RULES_SERVER_FRAMES } from "./rules";
import { SETTINGS_CLIENT_FRAMES, SETTINGS_SERVER_FRAMES } from "./settings";
import { SNOOZE_CLIENT_FRAMES, SNOOZE_SERVER_FRAMES } from "./snooze";

/**
 * Largest frame the bridge accepts from a browser, in bytes. Drafts travel in frames (a reply can
 * quote a long message); attachments never do: they are uploaded over HTTP.
 */
export const MAX_CLIENT_FRAME_BYTES = 1024 * 1024;
/** Largest window of list rows one request may ask for. */
export const MAX_WINDOW = 500;
/**
 * Rows per `list.window` the web app asks for. The bridge prefetches INBOX's first window of
 * this size at sign-in, for the request that follows.
 */
export const LIST_WINDOW_SIZE = 50;

const ZId = z.string().min(1).max(64);
const ZPath = z.string().min(1).max(1024);

// ---------------------------------------------------------------------------------------------
// Client → bridge requests
// ---------------------------------------------------------------------------------------------

export const ZPing = z.object({ type: z.literal("ping"), id: ZId });

export const ZMailboxesList = z.object({ type: z.literal("mailboxes.list"), id: ZId });

/** SELECT (or EXAMINE with readOnly) a mailbox: it becomes the one whose changes are pushed live. */
export const ZMailboxOpen = z.object({
  type: z.literal("mailbox.open"),
  id: ZId,
  path: ZPath,
  readOnly: z.boolean().default(false),
});

/**
 * Rows `offset … offset+limit` of a mailbox in date order, newest first. With `query`, the rows of
 * that search (Gmail-style operators) in the same order, windowed the same way. With `sort`, in
 * that order instead (see ZListSort; any key but `arrival` needs the server's SORT). A query with
 * `in:anywhere` searches every subscribed folder but Trash and Junk (its rows carry their folder);
 * `in:NAME` searches the folder NAME instead of `mailbox`.
 */
export const ZListWindow = z.object({
  type: z.literal("list.window"),
  id: ZId,
  mailbox: ZPath,
  offset: z.number().int().nonnegative(),
  limit: z.number().int().min(1).max(MAX_WINDOW),
  query: z.string().max(1000).nullable().default(null),
  sort: ZListSort.optional(),
  /**
   * One row per conversation (the reply's `conversations`, `total` counting conversations).
   * Only for the plain list: with a query or another order than DEFAULT_SORT it is ignored.
   */
  conversations: z.boolean().optional(),
});

/** Open a message: a `message.header` reply at once, then `message.body` chunks, then `message.end`. */
export const ZMessageOpen = z.object({
  type: z.literal("message.open"),
  id: ZId,
  ref: ZMessageRef,
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

export const ZMarkAllRead = z.object({
  type: z.literal("mailbox.markAllRead"),
  id: ZId,
  mailbox: ZPath,
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
});

export const ZClientFrame = z.discriminatedUnion("type", [
  ZPing,
  ZMailboxesList,
  ZMailboxOpen,
  ZListWindow,
  ZMessageOpen,
  ZFlagsUpdate,
  ZMessagesMove,
  ZMessagesCopy,
  ZMessagesArchive,
  ZMessagesDelete,
  ZMarkAllRead,
  ZMessagesRows,
  ...COMPOSE_CLIENT_FRAMES,
  ...RULES_CLIENT_FRAMES,
  ...SETTINGS_CLIENT_FRAMES,
  ...SNOOZE_CLIENT_FRAMES,
  ...FOLDER_CLIENT_FRAMES,
  ...QUOTA_CLIENT_FRAMES,
]);
export type TClientFrame = z.infer<typeof ZClientFrame>;
/** What a caller writes before defaults are applied (e.g. `readOnly` may be left out). */
export type TClientFrameInput = z.input<typeof ZClientFrame>;
export type TClientFrameType = TClientFrame["type"];

// ---------------------------------------------------------------------------------------------
// Bridge → client: replies (carry the request id) and events (no id)
// ---------------------------------------------------------------------------------------------

/**
 * The part of the hello that no protocol version changes, so that a client of any version can
 * tell which version the bridge speaks (`helloVersionOf`).
 */
export const ZHelloVersion = z.object({
  type: z.literal("hello"),
  /** The protocol version the bridge speaks (PROTOCOL_VERSION of its build). */
  version: z.number().int().positive(),
});

/**
 * First frame on every socket. A client that speaks another `version` stops using the socket
 * (the bridge closes it with `CloseCode.versionMismatch` when the client named its version).
 */
export const ZHello = ZHelloVersion.extend({
  email: z.string(),
  /** Milliseconds between the bridge's heartbeats; the client may treat 2× silence as dead. */
  heartbeatMs: z.number().int().positive(),
});
export type THello = z.infer<typeof ZHello>;

export const ZPong = z.object({ type: z.literal("pong"), id: ZId });

/** A request that needs no data back succeeded. */
export const ZOk = z.object({ type: z.literal("ok"), id: ZId });

export const ZError = z.object({
  type: z.literal("error"),
  id: ZId.optional(),
  code: ErrorCode,
  message: z.string(),
  /** For search_syntax: 0-based offset in the query. */
  position: z.number().int().nonnegative().optional(),
});
export type TError = z.infer<typeof ZError>;

export const ZMailboxes = z.object({
  type: z.literal("mailboxes"),
  id: ZId,
  mailboxes: z.array(ZMailbox),
});

/** What SELECT (or EXAMINE) of a mailbox answered: the body of `mailbox.opened`. */
export const ZOpenedMailbox = z.object({
  mailbox: z.string(),
  uidValidity: z.number().int().nonnegative(),
  exists: z.number().int().nonnegative(),
  readOnly: z.boolean(),
  /** Flags the user may set here; empty when read-only. */
  permanentFlags: z.array(z.string()),
});
export type TOpenedMailbox = z.infer<typeof ZOpenedMailbox>;

export const ZMailboxOpened = ZOpenedMailbox.extend({
  type: z.literal("mailbox.opened"),
  id: ZId,
});

export const ZWindow = z.object({
  type: z.literal("list.window"),
  id: ZId,
  mailbox: z.string(),
  uidValidity: z.number().int().nonnegative(),
  query: z.string().nullable(),
  /** Messages in the mailbox (or matching the query). */
  total: z.number().int().nonnegative(),
  /**
   * `total` is an estimate (a large folder's conversations counted from its newest messages
   * while the whole folder is threaded); absent: it is exact.
   */
  estimated: z.literal(true).optional(),
  offset: z.number().int().nonnegative(),
  rows: z.array(ZMessageRow),
  /**
   * The mailbox's list revision the rows are at least at (see ZRevision); absent when the bridge
   * does not watch the mailbox, or cannot say (the sign-in's first window).
   */
  rev: ZRevision.optional(),
  /** The order of the rows (absent: DEFAULT_SORT). */
  sort: ZListSort.optional(),
  /** The server can SORT: orders other than `arrival` may be asked for. Absent: unknown. */
  canSort: z.boolean().optional(),
  /** For a search of several folders: the folders it searched, in the server's spelling. */
  searched: z.array(z.string()).optional(),
  /** Asked for `conversations`: one per row of `rows` (its newest message), in the same order. */
  conversations: z.array(ZConversationRow).optional(),
});
export type TWindow = z.infer<typeof ZWindow>;

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

// Pushed events --------------------------------------------------------------------------------

export const ZStateEvent = z.object({ type: z.literal("state"), imap: ZConnectionState });

/** New counts of a mailbox (any mailbox, not only the open one). */
export const ZStatusEvent = z.object({
  type: z.literal("mailbox.status"),
  mailbox: z.string(),
  messages: z.number().int().nonnegative(),
  unseen: z.number().int().nonnegative(),
});

/** New messages arrived: the rows to slide in at the top, and the new total. */
export const ZNewEvent = z.object({
  type: z.literal("messages.new"),
  mailbox: z.string(),
  uidValidity: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  rows: z.array(ZMessageRow),
  /** Where this event stands in the mailbox's list history (see ZEventRevision). */
  rev: ZEventRevision.optional(),
});

export const ZExpungedEvent = z.object({
  type: z.literal("messages.expunged"),
  mailbox: z.string(),
  uidValidity: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  uids: z.array(z.number().int().positive()),
  /** Where this event stands in the mailbox's list history (see ZEventRevision). */
  rev: ZEventRevision.optional(),
});

export const ZFlagsEvent = z.object({
  type: z.literal("messages.flags"),
  mailbox: z.string(),
  uidValidity: z.number().int().nonnegative(),
  changes: z.array(z.object({ uid: z.number().int().positive(), flags: z.array(z.string()) })),
  /** Where this event stands in the mailbox's list history (see ZEventRevision). */
  rev: ZEventRevision.optional(),
});

/** The mailbox changed beyond what events describe (new UIDVALIDITY, failed resync): refetch. */
export const ZResetEvent = z.object({
  type: z.literal("mailbox.reset"),
  mailbox: z.string(),
  uidValidity: z.number().int().nonnegative(),
});

/** The folder tree changed (created, renamed, deleted, subscribed): refetch `mailboxes.list`. */
export const ZMailboxesChanged = z.object({ type: z.literal("mailboxes.changed") });

/**
 * Conversations of a mailbox changed (pushed to the sockets that read a list of its
 * conversations): each change is one conversation's new row, which moved from position `from`
 * (null: a new conversation) to `to` (a new message in it: 0, the top; a flag change: where it
 * was), applied in order. `refetch`: the order changed beyond these (conversations merged or
 * split, messages expunged): the windows on screen are asked for again.
 */
export const ZConversationsChangedEvent = z.object({
  type: z.literal("conversations.changed"),
  mailbox: z.string(),
  uidValidity: z.number().int().nonnegative(),
  /** Conversations in the mailbox. */
  total: z.number().int().nonnegative(),
  changes: z.array(
    z.object({
      conversation: ZConversationRow,
      from: z.number().int().nonnegative().nullable(),
      to: z.number().int().nonnegative(),
    }),
  ),
  refetch: z.boolean(),
});

export const ZServerFrame = z.discriminatedUnion("type", [
  ZHello,
  ZPong,
  ZOk,
  ZError,
  ZMailboxes,
  ZMailboxOpened,
  ZWindow,
  ZMessageHeader,
  ZMessageBody,
  ZMessageEnd,
  ZMessagesRowsReply,
  ZMessagesMoved,
  ZStateEvent,
  ZStatusEvent,
  ZNewEvent,
  ZExpungedEvent,
  ZFlagsEvent,
  ZResetEvent,
  ZMailboxesChanged,
  ZConversationsChangedEvent,
  ...COMPOSE_SERVER_FRAMES,
  ...RULES_SERVER_FRAMES,
  ...SETTINGS_SERVER_FRAMES,
  ...SNOOZE_SERVER_FRAMES,
  ...FOLDER_SERVER_FRAMES,
  ...QUOTA_SERVER_FRAMES,
]);
export type TServerFrame = z.infer<typeof ZServerFrame>;
export type TServerFrameType = TServerFrame["type"];
/** A server frame of one type. */
export type TServerFrameOf<K extends TServerFrameType> = Extract<TServerFrame, { type: K }>;
export type TClientFrameOf<K extends TClientFrameType> = Extract<TClientFrame, { type: K }>;

export type ParseResult<T> =
  | { ok: true; frame: T }
  | { ok: false; code: "bad_request"; message: string; id?: string };

function idOf(value: unknown): string | undefined {
  if (typeof value === "object" && value !== null && "id" in value) {
    const id = (value as { id: unknown }).id;
    if (typeof id === "string" && id.length > 0 && id.length <= 64) return id;
  }
  return undefined;
}

function parseWith<T>(schema: z.ZodType<T>, text: string): ParseResult<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: "bad_request", message: "Frame is not valid JSON" };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, frame: result.data };
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
  const id = idOf(value);
  return {
    ok: false,
    code: "bad_request",
    message: `Invalid frame${where}: ${issue?.message ?? "does not match the protocol"}`,
    ...(id === undefined ? {} : { id }),
  };
}

/** Parse and validate a frame a browser sent. */
export function parseClientFrame(text: string): ParseResult<TClientFrame> {
  return parseWith(ZClientFrame, text);
}

/**
 * The protocol version a hello announces, also when the rest of it does not match this build's
 * schema (a bridge of another version); null when `text` is not a hello.
 */
export function helloVersionOf(text: string): number | null {
  try {
    const parsed = ZHelloVersion.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.version : null;
  } catch {
    return null;
  }
}

/** Parse and validate a frame the bridge sent. */
export function parseServerFrame(text: string): ParseResult<TServerFrame> {
  return parseWith(ZServerFrame, text);
}
