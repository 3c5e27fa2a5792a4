/**
 * FolderNotify: other folders' counts pushed by the server (IMAP NOTIFY, RFC 5465) instead of
 * polled. It owns one more IMAP connection per session, with nothing selected, on which
 * imap/notify.ts has asked for the counts of every folder but INBOX and for folder-set changes;
 * what comes is handed to the session (FolderNotifyOptions.status / foldersChanged).
 *
 * - `active` is true while NOTIFY is in force; the session polls LIST-STATUS only while it is
 *   false (a server without NOTIFY, or this connection down), so polling is the fallback.
 * - A server without NOTIFY, or one that refuses it, is not asked again for this session.
 * - A NOOP every `probeMs` keeps the connection alive (imapflow closes one that hears nothing
 *   for 5 minutes) and catches what the server did not push. Dovecot (2.3, and its code since)
 *   learns of changes by an inotify watch on the account's dovecot.list.index.log, set up when
 *   the NOTIFY SET is. It rotates that file (at least 8 KB and 5 minutes old, or 64 KB) and the
 *   watch stays on the old one: from then on it sends changes only at its own
 *   mailbox_idle_check_interval (30 s by default), or when a command comes (a NOOP makes it look
 *   at once). So a STATUS that arrives while a probe's NOOP runs is a change the server had not
 *   pushed: the NOTIFY SET is renewed, which watches the current file again. A change is thus
 *   at most one probe late after a rotation, and pushed again at once after that.
 * - One that closes is rebuilt with back-off, and the NOTIFY SET it renews sends every folder's
 *   counts again, so nothing missed meanwhile stays missed.
 * - A refused password stops it (the session's other connections report that).
 */
import type { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import { isLoginFailure } from "../imap/errors";
import { type NotifySubscription, subscribeNotify } from "../imap/notify";
import { type Backoff, backoffDelay, type PeriodicScheduler } from "./timing";

/** How often the NOTIFY connection is probed by default (see the header). */
export const DEFAULT_PROBE_MS = 10_000;

export interface FolderNotifyOptions {
  /** Builds a new connected, logged-in client (its `error` listener attached). */
  connect: () => Promise<ImapFlow>;
  log: Logger;
  /** New counts of a folder other than INBOX (a flag change may bring `unseen` alone). */
  status(path: string, counts: { messages?: number; unseen?: number }): void;
  /** A folder was created, deleted, renamed or (un)subscribed (`paths`: the folders named). */
  foldersChanged(paths: readonly string[]): void;
  /** NOTIFY came into force (true) or stopped (false): the session stops or resumes polling. */
  activeChanged?(active: boolean): void;
  backoff: Backoff;
  scheduler: PeriodicScheduler;
  /** How often a NOOP asks the server for what it did not push (see the header). Default 10 s. */
  probeMs?: number | undefined;
}

export class FolderNotify {
  private readonly opts: FolderNotifyOptions;
  private client: ImapFlow | null = null;
  private subscription: NotifySubscription | null = null;
  private cancelProbe: (() => void) | null = null;
  private retry: NodeJS.Timeout | null = null;
  private attempt = 0;
  /** NOTIFY cannot be had here (no capability, refused, or the login was refused). */
  private unavailable = false;
  private closed = false;
  private isActive = false;
  /** The connect under way, if any: close() waits for it (it logs out what it made). */
  private connecting: Promise<void> | null = null;

  constructor(opts: FolderNotifyOptions) {
    this.opts = opts;
  }

  /** NOTIFY is in force: counts of other folders are pushed by the server. */
  get active(): boolean {
    return this.isActive;
  }

  /**
   * Opens the connection and asks for NOTIFY. Resolves once it is in force, or once it is known
   * that it cannot be (the caller then polls); never rejects.
   */
  async start(): Promise<void> {
    await this.connect();
  }

  /**
   * Stops for good. Resolves once no connection of its own is left: one still logging in is
   * waited for and logged out, so a session that signed out makes no login afterwards.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    await this.drop();
    await this.connecting?.catch(() => undefined);
  }

  private setActive(active: boolean): void {
    if (this.isActive === active) return;
    this.isActive = active;
    this.opts.activeChanged?.(active);
  }

  private connect(): Promise<void> {
    const run = this.connectOnce();
    this.connecting = run;
    const done = () => {
      if (this.connecting === run) this.connecting = null;
    };
    run.then(done, done);
    return run;
  }

  private async connectOnce(): Promise<void> {
    if (this.closed || this.unavailable) return;
    let client: ImapFlow;
    try {
      client = await this.opts.connect();
    } catch (err) {
      if (isLoginFailure(err)) {
        this.unavailable = true;
        return;
      }
      this.opts.log.debug({ err }, "live: NOTIFY connection failed");
      this.later();
      return;
    }
    if (this.closed) {
      await logout(client);
      return;
    }
    this.client = client;
    client.on("close", () => this.onClose(client));
    let subscription: NotifySubscription | null;
    try {
      subscription = await subscribeNotify(
        client,
        { status: this.opts.status, foldersChanged: this.opts.foldersChanged },
        this.opts.log,
      );
    } catch (err) {
      this.opts.log.debug({ err }, "live: NOTIFY SET failed");
      await this.drop();
      this.later();
      return;
    }
    if (this.closed || this.client !== client) {
      subscription?.stop();
      return;
    }
    if (!subscription) {
      this.unavailable = true;
      await this.drop();
      return;
    }
    this.subscription = subscription;
    this.attempt = 0;
    const every = this.opts.probeMs ?? DEFAULT_PROBE_MS;
    this.cancelProbe = this.opts.scheduler.add(() => this.probe(client), every, every);
    this.setActive(true);
  }

  private async probe(client: ImapFlow): Promise<void> {
    const subscription = this.subscription;
    if (this.client !== client || !client.usable || !subscription) return;
    const before = subscription.received;
    try {
      await client.noop();
    } catch (err) {
      this.opts.log.debug({ err }, "live: NOTIFY probe failed");
      return;
    }
    if (subscription.received === before || this.subscription !== subscription) return;
    this.opts.log.debug("live: NOTIFY held changes back until asked; renewing the NOTIFY SET");
    await subscription.renew();
  }

  /** The connection closed without close(): poll meanwhile, and rebuild it. */
  private onClose(client: ImapFlow): void {
    if (this.client !== client) return;
    void this.drop().then(() => this.later());
  }

  private later(): void {
    if (this.closed || this.unavailable || this.retry) return;
    this.attempt++;
    this.retry = setTimeout(
      () => {
        this.retry = null;
        void this.connect();
      },
      backoffDelay(this.attempt, this.opts.backoff),
    );
    this.retry.unref();
  }

  private async drop(): Promise<void> {
    this.setActive(false);
    this.cancelProbe?.();
    this.cancelProbe = null;
    this.subscription?.stop();
    this.subscription = null;
    const client = this.client;
    this.client = null;
    if (client) await logout(client);
  }
}

async function logout(client: ImapFlow): Promise<void> {
  if (!client.usable) {
    client.close();
    return;
  }
  await client.logout().catch(() => client.close());
}
