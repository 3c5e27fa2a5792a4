/**
 * INBOX's first window, fetched ahead at sign-in: the HTTP sign-in queues it on the connection
 * that watches INBOX (MailSession.prefetch: the INBOX watcher's, before it starts watching, so
 * no change made after the window is missed; a window of conversations too, when the account's
 * Sent connection is there to look into Sent, else on the command connection). When the sign-in
 * request asks for the window, the answer waits for it a little (SIGN_IN_HEAD_WAIT_MS) and
 * carries it, so the browser paints the rows without waiting for its socket (and the socket's
 * first `list.window`, which asks for it again, takes that read while it is the same window and
 * still good); else (takeInboxHead) the socket's `list.window` for
 * exactly that window takes it (only while nothing in any list changed since): the window of the
 * user's saved view, of conversations (takeConversationsHead) when the order of the whole of INBOX is kept. Of
 * conversations, the answer carries only the rows the page said its screen shows and a few more
 * (signInConversations; SIGN_IN_CONVERSATIONS when it did not say), read while the account's
 * Sent connection opens beside it (SentSide.warm), or, when the account kept the last sign-in's
 * look into Sent and neither Sent (one STATUS) nor INBOX (its SELECT) changed since, without it
 * (signInSide): the Sent connection then opens once the answer is on its way. In another order
 * than the default (the user's kept choice, ZSessionRequest `inbox.sort`) the window is of
 * messages in that order, kept for the socket's `list.window` of the same order.
 */
import {
  DEFAULT_SORT,
  LIST_WINDOW_SIZE,
  type TListSort,
  type TSignInWindow,
} from "@ferry/protocol";
import type { ImapFlow, MailboxObject } from "imapflow";
import { specialFolder } from "../imap/mailboxes";
import type { SentSide } from "../imap/sent-side";
import { listWindow, type WindowResult } from "../imap/window";
import { sentConnectionOf } from "../live/sent-connection";
import { conversationWindow, oneReadCache } from "../threads/conversations";
import { accountOfConnection, keptOrders } from "../threads/kept-orders";
import { boxStampOf, keptSent, sentStampOf } from "../threads/kept-sent";
import type { ConversationCache } from "../threads/order";
import type { LiveMailSession } from "./live";

const INBOX_HEAD = "list.window INBOX head";
const CONVERSATIONS_HEAD = "conversations INBOX head";

/** Another order than the default: INBOX's head in it is read ahead under a key of its own. */
function otherOrder(sort: TListSort | undefined): TListSort | null {
  return sort && (sort.key !== DEFAULT_SORT.key || sort.reverse !== DEFAULT_SORT.reverse)
    ? sort
    : null;
}

/** Where INBOX's head of messages, in `sort` (or the default), waits for the socket. */
function inboxHeadKey(sort: TListSort | null): string {
  return sort ? `${INBOX_HEAD} ${sort.key}.${sort.reverse ? "desc" : "asc"}` : INBOX_HEAD;
}

/**
 * How long the sign-in answer waits for INBOX's first window. The browser would wait for it
 * anyway; past this, the answer goes without it (a slow server, a huge mailbox) and the socket
 * asks.
 */
export const SIGN_IN_HEAD_WAIT_MS = 2_000;

/**
 * How many conversations the sign-in answer carries when the page did not say how many rows its
 * screen shows: more than a tall screen shows (about 12 rows on a desktop, 10 on a phone), not a
 * whole window. Each conversation costs FETCHes of up
 * to 5 newest and 10 older members (most of the answer's time, parsing included), and the page
 * asks for the whole window over its socket as soon as it is up (its hello refetches the list on
 * screen), which finds INBOX's order already threaded.
 */
export const SIGN_IN_CONVERSATIONS = 30;

/**
 * Conversations carried beyond the rows the page said its screen shows: its list pane is a
 * little shorter than the window it measured, and these cover a first scroll or a list a few
 * rows taller than estimated while the rest of the window comes over the socket.
 */
export const SIGN_IN_SPARE_ROWS = 4;

/** How many conversations the sign-in answer carries for a screen of `rows` rows (or none said). */
function signInConversations(rows: number | undefined): number {
  if (rows === undefined) return SIGN_IN_CONVERSATIONS;
  return Math.min(rows + SIGN_IN_SPARE_ROWS, LIST_WINDOW_SIZE);
}

/** The window the web app asks for first after signing in: the top of INBOX, no search. */
function isInboxHead(request: {
  mailbox: string;
  offset: number;
  limit: number;
  query: string | null;
}): boolean {
  return (
    request.mailbox === "INBOX" &&
    request.offset === 0 &&
    request.limit === LIST_WINDOW_SIZE &&
    request.query === null
  );
}

/**
 * At sign-in: queue INBOX's first window on the INBOX watcher's connection, for the socket's
 * first `list.window`. Of conversations (`conversations`: the window the user's saved view asks
 * for) when the account keeps the order of the whole of INBOX (kept-orders.ts: no THREAD to wait
 * for; a head's is left to the command connection, whose cache threads the rest once it is quiet)
 * and has a Sent connection: read as the sign-in answer's are (the kept look into Sent), so that
 * window waits neither for the command connection's login and SELECT nor for a Sent connection.
 */
export function prefetchInboxHead(
  mail: LiveMailSession,
  conversations?: { account: string; me: string },
): void {
  const sent = conversations ? sentConnectionOf(mail) : undefined;
  if (conversations && sent && keptOrders.whole(conversations.account, "INBOX")) {
    mail.prefetch(CONVERSATIONS_HEAD, async (client) => {
      try {
        return await signInRead(
          client,
          sent,
          conversations.me,
          LIST_WINDOW_SIZE,
          oneReadCache(client),
        );
      } finally {
        // Not opened for it when its look into Sent was kept: opened now, for the windows to come.
        setImmediate(() => sent.warm?.());
      }
    });
    return;
  }
  mail.prefetch(INBOX_HEAD, (client) =>
    listWindow(client, { mailbox: "INBOX", offset: 0, limit: LIST_WINDOW_SIZE, query: null }),
  );
}

/**
 * The prefetched first window of conversations (prefetchInboxHead) when `request` asks for it
 * and it is still good; else null.
 */
export function takeConversationsHead(
  mail: LiveMailSession,
  request: { mailbox: string; offset: number; limit: number; query: string | null },
): Promise<WindowResult> | null {
  return isInboxHead(request) ? mail.takePrefetched<WindowResult>(CONVERSATIONS_HEAD) : null;
}

/**
 * The prefetched first window of messages when `request` asks for it, in its order, and it is
 * still good; else null.
 */
export function takeInboxHead(
  mail: LiveMailSession,
  request: {
    mailbox: string;
    offset: number;
    limit: number;
    query: string | null;
    sort?: TListSort | undefined;
  },
): Promise<WindowResult> | null {
  return isInboxHead(request)
    ? mail.takePrefetched<WindowResult>(inboxHeadKey(otherOrder(request.sort)))
    : null;
}

/**
 * Whether `limit` conversations read from the top of INBOX are the socket's first window too
 * (LIST_WINDOW_SIZE of them): they are as many, or all there are (counted exactly, not a
 * threaded head's estimate).
 */
function coversHead(result: WindowResult, limit: number): boolean {
  if (limit >= LIST_WINDOW_SIZE) return true;
  return result.estimated !== true && result.rows.length >= result.total;
}

/** Settles with `result`, or with null after `ms`; a failed read is null too. */
function within<T>(result: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    result.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
    );
  });
}

/**
 * The Sent side the sign-in's rows look into Sent on, on `client` (the verifying connection), and
 * what to tell when INBOX is selected: `sent` itself, opened at once, unless its account kept the
 * sign-in's look into Sent (threads/kept-sent.ts). Then one STATUS tells whether Sent changed
 * since: unchanged, the kept lookup answers the same one (and with INBOX unchanged too, as its
 * SELECT tells, it is likely the same: `sent` is then not opened before the answer); else `sent`
 * is opened now, and the lookup made there is kept for the next sign-in.
 */
async function signInSide(
  client: ImapFlow,
  sent: SentSide,
): Promise<{ side: SentSide; selected?: (box: MailboxObject) => void }> {
  const account = accountOfConnection(client);
  if (account === null || !keptSent.has(account)) sent.warm?.();
  const path = await specialFolder(client, "sent");
  if (account === null || path === null) return { side: sent };
  const sentStamp = await sentStampOf(client, path);
  if (sentStamp === null) {
    sent.warm?.();
    return { side: sent };
  }
  let inbox = "";
  const side: SentSide = {
    run: (fn) => sent.run(fn),
    get selected() {
      return sent.selected;
    },
    warm: () => undefined,
    lookups: keptSent.lookups(account, sentStamp, () => inbox),
  };
  const selected = (box: MailboxObject) => {
    inbox = boxStampOf(box);
    if (!keptSent.matches(account, sentStamp, inbox)) sent.warm?.();
  };
  return { side, selected };
}

/**
 * At sign-in, on the verifying connection: INBOX's first `limit` conversations, Sent looked into
 * on `sent` (signInSide) or, without one, on `client`. The rows' look into Sent first asks which
 * folder is Sent (specialFolder: a LIST of every folder). Asked before the window, that LIST also
 * tells imapflow INBOX exists, so its SELECT goes without the LIST "" "INBOX" and LSUB it sends
 * for a folder it has not listed.
 */
async function signInRead(
  client: ImapFlow,
  sent: SentSide | undefined,
  me: string,
  limit: number,
  cache?: ConversationCache,
) {
  const side = sent ? await signInSide(client, sent) : undefined;
  if (!side) await specialFolder(client, "sent");
  return conversationWindow(client, {
    mailbox: "INBOX",
    offset: 0,
    limit,
    me: [me],
    sent: side?.side,
    selected: side?.selected,
    cache,
  });
}

/**
 * At sign-in: INBOX's first window for the sign-in answer (of conversations when the user reads
 * INBOX that way), or null when it is not read within `waitMs` (the socket then asks for it).
 * `rows`: how many rows the page's screen shows (a window of conversations is cut to that many
 * and SIGN_IN_SPARE_ROWS more).
 */
export async function inboxHeadForSignIn(
  mail: LiveMailSession,
  opts: {
    conversations: boolean;
    me: string;
    rows?: number | undefined;
    sort?: TListSort | undefined;
    waitMs?: number;
  },
): Promise<TSignInWindow | null> {
  let queued: Promise<WindowResult> | null = null;
  /** Where `queued` waits for the socket's first window too (none: read on the command connection). */
  let key: string | null = null;
  let sent: SentSide | undefined;
  const sort = otherOrder(opts.sort);
  if (sort) {
    // The page shows INBOX in the user's kept order: of messages (conversations group the
    // default order only), read as the socket's `list.window` in that order reads it (SORT, or
    // a server without it failing the read: the answer then goes without the window, and the
    // page learns over its socket that it cannot sort).
    key = inboxHeadKey(sort);
    mail.prefetch(key, (client) =>
      listWindow(client, {
        mailbox: "INBOX",
        offset: 0,
        limit: LIST_WINDOW_SIZE,
        query: null,
        sort,
      }),
    );
    queued = mail.keepPrefetched<WindowResult>(key);
  } else if (opts.conversations) {
    // Carried in the answer, it paints sooner than over the socket (quick bench at 10,000, load
    // 5-9: 276 against 449 ms from the click; read ahead here but left to the socket's request,
    // which cannot take it, 603 ms). Sent is read on the account's Sent connection, whose login
    // runs beside INBOX's read (or, when its account kept this look into Sent and Sent has not
    // changed, after the answer: signInSide); so the window reads INBOX alone and is read, as a
    // flat one, on the connection that watches INBOX (it verified the password: the command
    // connection's login and SELECT are not waited for), with an order cache of its own for
    // that one read.
    sent = sentConnectionOf(mail);
    const limit = signInConversations(opts.rows);
    const read = (client: ImapFlow, cache?: ConversationCache) =>
      signInRead(client, sent, opts.me, limit, cache);
    if (sent) {
      // Not queued (the INBOX watcher's connection is down): the socket asks, as for a flat
      // window. The command connection is no place for it: it logs in once this is answered.
      // Left queued (keepPrefetched): the socket's first window takes it when it is the same.
      mail.prefetch(CONVERSATIONS_HEAD, (client) => read(client, oneReadCache(client)));
      key = CONVERSATIONS_HEAD;
      queued = mail.keepPrefetched<WindowResult>(CONVERSATIONS_HEAD);
    } else {
      queued = mail.run((client) => read(client));
    }
  } else {
    prefetchInboxHead(mail);
    key = INBOX_HEAD;
    queued = mail.keepPrefetched<WindowResult>(INBOX_HEAD);
  }
  if (!queued) return null;
  const result = await within(queued, opts.waitMs ?? SIGN_IN_HEAD_WAIT_MS);
  // Not opened for the answer (its look into Sent was kept): opened now, for the windows to come,
  // once the answer is on its way.
  const side = sent;
  if (side?.warm) setImmediate(() => side.warm?.());
  if (result === null) {
    // Not in time: the socket will ask for the window. The flat read stays kept for it (no
    // second read behind it); of conversations it may be fewer: the command connection reads it.
    if (opts.conversations && !sort) mail.takePrefetched(CONVERSATIONS_HEAD);
    return null;
  }
  if (key !== null) {
    // The socket's first hello asks for the window again (the page learns so what changed since
    // the answer): the same one, it is answered from this read while no list changed since it
    // was queued (takeInboxHead, takeConversationsHead), instead of read again ahead of the
    // user's first open on the command connection. Kept from now on, as long as a read-ahead.
    if (opts.conversations && !sort && !coversHead(result, signInConversations(opts.rows))) {
      mail.takePrefetched(key);
    } else {
      mail.keepPrefetched(key);
    }
  }
  const { rev: _rev, searched: _searched, ...window } = result;
  return { ...window, query: null };
}
