/**
 * FolderEchoes: the folder-set changes (create, rename, delete, subscribe) this bridge process
 * made itself for one account, so that IMAP NOTIFY's report of them is known for an echo.
 *
 * Dovecot tells the account's NOTIFY connection (folder-notify.ts) of every folder-set change,
 * Ferry's own included, about half a second after it. A change through Ferry has already been
 * announced (`mailboxes.changed` to every socket of the account on this bridge, ws/dispatch.ts)
 * and its own LIST has refreshed the command connection's special-use folders, so the echo is
 * not news: announcing it again would make every tab list its folders twice and make the
 * conversation push forget what that LIST just learned.
 *
 * Where it lives: one per AccountWatch, i.e. per account and per bridge process. A change made
 * through another bridge (several bridges on one Redis store) is news to this bridge's sessions,
 * which no `announceFolders` reached, so it is not noted here and is announced as before.
 *
 * What counts as an echo: a NOTIFY report (imap/notify.ts: the folders its listing shows
 * changed) whose every folder was noted within the last `windowMs` (default 5 s; the echo comes
 * in about 0.5 s). A change elsewhere to another folder
 * is never taken for one; one elsewhere to the very folder Ferry just changed, within those
 * seconds, is (IMAP does not say who made a change), and the next change or poll brings it.
 */

/** How long after a change through Ferry its NOTIFY echo is expected. */
export const ECHO_WINDOW_MS = 5_000;

export class FolderEchoes {
  /** Folder path → until when a report of it is taken for an echo. */
  private readonly until = new Map<string, number>();

  constructor(
    private readonly windowMs = ECHO_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A change through Ferry to `paths` is about to be sent (noted before: the echo can be quick). */
  expect(paths: readonly string[]): void {
    const until = this.now() + this.windowMs;
    for (const path of paths) this.until.set(path, until);
  }

  /** A NOTIFY report of `paths` is the echo of a change noted within the window. */
  isEcho(paths: readonly string[]): boolean {
    const now = this.now();
    for (const [path, until] of this.until) if (until <= now) this.until.delete(path);
    return paths.length > 0 && paths.every((path) => this.until.has(path));
  }
}

/** What dispatch reaches of a session's account watch (live/account-watch.ts). */
interface EchoNoting {
  readonly accountWatch?: { expectFolderEcho?(paths: readonly string[]): void } | null;
}

/**
 * Tells the account watch of the session whose MailSession is `mail` that a change through Ferry
 * to `paths` is about to be sent (nothing when the session has no watch yet: no NOTIFY either).
 */
export function expectFolderEcho(mail: object, paths: readonly string[]): void {
  (mail as EchoNoting).accountWatch?.expectFolderEcho?.(paths);
}
