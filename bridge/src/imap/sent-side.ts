/**
 * The shape of the connection the user's Sent is read on apart from a session's command
 * connection (live/sent-connection.ts makes it, one per account): reads of Sent run there, so
 * the command connection keeps its folder selected.
 */
import type { ImapFlow } from "imapflow";

export interface SentSide {
  /** Runs `fn` on that connection (calls may overlap: take the mailbox lock inside). */
  run<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T>;
  /** The folder it had selected when its last use ended (null: none, or not known). */
  readonly selected: string | null;
}
