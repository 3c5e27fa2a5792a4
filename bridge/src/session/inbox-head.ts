/**
 * INBOX's first window, fetched ahead at sign-in: the HTTP sign-in queues it on the connection
 * that watches INBOX (MailSession.prefetch: the INBOX watcher's, before it starts watching, so
 * no change made after the window is missed), so that the SELECT and FETCH run while the browser
 * renders and opens its socket, and the socket's `list.window` for exactly that window takes the
 * result (only while nothing in any list changed since).
 */
import { LIST_WINDOW_SIZE } from "@ferry/protocol";
import { listWindow, type WindowResult } from "../imap/window";
import type { LiveMailSession } from "./live";

const INBOX_HEAD = "list.window INBOX head";

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
