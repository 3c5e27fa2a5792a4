/**
 * The connection conversation rows look up the user's Sent on (sentConnectionOf): one per
 * account in this process (per AccountWatch, shared by the account's sessions as its watch
 * connections are), apart from the sessions' command connections. It keeps Sent selected (read-only) from one lookup to the next, so neither it nor
 * a command connection SELECTs anything for them: a window of a 100,000-message INBOX is not
 * followed by a SELECT of that INBOX again. Nothing of Sent is kept in memory; each lookup asks
 * the server (threads/conversations.ts). Opened on first use, or ahead of it (warm: a window of
 * conversations opens it, with Sent selected, while it reads its folder), logged out after a
 * quiet spell or when its account's watch closes (the last session left), rebuilt if it drops.
 */
import type { ImapFlow } from "imapflow";
import { withMailbox } from "../imap/mailbox-access";
import { specialFolder } from "../imap/mailboxes";
import type { SentSide } from "../imap/sent-side";
import { SideConnection } from "../session/side-connection";

/** How long an unused Sent connection stays open. */
const IDLE_CLOSE_MS = 120_000;

/** What sentConnectionOf needs of an account's shared watch. */
export interface SentConnectionHost {
  /** A new logged-in client with the credentials of one of the account's sessions. */
  connect(): Promise<ImapFlow>;
  /** Runs `fn` once the watch closes. */
  onClose(fn: () => Promise<void>): void;
}

/** A SideConnection that notes which folder it left selected (its Sent, once used). */
class SentConnection implements SentSide {
  selected: string | null = null;
  readonly side: SideConnection;
  /** A warm's LIST under way (settled once it is answered, or the warm failed). */
  private finding: Promise<void> | null = null;
  /** The client of its last use. */
  private client: ImapFlow | null = null;

  constructor(connect: () => Promise<ImapFlow>) {
    this.side = new SideConnection(connect, IDLE_CLOSE_MS);
  }

  warm(): void {
    if (this.client?.usable || this.finding) return;
    let found = () => {};
    this.finding = new Promise<void>((resolve) => {
      found = resolve;
    });
    this.runNow(async (client) => {
      const path = await specialFolder(client, "sent");
      found();
      if (path !== null && this.selected !== path) {
        await withMailbox(client, path, { readOnly: true, refresh: false }, async () => undefined);
      }
    })
      .catch(() => undefined)
      .finally(() => {
        found();
        this.finding = null;
      });
  }

  /**
   * Runs `fn` once a warm under way has listed the folders: imapflow keeps what that LIST found
   * per connection, so `fn`'s SELECT of Sent (or the warm's, whichever takes the mailbox lock
   * first) sends no LIST of its own before it.
   */
  async run<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T> {
    if (this.finding) await this.finding;
    return this.runNow(fn);
  }

  private runNow<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T> {
    return this.side.run(async (client) => {
      this.client = client;
      try {
        return await fn(client);
      } finally {
        this.selected = client.usable ? (client.mailbox ? client.mailbox.path : null) : null;
      }
    });
  }
}

const byWatch = new WeakMap<SentConnectionHost, SentConnection>();

/**
 * The Sent connection of the session whose MailSession is `mail`: its account watch's, made at
 * the first call and logged in with the watch's credentials. Undefined while the session has
 * joined no watch (its lookups then run on its command connection).
 */
export function sentConnectionOf(
  mail: { readonly accountWatch?: SentConnectionHost | null } & object,
): SentSide | undefined {
  const watch = mail.accountWatch ?? null;
  if (!watch) return undefined;
  let side = byWatch.get(watch);
  if (!side) {
    const made = new SentConnection(() => watch.connect());
    side = made;
    byWatch.set(watch, made);
    watch.onClose(() => {
      byWatch.delete(watch);
      return made.side.close();
    });
  }
  return side;
}
