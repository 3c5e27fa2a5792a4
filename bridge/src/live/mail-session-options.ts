/**
 * What a MailSession (mail-session.ts) is built with: its options and their defaults, and the
 * options of the account's shared watch connections (account-watch.ts) that follow from them.
 */
import type { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import type { AccountWatches, AccountWatchOptions } from "./account-watch";
import { fetchRows, type RowsFetcher } from "./rows";
import type { Backoff, PeriodicScheduler } from "./timing";

export interface MailSessionOptions {
  /** Builds a new connected, logged-in client (its `error` listener attached before connect). */
  connect: () => Promise<ImapFlow>;
  log: Logger;
  /** How often other folders' counts are polled (where NOTIFY is not in force). Default 30 s. */
  countsIntervalMs?: number;
  /** Use IMAP NOTIFY for other folders' counts where the server has it. Default true. */
  notify?: boolean;
  /** How often the NOTIFY connection is asked for what it did not push (folder-notify.ts). Default 10 s. */
  notifyProbeMs?: number;
  /** Reconnect back-off. Default 250 ms doubling to 30 s. */
  backoff?: Backoff;
  /** Builds the rows of `messages.new`. Default: the rows a window gives (rows.ts). */
  rowsFetcher?: RowsFetcher;
  /** After failing to reconnect this long the state becomes "offline" (retries go on). Default 2 min. */
  offlineAfterMs?: number;
  /** How long run() and openMailbox() wait for a lost connection to come back. Default 10 s. */
  reconnectWaitMs?: number;
  /** The timer for counts polling. Default: the one shared by the process. */
  scheduler?: PeriodicScheduler;
  /** Folders watched at once, INBOX included (at least 2). Default MAX_WATCHED_FOLDERS. */
  maxWatchedFolders?: number;
  /** List revisions from the bridge's counter even where the server has CONDSTORE (tests). */
  counterRevisions?: boolean;
  /**
   * The account key (session/account.ts): sessions with the same key share their watch
   * connections (account-watch.ts). Without it the session has its own.
   */
  account?: string;
  /** Where shared watch connections are found by account key. Default: the process's table. */
  accounts?: AccountWatches;
}

/**
 * Folders watched at once per account (the sessions of one account share them), INBOX included.
 * Each is one IMAP connection; with the NOTIFY connection that is 7 per account, and each
 * session adds its command connection and two side connections (downloads, compose), against
 * Dovecot's default mail_max_userip_connections of 10 per user and IP.
 */
export const MAX_WATCHED_FOLDERS = 6;

export const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 30_000 };

/** The options of the watch connections a session built with `opts` joins. */
export function watchOptionsOf(
  opts: MailSessionOptions,
  scheduler: PeriodicScheduler,
): AccountWatchOptions {
  return {
    log: opts.log,
    backoff: opts.backoff ?? DEFAULT_BACKOFF,
    offlineAfterMs: opts.offlineAfterMs ?? 120_000,
    reconnectWaitMs: opts.reconnectWaitMs ?? 10_000,
    scheduler,
    maxWatched: Math.max(2, opts.maxWatchedFolders ?? MAX_WATCHED_FOLDERS),
    rowsFetcher: opts.rowsFetcher ?? fetchRows,
    counterRevisions: opts.counterRevisions === true,
    notify: opts.notify !== false,
    notifyProbeMs: opts.notifyProbeMs,
  };
}

/** How a MailSession starts at sign-in (MailSession.start). */
export interface StartOptions {
  /**
   * The command connection logs in once this settles (the sign-in's answer is sent), when
   * `first` watches INBOX: the answer's read does not share the server and this process with
   * that login, and nothing runs on the command connection before the browser's socket is up.
   */
  commandAfter?: Promise<unknown> | undefined;
}
