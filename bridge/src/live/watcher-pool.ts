/**
 * An account's watchers (WatcherPool) and who has which mailbox open. One pool serves every
 * session of the account in the process (account-watch.ts): its owners are the sockets of all
 * of them, each tagged with its session (`member`).
 *
 * - INBOX watcher: IDLEs on INBOX always, so new mail is pushed whichever folder is open;
 * - folder watchers: one per distinct other folder that at least one owner (a socket: a browser
 *   tab) has open, IDLEing on it; closed when no owner has it open any more.
 * Dovecot advertises NOTIFY, which could fold these into one, but imapflow has no API for it and
 * drops the unsolicited STATUS answers it would bring.
 *
 * Open mailboxes are per owner: openMailbox(path, readOnly, owner) records which mailbox that
 * owner has open and in which mode (openedBy), and releaseMailbox(owner) lets go of it (a socket
 * closed). A watcher EXAMINEs its folder until some owner opens it read-write, then SELECTs it
 * (and stays so while watched); the mode each owner asked for is kept apart from that.
 *
 * Cap: at most `maxWatched` folders are watched at once, INBOX included. Opening one more closes
 * the watcher of the folder opened least recently, among those no other session's owner has
 * open when there is one (a session past the cap drops its own folders first; else the least
 * recently opened of all). Its owners keep it open as far
 * as their requests go (their read-only mode still holds), but its changes are no longer pushed
 * until some owner opens it again (the browser does on a reconnect or when the user comes back
 * to it); its counts still follow with the session's counts poll.
 */
import type { TRevision, TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import { isBridgeError } from "../errors";
import { connectionLost, reconnectError } from "../imap/errors";
import type { Reconnector } from "./reconnect";
import type { OpenedMailbox } from "./tracked-mailbox";
import { MailboxWatcher, type WatcherHooks } from "./watcher";

/** Who opened a mailbox: one token per socket, compared by identity. */
export type MailboxOwner = object;

/** What one owner has open, as openedBy() tells it. */
export interface OwnedMailbox {
  /** The mailbox as the server spells its path. */
  mailbox: string;
  /** Opened read-only: asked for, or the server answered [READ-ONLY]. */
  readOnly: boolean;
}

/** A watched folder other than INBOX. */
interface Watched {
  readonly watcher: MailboxWatcher;
  /** SELECTed rather than EXAMINEd: some owner opened it read-write since it is watched. */
  readWrite: boolean;
}

/** An owner's open mailbox. */
interface Owned extends OwnedMailbox {
  /** The key of the folder (see folderKey). */
  key: string;
  /** The session the owner belongs to. */
  member: object;
}

export interface WatcherPoolOptions {
  health: Reconnector;
  log: Logger;
  /** Folders watched at once, INBOX included. */
  maxWatched: number;
  /** A new connected, logged-in client for a watcher. */
  connect(): Promise<ImapFlow>;
  emit(frame: TServerFrame): void;
  /** What every watcher is given (its losses are reported to `health` by the pool). */
  hooks: Omit<WatcherHooks, "lost">;
}

export class WatcherPool {
  readonly inbox: MailboxWatcher;
  /** INBOX is SELECTed rather than EXAMINEd (some owner opened it read-write). */
  private inboxReadWrite = false;
  /** Watchers of the other folders some owner has open, by key; least recently opened first. */
  private readonly watched = new Map<string, Watched>();
  private readonly owners = new Map<MailboxOwner, Owned>();
  private openQueue: Promise<unknown> = Promise.resolve();
  private readonly health: Reconnector;
  private readonly hooks: WatcherHooks;

  constructor(private readonly opts: WatcherPoolOptions) {
    this.health = opts.health;
    this.hooks = {
      ...opts.hooks,
      lost: (watcher) => {
        if (this.isCurrent(watcher)) this.health.lost(watcher.role);
      },
    };
    this.inbox = new MailboxWatcher("inbox", this.hooks);
  }

  /**
   * Starts watching INBOX (EXAMINE) on `adopted`, a connection that work run() on it may use
   * before the watching starts (see MailboxWatcher.start), or else on a new connection.
   */
  startInbox(adopted: ImapFlow | null): Promise<void> {
    const started = adopted
      ? this.inbox.start(adopted, "INBOX", true, { adopt: true })
      : this.opts.connect().then((client) => this.inbox.start(client, "INBOX", true));
    return started.then(() => {
      if (this.inbox.readOnly === false) this.inboxReadWrite = true;
    });
  }

  /** What `owner` of `member` has open (after its last successful openMailbox), or null. */
  openedBy(owner: MailboxOwner, member: object): OwnedMailbox | null {
    const owned = this.owners.get(owner);
    if (!owned || owned.member !== member) return null;
    return { mailbox: owned.mailbox, readOnly: owned.readOnly };
  }

  /** Where the pushed events of `path` stand, or null when it is not watched. */
  revision(path: string): TRevision | null {
    const key = folderKey(path);
    const watcher = key === "INBOX" ? this.inbox : this.watched.get(key)?.watcher;
    if (!watcher || watcher.path === null || folderKey(watcher.path) !== key) return null;
    return watcher.revision;
  }

  /** The folders whose changes are pushed: INBOX first, then the others, least recently opened first. */
  get watchedMailboxes(): string[] {
    return ["INBOX", ...this.watched.keys()];
  }

  /** See MailSession.openMailbox; `member` is the session `owner` belongs to. */
  openMailbox(
    path: string,
    readOnly: boolean,
    owner: MailboxOwner,
    member: object,
  ): Promise<OpenedMailbox> {
    const task = this.openQueue.then(() => this.openNow(path, readOnly, owner, member));
    this.openQueue = task.then(noop, noop);
    return task;
  }

  /** See MailSession.releaseMailbox (only an owner of `member` is let go of). */
  releaseMailbox(owner: MailboxOwner, member: object): Promise<void> {
    let closing: Promise<void> = Promise.resolve();
    const task = this.openQueue.then(() => {
      const owned = this.owners.get(owner);
      if (!owned || owned.member !== member) return;
      this.owners.delete(owner);
      closing = this.unwatchIfUnused(owned.key);
    });
    this.openQueue = task.then(noop, noop);
    return task.then(() => closing).catch(noop);
  }

  /** Some watcher's connection is down. */
  anyDown(): boolean {
    if (!this.inbox.client) return true;
    for (const entry of this.watched.values()) if (!entry.watcher.client) return true;
    return false;
  }

  /** One try at every watcher whose connection is down, each a task of the session's reconnect. */
  reconnectDown(): Promise<unknown>[] {
    const tasks: Promise<unknown>[] = [];
    const inbox = this.inbox;
    if (!inbox.client) {
      tasks.push(
        this.opts.connect().then(async (client) => {
          if (inbox.path) await inbox.recover(client);
          else await inbox.start(client, "INBOX", true);
        }),
      );
    }
    for (const [key, entry] of this.watched) {
      if (entry.watcher.client) continue;
      tasks.push(
        this.opts
          .connect()
          .then((client) => entry.watcher.recover(client))
          .catch((err: unknown) => {
            if (!(isBridgeError(err) && err.code === "mailbox_not_found")) throw err;
            // The folder was deleted or renamed meanwhile: nobody has it open any more.
            if (this.watched.get(key) === entry) this.watched.delete(key);
            for (const [owner, owned] of this.owners) {
              if (owned.key === key) this.owners.delete(owner);
            }
            void entry.watcher.close();
            this.opts.emit({ type: "mailboxes.changed" });
          }),
      );
    }
    return tasks;
  }

  /**
   * Forgets the owners of `member` (a session closes; null: every owner), after the opens
   * already asked for; the folders nobody else has open stop being watched. Never rejects.
   */
  forgetOwners(member: object | null): Promise<void> {
    const closing: Promise<void>[] = [];
    const task = this.openQueue.then(() => {
      const keys = new Set<string>();
      for (const [owner, owned] of this.owners) {
        if (member !== null && owned.member !== member) continue;
        this.owners.delete(owner);
        keys.add(owned.key);
      }
      if (member !== null) for (const key of keys) closing.push(this.unwatchIfUnused(key));
    });
    this.openQueue = task.then(noop, noop);
    return task.then(() => Promise.all(closing)).then(noop, noop);
  }

  /** Closes every watcher, INBOX's included. */
  close(): Promise<void> {
    const inbox = this.inbox.close();
    const closing = [...this.watched.values()].map((entry) => entry.watcher.close());
    this.watched.clear();
    return Promise.all([inbox, ...closing]).then(noop);
  }

  // -------------------------------------------------------------------------------------------

  private async openNow(
    path: string,
    readOnly: boolean,
    owner: MailboxOwner,
    member: object,
  ): Promise<OpenedMailbox> {
    const key = folderKey(path);
    const info =
      key === "INBOX"
        ? await this.watchInbox(readOnly)
        : await this.watchFolder(key, readOnly, member);
    const ownRO = readOnly || info.readOnly;
    const before = this.owners.get(owner);
    this.owners.set(owner, { key, mailbox: info.mailbox, readOnly: ownRO, member });
    if (before && before.key !== key) void this.unwatchIfUnused(before.key);
    return ownRO ? { ...info, readOnly: true, permanentFlags: [] } : info;
  }

  /** INBOX in the mode asked for or a stronger one (read-write once anyone asked for it). */
  private async watchInbox(readOnly: boolean): Promise<OpenedMailbox> {
    await this.health.waitFor(() => (this.inbox.client?.usable ? true : null));
    const readWrite = this.inboxReadWrite || !readOnly;
    const info = await this.inbox.watch("INBOX", !readWrite);
    this.inboxReadWrite = readWrite;
    return info;
  }

  /** A folder other than INBOX: its watcher, made when there is none (and the cap kept). */
  private async watchFolder(
    key: string,
    readOnly: boolean,
    member: object,
  ): Promise<OpenedMailbox> {
    const existing = this.watched.get(key);
    if (existing) {
      const { watcher } = existing;
      await this.health.waitFor(() =>
        this.watched.get(key) !== existing || watcher.client?.usable ? true : null,
      );
      // Dropped while it was reconnecting (the folder is gone): start over.
      if (this.watched.get(key) !== existing) return this.watchFolder(key, readOnly, member);
      const readWrite = existing.readWrite || !readOnly;
      const info = await watcher.watch(key, !readWrite);
      existing.readWrite = readWrite;
      // Most recently opened last: the cap drops from the front.
      this.watched.delete(key);
      this.watched.set(key, existing);
      return info;
    }
    if (this.health.closed) throw connectionLost();
    const fail = this.health.unavailable();
    if (fail) throw fail;
    let client: ImapFlow;
    try {
      client = await this.opts.connect();
    } catch (err) {
      throw reconnectError(err);
    }
    const watcher = new MailboxWatcher("open", this.hooks);
    const info = await watcher.start(client, key, readOnly);
    if (this.health.closed) {
      await watcher.close();
      throw connectionLost();
    }
    this.watched.set(key, { watcher, readWrite: !readOnly });
    if (!watcher.client) this.health.lost("open");
    this.keepCap(key, member);
    return info;
  }

  /**
   * Closes the watchers of the least recently opened folders beyond the cap (never `opening`,
   * just opened), first those no session but `member` (the one opening) has open.
   */
  private keepCap(opening: string, member: object): void {
    while (this.watched.size + 1 > this.opts.maxWatched) {
      const candidates = [...this.watched.keys()].filter((k) => k !== opening);
      const key = candidates.find((k) => !this.openElsewhere(k, member)) ?? candidates[0];
      const entry = key === undefined ? undefined : this.watched.get(key);
      if (key === undefined || !entry) return;
      this.watched.delete(key);
      this.opts.log.info(
        { mailbox: key, max: this.opts.maxWatched },
        "live: too many folders open; the least recently opened one is no longer watched",
      );
      void entry.watcher.close();
    }
  }

  /** Some owner of a session other than `member` has the folder `key` open. */
  private openElsewhere(key: string, member: object): boolean {
    for (const owned of this.owners.values()) {
      if (owned.key === key && owned.member !== member) return true;
    }
    return false;
  }

  /** Stops watching the folder `key` when no owner has it open (never INBOX). */
  private unwatchIfUnused(key: string): Promise<void> {
    if (key === "INBOX") return Promise.resolve();
    for (const owned of this.owners.values()) if (owned.key === key) return Promise.resolve();
    const entry = this.watched.get(key);
    if (!entry) return Promise.resolve();
    this.watched.delete(key);
    return entry.watcher.close();
  }

  /** The watcher is one this pool still uses (not one closed or dropped since). */
  private isCurrent(watcher: MailboxWatcher): boolean {
    if (watcher === this.inbox) return true;
    for (const entry of this.watched.values()) if (entry.watcher === watcher) return true;
    return false;
  }
}

/** The key a folder is watched under: its path, with INBOX (any case) spelled INBOX. */
function folderKey(path: string): string {
  return path.toUpperCase() === "INBOX" ? "INBOX" : path;
}

function noop(): void {}
