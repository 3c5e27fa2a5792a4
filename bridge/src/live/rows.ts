/**
 * The rows of `messages.new`: built by imap/window.ts, the one row builder, so that a row pushed
 * live is the row a window gives for the same message. A MailSession takes another builder only
 * through its `rowsFetcher` option (tests).
 */

import type { TMessageRow } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import type { UidSelection } from "../imap/mailbox-access";
import { rowsForUids } from "../imap/window";

/**
 * Builds the rows of `uids` in `mailbox`, newest first. It is called on a connection where
 * `mailbox` is already selected: it must not select another mailbox or take a mailbox lock in a
 * different access mode. UIDs that no longer exist are left out. Flags of other messages that
 * the server announced meanwhile go to `onFlags` (see rowsForUids).
 */
export type RowsFetcher = (
  client: ImapFlow,
  mailbox: string,
  uids: UidSelection,
  onFlags?: (changes: Map<number, string[]>) => void,
) => Promise<TMessageRow[]>;

export const fetchRows: RowsFetcher = rowsForUids;

export type { UidSelection };
