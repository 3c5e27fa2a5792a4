/**
 * The shape of the connection the user's Sent is read on apart from a session's command
 * connection (live/sent-connection.ts makes it, one per account): reads of Sent run there, so
 * the command connection keeps its folder selected.
 */
import type { ImapFlow } from "imapflow";
import type { SentLookups } from "../threads/kept-sent";

export interface SentSide {
  /** Runs `fn` on that connection (calls may overlap: take the mailbox lock inside). */
  run<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T>;
  /** The folder it had selected when its last use ended (null: none, or not known). */
  readonly selected: string | null;
  /**
   * Opens the connection and selects Sent on it, unless that is done or under way, so that a
   * lookup about to come does not wait for a login first. Never rejects: a failure is left for
   * the lookup to meet.
   */
  warm?(): void;
  /**
   * Lookups kept from an earlier one at Sent's current state (a sign-in's read only:
   * threads/kept-sent.ts): one found there is not asked of the server again.
   */
  readonly lookups?: SentLookups;
}

/**
 * Whether a message of `mailbox` is read on `sent` rather than on the session's command
 * connection: the Sent connection has that folder selected, and it is not the folder the asking
 * socket has open (`open`), so the command connection keeps that one selected.
 */
export function readsOnSent(
  sent: SentSide | undefined,
  mailbox: string,
  open: string | undefined,
): sent is SentSide {
  return sent !== undefined && sent.selected === mailbox && open !== mailbox;
}
