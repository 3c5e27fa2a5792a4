/**
 * Other folders' counts for one MailSession (mail-session.ts), as they reach it, handed to
 * FolderCounts (folder-counts.ts), which pushes what changed.
 *
 * They are pushed by the server where it has IMAP NOTIFY (folder-notify.ts: one more connection
 * per account, with nothing selected, that the server tells of every count and folder-set
 * change, within about half a second on Dovecot; notifiedStatus, for folders no watcher
 * reports; foldersChanged, one `mailboxes.changed` per burst of folder-set news); else, and
 * while that connection is down, every `countsIntervalMs` (default 30 s) one LIST-STATUS on the
 * command connection (poll). Either way `mailbox.status` for counts that changed,
 * `mailboxes.changed` when the folder set did. All sessions of a process share one timer for the
 * poll and the NOTIFY probe (folder-notify.ts; see timing.ts); the session registers the poll on it.
 */
import type { TServerFrame } from "@ferry/protocol";
import type { ListResponse } from "imapflow";
import type { Logger } from "pino";
import { FolderCounts } from "./folder-counts";

export interface SessionCountsDeps {
  emit: (frame: TServerFrame) => void;
  log: Logger;
  /** The folders whose watcher reports their counts itself. */
  watched: () => readonly string[];
  /** Whether a poll may run now: the session is online and its command connection usable. */
  canPoll: () => boolean;
  /** Whether the session is closed. */
  closed: () => boolean;
  /** One LIST-STATUS (messages, unseen) on the command connection. */
  listStatus: () => Promise<ListResponse[]>;
}

export class SessionCounts {
  /** The counts last pushed. */
  readonly folders: FolderCounts;
  private foldersChangedTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: SessionCountsDeps) {
    this.folders = new FolderCounts((frame) => deps.emit(frame));
  }

  /**
   * Counts NOTIFY brought for `path`. A watched folder's watcher reports its counts itself (and
   * later than this could, in the order of its own events), so those are left to it. A flag
   * change brings only `unseen`: the message count is the one last sent, and when there is none
   * yet, one poll reads both.
   */
  notifiedStatus(path: string, counts: { messages?: number; unseen?: number }): void {
    if (this.deps.watched().includes(path)) return;
    const known = this.folders.get(path);
    const messages = counts.messages ?? known?.messages;
    const unseen = counts.unseen ?? known?.unseen;
    if (messages === undefined || unseen === undefined) {
      void this.poll();
      return;
    }
    this.folders.update(path, messages, unseen);
  }

  /** The folder set changed (NOTIFY): one `mailboxes.changed` for a burst of such news. */
  foldersChanged(): void {
    if (this.foldersChangedTimer) return;
    this.foldersChangedTimer = setTimeout(() => {
      this.foldersChangedTimer = null;
      this.deps.emit({ type: "mailboxes.changed" });
    }, 50);
    this.foldersChangedTimer.unref();
  }

  /** One LIST-STATUS on the command connection, handed to FolderCounts. */
  async poll(): Promise<void> {
    if (!this.deps.canPoll()) return;
    let list: ListResponse[];
    try {
      list = await this.deps.listStatus();
    } catch (err) {
      this.deps.log.debug({ err }, "live: counts poll failed");
      return;
    }
    if (this.deps.closed()) return;
    this.folders.apply(list);
  }

  /** Stops the pending `mailboxes.changed`. */
  close(): void {
    if (this.foldersChangedTimer) clearTimeout(this.foldersChangedTimer);
  }
}
