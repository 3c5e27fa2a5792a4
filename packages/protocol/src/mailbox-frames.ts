/**
 * The frames of mailboxes and their lists: the folder list, opening a mailbox, a window of its
 * list rows (or conversations, or a search's rows), marking it all read, and the events that keep
 * an open list live (counts, new, expunged and flag changes, resets, conversation moves).
 */
import { z } from "zod";
import {
  ZConversationRow,
  ZEventRevision,
  ZListSort,
  ZMailbox,
  ZMessageRow,
  ZRevision,
} from "./model";

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

export const ZMarkAllRead = z.object({
  type: z.literal("mailbox.markAllRead"),
  id: ZId,
  mailbox: ZPath,
});

// ---------------------------------------------------------------------------------------------
// Bridge → client: replies (carry the request id) and events (no id)
// ---------------------------------------------------------------------------------------------

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

// Pushed events --------------------------------------------------------------------------------

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
