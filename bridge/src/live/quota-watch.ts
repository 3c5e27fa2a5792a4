/**
 * QuotaWatch: keeps a session's quota (RFC 9208) current and pushes `quota.changed` when it
 * changes. It reads the quota once when the session comes online (refresh()), and again shortly
 * after anything that can change it (poke(): mail arrived or went away in some folder), several
 * pokes close together making one read. When the server has no quota (no QUOTA, or no limit)
 * pokes cost nothing: only a refresh() (a reconnect) looks again.
 */
import type { TQuota, TServerFrame } from "@ferry/protocol";
import type { Logger } from "pino";

export interface QuotaWatchOptions {
  /** Reads the quota (on the command connection); null when the server has none. */
  read: () => Promise<TQuota | null>;
  emit: (frame: TServerFrame) => void;
  log: Logger;
  /** How long after a poke the quota is read, so that a burst of changes makes one read. */
  delayMs?: number;
}

/** Events after which the quota may have changed. */
const QUOTA_EVENTS: ReadonlySet<TServerFrame["type"]> = new Set([
  "mailbox.status",
  "messages.new",
  "messages.expunged",
]);

export class QuotaWatch {
  private readonly opts: QuotaWatchOptions;
  private readonly delayMs: number;
  /** The quota last read, as JSON; undefined before the first read. */
  private last: string | undefined;
  /** The server had a quota at the last read: pokes re-read it. */
  private limited = false;
  private timer: NodeJS.Timeout | null = null;
  private reading = false;
  private again = false;
  private closed = false;

  constructor(opts: QuotaWatchOptions) {
    this.opts = opts;
    this.delayMs = opts.delayMs ?? 250;
  }

  /** Reads the quota now (e.g. the session came online); pushes it if it changed. */
  refresh(): void {
    void this.read();
  }

  /** `frame` was pushed: when it may have changed the quota, re-read it soon. */
  observe(frame: TServerFrame): void {
    if (QUOTA_EVENTS.has(frame.type)) this.poke();
  }

  /** Something may have changed the quota: re-read it after `delayMs`, once per burst. */
  poke(): void {
    if (this.closed || !this.limited || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.read();
    }, this.delayMs);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async read(): Promise<void> {
    if (this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      const quota = await this.opts.read();
      if (this.closed) return;
      this.limited = quota !== null;
      const json = JSON.stringify(quota);
      if (json !== this.last) {
        const first = this.last === undefined;
        this.last = json;
        // A session whose server has no quota says nothing: that is what clients assume.
        if (!(first && quota === null)) this.opts.emit({ type: "quota.changed", quota });
      }
    } catch (err) {
      this.opts.log.debug({ err }, "live: quota read failed");
    } finally {
      this.reading = false;
    }
    if (this.again && !this.closed) {
      this.again = false;
      await this.read();
    }
  }
}
