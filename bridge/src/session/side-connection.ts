/**
 * A session's extra IMAP connection for long transfers (attachment and raw-source downloads),
 * so a 20 MB download never holds up the command connection the socket's requests use.
 * Opened on first use, reused while busy, logged out after a quiet spell, rebuilt if it drops.
 */
import type { ImapFlow } from "imapflow";
import { BridgeError } from "../errors";

/** How long an unused download connection stays open. */
const IDLE_CLOSE_MS = 30_000;

export class SideConnection {
  readonly #connect: () => Promise<ImapFlow>;
  readonly #idleMs: number;
  #client: Promise<ImapFlow> | undefined;
  #busy = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(connect: () => Promise<ImapFlow>, idleMs = IDLE_CLOSE_MS) {
    this.#connect = connect;
    this.#idleMs = idleMs;
  }

  /**
   * Runs `fn` with the download connection. Calls may overlap: imapflow queues commands, and
   * the parts handler takes the mailbox lock per FETCH chunk, so transfers interleave.
   */
  async run<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T> {
    if (this.#closed) throw new BridgeError("unauthorized", "Sign in again.");
    clearTimeout(this.#timer);
    this.#busy++;
    try {
      return await fn(await this.#usable());
    } finally {
      this.#busy--;
      if (this.#busy === 0 && !this.#closed) {
        this.#timer = setTimeout(() => void this.#release(), this.#idleMs);
        this.#timer.unref();
      }
    }
  }

  async #usable(): Promise<ImapFlow> {
    const current = this.#client ? await this.#client.catch(() => undefined) : undefined;
    if (current?.usable) return current;
    const next = this.#connect();
    this.#client = next;
    const forget = () => {
      if (this.#client === next) this.#client = undefined;
    };
    next.then((client) => client.on("close", forget), forget);
    return next;
  }

  async #release(): Promise<void> {
    const pending = this.#client;
    this.#client = undefined;
    const client = await pending?.catch(() => undefined);
    if (client?.usable) await client.logout().catch(() => client.close());
  }

  /** Logs out for good; later calls fail with unauthorized. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#release();
  }
}
