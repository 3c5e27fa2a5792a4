/**
 * Keeping a watcher's connection in IDLE on its mailbox (IdleKeeper), whenever the watcher has
 * no job queued (watcher.ts calls drained()). Before it IDLEs, mail the connection holds but was
 * never reported is looked for (watcher-flush lookForUnreported), and the connection must still
 * have the watched mailbox selected: when something else left it on another mailbox or on none,
 * the mailbox is selected again (and resynced) first, and a connection on which that keeps
 * failing is closed, so that it is rebuilt as a lost one. An IDLE that ends while the watcher
 * has no job (no job of its own broke it: imapflow's NOOP after a quiet spell, a command run on
 * the connection outside the watcher, the server) is started again once the connection has been
 * quiet for QUIET_MS (what ended it may be a sequence of commands, which an IDLE between two of
 * them would hold up), not after imapflow's auto-IDLE delay (15 s), during which nothing the
 * server has to announce would be pushed.
 */
import type { ImapFlow } from "imapflow";
import type { Tracked } from "./tracked-mailbox";
import { type FlushHost, lookForUnreported } from "./watcher-flush";

/** Looks for unreported mail in a row (each a flush) before the watcher IDLEs regardless. */
const MAX_LOOKS = 3;
/** Selects of the watched mailbox in a row, without an IDLE on it between, before giving up. */
const MAX_RESELECTS = 3;
/** How long nothing may be sent on the connection before an IDLE something else ended is restarted. */
const QUIET_MS = 300;
/** An IDLE shorter than this that no job ended counts towards MAX_QUICK_ENDS. */
const QUICK_END_MS = 1_000;
/** Short IDLEs in a row ended by nothing of the watcher's before it stops starting them again. */
const MAX_QUICK_ENDS = 5;

/** What the IdleKeeper needs of its watcher, besides what a flush does. */
export interface IdleHost extends FlushHost {
  /** The watcher has a job queued or running (each job ends in drained()). */
  busy(): boolean;
  /** The watcher was closed. */
  closed(): boolean;
  /** Queues a job that selects `t`'s mailbox again on `client` and resyncs it. */
  reselect(client: ImapFlow, t: Tracked): Promise<void>;
}

export class IdleKeeper {
  /** Looks for unreported mail since the watcher last IDLEd. */
  private looks = 0;
  /** Selects of the watched mailbox since the watcher last IDLEd on it. */
  private reselects = 0;
  /** IDLEs in a row that ended quickly with no job of the watcher's. */
  private quickEnds = 0;
  private quietTimer: NodeJS.Timeout | null = null;

  constructor(private readonly host: IdleHost) {}

  /** A job of the watcher's ran to its end: the connection is in use, not failing by itself. */
  jobDone(): void {
    this.quickEnds = 0;
  }

  /** The watcher closed. */
  stop(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = null;
  }

  /** The watcher's queue is empty: IDLE on its mailbox now (see the module header). */
  drained(): void {
    const host = this.host;
    if (host.closed()) return;
    if (this.looks < MAX_LOOKS && lookForUnreported(host)) {
      this.looks++;
      return;
    }
    this.looks = 0;
    const client = host.connection();
    const t = host.tracked();
    if (!client?.usable || !t) return;
    if (!client.mailbox || client.mailbox.path !== t.path) {
      this.selectAgain(client, t);
      return;
    }
    this.reselects = 0;
    const asked = performance.now();
    client.idle({ whenFree: true }).then(
      () => this.idleEnded(client, asked),
      (err: unknown) => {
        host.log.debug({ err, role: host.role }, "live: IDLE ended with an error");
        this.idleEnded(client, asked);
      },
    );
  }

  /** The connection is on another mailbox or none: select the watched one again, or give up. */
  private selectAgain(client: ImapFlow, t: Tracked): void {
    const host = this.host;
    const selected = client.mailbox ? client.mailbox.path : null;
    if (++this.reselects > MAX_RESELECTS) {
      this.reselects = 0;
      host.log.warn(
        { role: host.role, mailbox: t.path, selected },
        "live: the watched mailbox could not be selected again; reconnecting",
      );
      client.close();
      return;
    }
    host.log.info(
      { role: host.role, mailbox: t.path, selected },
      "live: the watcher's connection left its mailbox; selecting it again",
    );
    host.reselect(client, t).catch((err: unknown) => {
      host.log.debug({ err, role: host.role }, "live: selecting the watched mailbox failed");
    });
  }

  /**
   * An IDLE asked for at `asked` is over: when nothing of the watcher's ended it, IDLE again once
   * the connection is quiet.
   */
  private idleEnded(client: ImapFlow, asked: number): void {
    const host = this.host;
    if (host.closed() || host.busy() || client !== host.connection() || !client.usable) return;
    // Another IDLE took over (a later drained(), or imapflow's own auto-IDLE).
    if (client.idling) return;
    this.quickEnds = performance.now() - asked < QUICK_END_MS ? this.quickEnds + 1 : 0;
    if (this.quickEnds > MAX_QUICK_ENDS) {
      if (this.quickEnds === MAX_QUICK_ENDS + 1) {
        host.log.warn(
          { role: host.role, mailbox: host.tracked()?.path },
          "live: IDLE keeps ending at once; left to imapflow's auto-IDLE until the next change",
        );
      }
      return;
    }
    this.whenQuiet(client, client.stats().sent);
  }

  /** drained() once nothing was sent on `client` for QUIET_MS (`sent`: bytes sent until now). */
  private whenQuiet(client: ImapFlow, sent: number): void {
    if (this.quietTimer) return;
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      const host = this.host;
      if (host.closed() || host.busy() || client !== host.connection() || !client.usable) return;
      if (client.idling) return;
      const now = client.stats().sent;
      if (now !== sent) this.whenQuiet(client, now);
      else this.drained();
    }, QUIET_MS);
    this.quietTimer.unref();
  }
}
