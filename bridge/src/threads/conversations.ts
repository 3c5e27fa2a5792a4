/**
 * Conversation windows: rows `offset … offset+limit` of a folder's conversations, each placed
 * where its newest message in the folder sits (newest first), as `list.window` with
 * `conversations` answers them; and the rows of the conversations that moved since the last
 * push (conversationChanges), for `conversations.changed`.
 *
 * Order. A folder's conversations come from its session's ConversationCache (order.ts): one
 * THREAD over the whole folder, then kept up to date arrival by arrival, so every window of a
 * folder is a slice of the cached order (O(window) after the first) and one arrival costs
 * O(new messages), not another THREAD. In a large folder the first windows come from its newest
 * messages' THREAD while the whole folder is threaded in the background (order.ts); the lists
 * are then told to ask again (`conversations.changed` with `refetch`). The cache is the command connection's
 * (conversationCacheOf), which every window and push of the session runs on; it takes a folder's
 * order from the account's other sessions in this process, and gives its own to the next ones
 * (kept-orders.ts), so that signing in again does not thread the folder again.
 *
 * Rows. A window's (and a push's) conversations are read by conversation-rows.ts: their newest
 * members here with the one row builder, the rest's flags, a long conversation's oldest senders,
 * and their members in Sent (sent-members.ts), looked up on a connection of its own that keeps
 * Sent selected (SentSide: one per account, live/sent-connection.ts), so the connection the
 * windows run on keeps their folder selected: a SELECT of a 100,000-message INBOX after each
 * window's look into Sent costs far more than the window. Each lookup asks the server afresh
 * (withMailbox's NOOP on the selected Sent brings in what another client filed or deleted there),
 * so nothing of Sent is kept here. Trash and Junk are not looked in.
 */
import type { TConversationRow } from "@ferry/protocol";
import type { ImapFlow, MailboxObject } from "imapflow";
import { uidValidityOf, withMailbox } from "../imap/mailbox-access";
import type { SentSide } from "../imap/sent-side";
import type { WindowResult } from "../imap/window";
import { buildRows, readConversations } from "./conversation-rows";
import { accountOfConnection, accountOrders, keptOrders } from "./kept-orders";
import { knownOf } from "./known";
import { type Conversation, ConversationCache, type ConversationCacheOptions } from "./order";

export { MAX_MEMBERS_READ, ROWS_READ, SENDERS_READ } from "./conversation-rows";

export type { SentSide };

const perConnection = new WeakMap<ImapFlow, ConversationCache>();

/**
 * The conversation orders kept for `client` (a session's command connection): its windows, the
 * sign-in's and the live pushes (live/conversation-push.ts) all read and advance them, and they
 * share them with the account's other sessions in this process (kept-orders.ts). `opts` apply
 * when they are made (tests: a small folder counts as large), and then share only with
 * `opts.kept`.
 */
export function conversationCacheOf(
  client: ImapFlow,
  opts?: ConversationCacheOptions,
): ConversationCache {
  let cache = perConnection.get(client);
  if (!cache) {
    const account = opts ? null : accountOfConnection(client);
    cache = new ConversationCache(
      opts ?? (account === null ? {} : { kept: accountOrders(keptOrders, account) }),
    );
    perConnection.set(client, cache);
  }
  return cache;
}

/**
 * An order cache for one read on a connection other than the session's command connection (the
 * sign-in's first window, on the connection that watches INBOX): it takes and gives the account's
 * kept orders like any, and runs nothing on that connection afterwards.
 */
export function oneReadCache(client: ImapFlow): ConversationCache {
  const account = accountOfConnection(client);
  return new ConversationCache({
    background: false,
    ...(account === null ? {} : { kept: accountOrders(keptOrders, account) }),
  });
}

export interface ConversationWindowParams {
  mailbox: string;
  offset: number;
  limit: number;
  readOnly?: boolean | undefined;
  /** The user's addresses, shown as "me". */
  me: readonly string[];
  /** The orders to read and advance (default: the connection's, conversationCacheOf). */
  cache?: ConversationCache | undefined;
  /** Where Sent is looked in (default: `client` itself, which then selects Sent and back). */
  sent?: SentSide | undefined;
  /** Told where the folder stands once selected (a sign-in's: session/inbox-head.ts). */
  selected?: ((box: MailboxObject) => void) | undefined;
}

export type ConversationWindowResult = WindowResult & {
  conversations: TConversationRow[];
  /** `total` is the head's estimate (order.ts): the whole folder is not threaded yet. */
  estimated?: true;
};

/** One window of the conversations of `params.mailbox`. */
export async function conversationWindow(
  client: ImapFlow,
  params: ConversationWindowParams,
): Promise<ConversationWindowResult> {
  const { mailbox: path, offset, limit } = params;
  const cache = params.cache ?? conversationCacheOf(client);
  // Sent is looked in once the rows are read: its connection logs in meanwhile, not then.
  params.sent?.warm?.();
  let total = 0;
  let estimated = false;
  const read = await withMailbox(client, path, { readOnly: params.readOnly }, async (box) => {
    params.selected?.(box);
    const order = await cache.order(client, path, box, offset + limit);
    total = cache.total(path);
    estimated = cache.partial(path);
    return readConversations(client, box, order.slice(offset, offset + limit));
  });
  const built = await buildRows(client, path, read, params.me, params.sent, knownOf(cache));
  const conversations = built.filter((c): c is TConversationRow => c !== null);
  return {
    mailbox: read.box.path,
    uidValidity: uidValidityOf(read.box),
    total,
    ...(estimated ? { estimated: true as const } : {}),
    offset,
    rows: conversations.map((c) => c.newest),
    conversations,
  };
}

/** One conversation that changed: its row, moved from position `from` (null: new) to `to`. */
export interface ConversationChange {
  conversation: TConversationRow;
  from: number | null;
  to: number;
}

export interface ConversationChanges {
  mailbox: string;
  uidValidity: number;
  /** Conversations in the folder. */
  total: number;
  /** The order was built again: positions may have changed anywhere (the lists ask again). */
  rebuilt: boolean;
  /** In the order they happened (empty when rebuilt). */
  changes: ConversationChange[];
}

/**
 * Brings `path`'s kept order up to date and returns what moved since the last call (arrivals),
 * plus the conversations holding `touched` (flag changes) where they stand, with their rows.
 * Null when `path`'s order is not kept (no conversation list of it was read).
 */
export async function conversationChanges(
  client: ImapFlow,
  cache: ConversationCache,
  path: string,
  touched: readonly number[],
  me: readonly string[],
  sent?: SentSide,
): Promise<ConversationChanges | null> {
  if (!cache.has(path)) return null;
  let total = 0;
  let uidValidity = 0;
  let mailbox = path;
  let rebuilt = false;
  let moves: Array<{ conversation: Conversation; from: number | null; to: number }> = [];
  const read = await withMailbox(client, path, {}, async (box) => {
    await cache.order(client, path, box);
    total = cache.total(path);
    uidValidity = uidValidityOf(box);
    mailbox = box.path;
    const drained = cache.drain(path);
    rebuilt = drained?.rebuilt ?? false;
    moves = drained?.moves ?? [];
    if (rebuilt) return null;
    for (const uid of touched) {
      const found = cache.find(path, uid);
      if (found && !moves.some((m) => m.conversation === found.conversation))
        moves.push({ conversation: found.conversation, from: found.position, to: found.position });
    }
    const distinct = [...new Set(moves.map((m) => m.conversation))];
    return readConversations(client, box, distinct);
  });
  const base = { mailbox, uidValidity, total, rebuilt };
  if (!read) return { ...base, changes: [] };
  const built = await buildRows(client, path, read, me, sent, knownOf(cache));
  const rowOf = new Map(read.slice.map((c, i) => [c, built[i] ?? null]));
  const changes: ConversationChange[] = [];
  for (const m of moves) {
    const conversation = rowOf.get(m.conversation);
    if (conversation) changes.push({ conversation, from: m.from, to: m.to });
  }
  return { ...base, changes };
}
