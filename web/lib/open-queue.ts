/**
 * A queue of message opens with a cap on how many are in flight: the conversation stack's
 * expanded messages are opened through it a few at a time (OPENS_IN_FLIGHT), lowest priority
 * number first (the stack gives each its place on screen, top first), so a thread with dozens of
 * unread messages never sends more requests at once than the bridge's per-socket cap allows. An
 * open the bridge refuses as `rate_limited` is queued again after a back-off (or the wait the
 * refusal names, if longer), up to
 * RATE_LIMIT_RETRIES times; any other failure is the caller's to show. onIdle tells when nothing
 * is left to open (lib/mark-read.ts sends the stack's read marks then).
 */
import { FerryError } from "./errors";

/** Expanded messages of a stack opened at once. */
export const OPENS_IN_FLIGHT = 4;
/** Times a refused (`rate_limited`) open is queued again before its error is given back. */
export const RATE_LIMIT_RETRIES = 4;
/** The first back-off after a refusal; it doubles with each further one. */
export const RATE_LIMIT_BACKOFF_MS = 500;

interface Job {
  priority: number;
  seq: number;
  run(): void;
}

export interface OpenQueueOptions {
  limit?: number;
  retries?: number;
  backoffMs?: number;
  /** Waits `ms` (a timer; a test passes its own). */
  wait?: (ms: number) => Promise<void>;
}

function isRefused(err: unknown): boolean {
  return err instanceof FerryError && err.code === "rate_limited";
}

export class OpenQueue {
  readonly #limit: number;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #wait: (ms: number) => Promise<void>;
  #running = 0;
  #seq = 0;
  #waiting: Job[] = [];
  #idle: Array<() => void> = [];

  constructor(opts: OpenQueueOptions = {}) {
    this.#limit = opts.limit ?? OPENS_IN_FLIGHT;
    this.#retries = opts.retries ?? RATE_LIMIT_RETRIES;
    this.#backoffMs = opts.backoffMs ?? RATE_LIMIT_BACKOFF_MS;
    this.#wait = opts.wait ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Tasks started and not yet settled. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a free place. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Calls `fn` once no task is running or waiting: at once when none is. */
  onIdle(fn: () => void): void {
    if (this.#running === 0 && this.#waiting.length === 0) fn();
    else this.#idle.push(fn);
  }

  /**
   * Runs `task` once fewer than the cap are in flight, before any waiting task of a higher
   * `priority` number (ties in the order queued); a `rate_limited` refusal runs it again later.
   */
  async run<T>(task: () => Promise<T>, priority = 0): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#once(task, priority);
      } catch (err) {
        if (!isRefused(err) || attempt >= this.#retries) throw err;
        const told = err instanceof FerryError && err.retryAfter ? err.retryAfter * 1000 : 0;
        await this.#wait(Math.max(told, this.#backoffMs * 2 ** attempt));
      }
    }
  }

  #once<T>(task: () => Promise<T>, priority: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        priority,
        seq: this.#seq++,
        run: () => {
          this.#running++;
          let settled: Promise<T>;
          try {
            settled = task();
          } catch (err) {
            settled = Promise.reject(err);
          }
          settled.then(resolve, reject).finally(() => {
            this.#running--;
            this.#next();
          });
        },
      };
      this.#waiting.push(job);
      this.#waiting.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
      this.#next();
    });
  }

  #next(): void {
    while (this.#running < this.#limit) {
      const job = this.#waiting.shift();
      if (!job) break;
      job.run();
    }
    if (this.#running === 0 && this.#waiting.length === 0 && this.#idle.length > 0) {
      for (const fn of this.#idle.splice(0)) fn();
    }
  }
}
