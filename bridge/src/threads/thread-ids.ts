/**
 * The ids a message is threaded by, as threading reads them: its References, else the first id
 * of its In-Reply-To. Read from the header lines that come with its row (imap/rows.ts,
 * threadHeadersOf), so that conversation rows and the live push need no FETCH of their own.
 */
import type { TMessageRow } from "@ferry/protocol";
import { inReplyToOf } from "../imap/in-reply-to";
import { threadHeadersOf } from "../imap/rows";
import { messageIds } from "./references";
import { referencesOf } from "./server-thread";

/** The ids referenced by a header block holding References and In-Reply-To. */
export function threadIdsFromHeaders(headers: Buffer | undefined): string[] {
  const refs = messageIds(referencesOf(headers));
  return refs.length > 0 ? refs : messageIds(inReplyToOf(headers)).slice(0, 1);
}

/** The ids `row` references, or undefined when its row was built without its headers. */
export function threadIdsOf(row: TMessageRow): string[] | undefined {
  const headers = threadHeadersOf(row);
  return headers === undefined ? undefined : threadIdsFromHeaders(headers);
}
