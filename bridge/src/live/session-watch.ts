/**
 * A MailSession's place in its account's watch connections (SessionWatch): it joins the
 * account's shared AccountWatch (account-watch.ts) once the session's own connection logged in,
 * or makes one of its own when the session has no account key; starts INBOX's watching, or waits
 * for the one another session started; after a fault, waits for the account's connections to be
 * rebuilt (once, for all its sessions); and leaves. The session's sockets open and release
 * mailboxes through here, on the account's WatcherPool, tagged with this session (`member`).
 */
import type { TRevision } from "@ferry/protocol";
import { connectionLost } from "../imap/errors";
import {
  AccountWatch,
  type AccountWatches,
  type AccountWatchOptions,
  type WatchMember,
} from "./account-watch";
import type { Reconnector } from "./reconnect";
import type { OpenedMailbox } from "./tracked-mailbox";
import type { MailboxOwner, OwnedMailbox } from "./watcher-pool";

export interface SessionWatchOptions {
  /** The account key, or null: the session then has an AccountWatch of its own. */
  account: string | null;
  accounts: AccountWatches;
  options: AccountWatchOptions;
  /** The session as its AccountWatch sees it (and the tag of its sockets in the pool). */
  member: WatchMember;
  /** The session's own connection state. */
  health: Reconnector;
}

export class SessionWatch {
  /** The AccountWatch joined (null before joining, and after leaving). */
  private current: AccountWatch | null = null;

  constructor(private readonly opts: SessionWatchOptions) {}

  /** The AccountWatch this session shares with its account's other sessions (null: none yet). */
  get watch(): AccountWatch | null {
    return this.current;
  }

  /** Some connection this session needs from the watch is down (or it has not joined). */
  get anyDown(): boolean {
    return !this.current || this.current.pool.anyDown();
  }

  /** The folders whose changes are pushed (for the whole account), INBOX first. */
  get watchedMailboxes(): string[] {
    return this.current?.pool.watchedMailboxes ?? [];
  }

  /** What `owner` of this session has open, or null. */
  openedBy(owner: MailboxOwner): OwnedMailbox | null {
    return this.current?.pool.openedBy(owner, this.opts.member) ?? null;
  }

  /** Where the pushed events of `path` stand, or null when it is not watched. */
  revision(path: string): TRevision | null {
    return this.current?.pool.revision(path) ?? null;
  }

  /** See MailSession.openMailbox: waits for the session to have joined the watch. */
  async open(path: string, readOnly: boolean, owner: MailboxOwner): Promise<OpenedMailbox> {
    const watch = this.current ?? (await this.opts.health.waitFor(() => this.current));
    return watch.pool.openMailbox(path, readOnly, owner, this.opts.member);
  }

  /** See MailSession.releaseMailbox. */
  release(owner: MailboxOwner): Promise<void> {
    return this.current?.pool.releaseMailbox(owner, this.opts.member) ?? Promise.resolve();
  }

  /**
   * This session's AccountWatch (joined now if it has none): the account's shared one, or one
   * of its own without an account key. Only called once the session's own login succeeded.
   */
  join(): AccountWatch {
    if (this.current) return this.current;
    const { account, accounts, options, member } = this.opts;
    let watch: AccountWatch;
    if (account === null) {
      watch = new AccountWatch(options);
      watch.join(member);
    } else {
      watch = accounts.join(account, member, options);
    }
    this.current = watch;
    return watch;
  }

  /** Joins the watch and waits until INBOX is watched (started here when nobody had). */
  async watchInbox(): Promise<void> {
    const health = this.opts.health;
    if (health.closed || health.loginFailure) throw connectionLost();
    const watch = this.join();
    if (watch.inboxStarted) await watch.inboxSettled();
    else await watch.startInbox(null);
    watch.startNotify();
  }

  /** Leaves the AccountWatch (the last to leave closes its connections). */
  leave(): Promise<void> {
    const watch = this.current;
    this.current = null;
    return watch ? watch.leave(this.opts.member) : Promise.resolve();
  }

  /**
   * The session's reconnect task for the watch, or null when nothing of it is down: joins it
   * once `command` (the session's own connection) is back when it has not joined (its start
   * failed, or the watch closed under it: no other member's password worked, and it starts over
   * with its own); else waits for the account's watch to rebuild its connections.
   */
  reconnect(command: Promise<unknown>): Promise<unknown> | null {
    if (this.current?.closed) this.current = null;
    const watch = this.current;
    if (!watch) return command.then(() => this.watchInbox());
    if (!watch.pool.anyDown()) return null;
    void watch.health.recover();
    return watch.health.waitFor(() => (watch.pool.anyDown() ? null : true));
  }
}
