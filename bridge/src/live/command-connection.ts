/**
 * A session's command connection (CommandConnection): every request runs on it through run(),
 * one call at a time, waiting for the connection while it is being rebuilt. Calls marked
 * background (read-ahead the user did not ask for) wait while a foreground one is queued, but
 * never more than BACKGROUND_PASSES times in a row. An urgent call (a message the user is
 * opening) goes ahead of the queued foreground calls marked `yields` (the reads a new session
 * starts with: its lists, folders, quota), never ahead of any other (a change to flags or
 * folders keeps its order with the opens around it). Its loss is reported to the session's
 * Reconnector, which hands it a new one through set().
 */
import type { ImapFlow } from "imapflow";
import { isBridgeError } from "../errors";
import { connectionLost, isConnectionGone } from "../imap/errors";
import type { Reconnector } from "./reconnect";

/** How many foreground calls may go ahead of a waiting background call before it runs. */
export const BACKGROUND_PASSES = 8;

export interface RunOptions {
  /** Read-ahead nobody is waiting for: foreground calls queued later go first. */
  background?: boolean | undefined;
  /** A message being opened: it goes ahead of queued `yields` calls. */
  urgent?: boolean | undefined;
  /** A read whose answer does not change with an open run before it: an urgent call may pass. */
  yields?: boolean | undefined;
}

interface Job {
  run: () => Promise<void>;
  yields: boolean;
}

export class CommandConnection {
  private cmd: ImapFlow | null = null;
  private unlisten: (() => void) | null = null;
  private readonly foreground: Job[] = [];
  private readonly background: Job[] = [];
  private busy = false;
  /** Foreground calls taken since a background one last ran while one was waiting. */
  private passed = 0;

  constructor(private readonly health: Reconnector) {}

  /** The connection, or null while it is down. */
  get client(): ImapFlow | null {
    return this.cmd;
  }

  /** Takes `client` (connected, logged in) as the command connection. */
  set(client: ImapFlow): void {
    this.unlisten?.();
    this.cmd = client;
    const onClose = () => {
      if (this.cmd !== client) return;
      this.unlisten?.();
      this.unlisten = null;
      this.cmd = null;
      this.health.lost("command");
    };
    client.on("close", onClose);
    this.unlisten = () => client.off("close", onClose);
    if (!client.usable) onClose();
    else this.health.notifyWaiters();
  }

  /** Lets go of the connection (without closing it) and returns it. */
  take(): ImapFlow | null {
    this.unlisten?.();
    this.unlisten = null;
    const cmd = this.cmd;
    this.cmd = null;
    return cmd;
  }

  /**
   * Runs `fn` on the command connection, one call at a time (so a mailbox lock taken inside is
   * never interleaved with another call's). While that connection is down it waits up to
   * `reconnectWaitMs` for it; a connection lost before or during `fn` rejects with
   * BridgeError("connection_lost"). Other errors of `fn` pass through. Foreground calls run in
   * the order they came, ahead of queued background ones, except that an urgent one passes the
   * `yields` calls at the end of the queue (a running call is never cut short).
   */
  run<T>(fn: (client: ImapFlow) => Promise<T>, opts: RunOptions = {}): Promise<T> {
    // The wait for a connection that is down counts from now, not from the end of the calls
    // queued before: behind another waiting call, this one would otherwise wait twice as long.
    const since = Date.now();
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        run: () => this.runNow(fn, since).then(resolve, reject),
        yields: opts.yields === true,
      };
      if (opts.background === true) this.background.push(job);
      else if (opts.urgent === true) {
        // Behind the last call that does not yield (and so behind earlier urgent ones).
        let at = this.foreground.length;
        while (at > 0 && this.foreground[at - 1]?.yields) at--;
        this.foreground.splice(at, 0, job);
      } else this.foreground.push(job);
      this.next();
    });
  }

  private next(): void {
    if (this.busy) return;
    let job: Job | undefined;
    if (
      this.foreground.length > 0 &&
      (this.background.length === 0 || this.passed < BACKGROUND_PASSES)
    ) {
      job = this.foreground.shift();
      if (this.background.length > 0) this.passed += 1;
    } else {
      job = this.background.shift();
      this.passed = 0;
    }
    if (!job) return;
    this.busy = true;
    void job.run().finally(() => {
      this.busy = false;
      this.next();
    });
  }

  private async runNow<T>(fn: (client: ImapFlow) => Promise<T>, since: number): Promise<T> {
    const client = await this.health.waitFor(() => (this.cmd?.usable ? this.cmd : null), since);
    try {
      return await fn(client);
    } catch (err) {
      if (isBridgeError(err)) throw err;
      if (!client.usable || isConnectionGone(err)) throw connectionLost(err);
      throw err;
    }
  }
}
