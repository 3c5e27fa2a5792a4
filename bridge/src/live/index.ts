/** The live layer: a MailSession per signed-in session, pushing IMAP changes as protocol events. */

export {
  MAX_WATCHED_FOLDERS,
  type MailboxOwner,
  MailSession,
  type MailSessionOptions,
  type OpenedMailbox,
  type OwnedMailbox,
} from "./mail-session";
export { fetchRows, type RowsFetcher } from "./rows";
export { type Backoff, PeriodicScheduler, sharedScheduler } from "./timing";
