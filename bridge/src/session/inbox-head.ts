/**
 * INBOX's first window, fetched ahead at sign-in: the HTTP sign-in queues it on the connection
 * that watches INBOX (MailSession.prefetch: the INBOX watcher's, before it starts watching, so
 * no change made after the window is missed). When the sign-in request asks for it, the answer
 * waits for it a little (SIGN_IN_HEAD_WAIT_MS) and carries it, so the browser paints the rows
 * without waiting for its socket; else (takeInboxHead) the socket's `list.window` for exactly
 * that window takes it (only while nothing in any list changed since). A first window of
 * conversations is left to the socket (inboxHeadForSignIn says why).
 */
import { LIST_WINDOW_SIZE, type TSignInWindow } from "@ferry/protocol";
import { listWindow, type WindowResult } from "../imap/window";
import type { LiveMailSession } from "./live";

const INBOX_HEAD = "list.window INBOX head";

/**
 * How long the sign-in answer waits for INBOX's first window. The browser would wait for it
 * anyway; past this, the answer goes without it (a slow server, a huge mailbox) and the socket
 * asks.
 */
export const SIGN_IN_HEAD_WAIT_MS = 2_000;

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

/** At sign-in: queue INBOX's first window on the INBOX watcher's connection. */
export function prefetchInboxHead(mail: LiveMailSession): void {
  mail.prefetch(INBOX_HEAD, (client) =>
    listWindow(client, { mailbox: "INBOX", offset: 0, limit: LIST_WINDOW_SIZE, query: null }),
  );
}

/** The prefetched first window when `request` asks for it and it is still good; else null. */
export function takeInboxHead(
  mail: LiveMailSession,
  request: { mailbox: string; offset: number; limit: number; query: string | null },
): Promise<WindowResult> | null {
  return isInboxHead(request) ? mail.takePrefetched<WindowResult>(INBOX_HEAD) : null;
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
 * At sign-in: INBOX's first window of messages for the sign-in answer, or null when it is not
 * read within `waitMs` (the socket then asks for it). A first window of conversations is left to
 * the socket: it needs the command connection (still logging in) and reads far more than a
 * window of messages, work the browser's first render of the mailbox overlaps when it is asked
 * for over the socket (quick bench at 1,000 and 10,000: waiting for it in the answer, or reading
 * it ahead here where the socket's request cannot take it, made the cold sign-in slower).
 */
export async function inboxHeadForSignIn(
  mail: LiveMailSession,
  opts: { conversations: boolean; waitMs?: number },
): Promise<TSignInWindow | null> {
  if (opts.conversations) return null;
  prefetchInboxHead(mail);
  const queued = mail.takePrefetched<WindowResult>(INBOX_HEAD);
  if (!queued) return null;
  const result = await within(queued, opts.waitMs ?? SIGN_IN_HEAD_WAIT_MS);
  if (result === null) {
    // Not in time: the socket will ask for the window; read it again for that, behind this one.
    prefetchInboxHead(mail);
    return null;
  }
  const { rev: _rev, searched: _searched, ...window } = result;
  return { ...window, query: null };
}
