/**
 * The job runner: runs the state store's jobs (state/store.ts) in this bridge, for every queue
 * given a handler (the outbox's held and scheduled mail, snoozes). Several bridges on one store
 * each run one; a job runs in one of them at a time.
 *
 * - **Claiming.** Every `pollMs` (and when a job this bridge scheduled falls due, and on
 *   `poke()`) each queue claims what is due, up to its free concurrency, with a lease of the
 *   handler's `leaseMs`. Jobs scheduled by another bridge, or left by one that died, are found by
 *   the poll; a job whose due time passed while no bridge ran is claimed at the first poll
 *   after start: late rather than never.
 * - **Working.** While a handler runs, its lease is renewed every third of `leaseMs`. A renewal
 *   refused (the lease ran out and another bridge may hold the job now) aborts the handler's
 *   `signal`; what it must never do twice it guards with a marker of its own in the store (the
 *   outbox's "SMTP accepted" marker), because a lease alone cannot make a side effect exactly-once
 *   when a process stalls past it.
 * - **Finishing.** A handler that returns completes the job (deleted from the store, once: only
 *   the lease's token can complete it); one that returns `{ retryAt }` gives it back due then;
 *   one that throws gives it back with a capped exponential back-off by attempt.
 * - **Stopping.** `stop()` stops claiming and waits for running handlers; nothing is flushed:
 *   held and scheduled jobs stay in the store for the next bridge.
 *
 * Time comes from the `now` clock. The bridge passes `BridgeOptions.clock` (server.ts), which is
 * Date.now except in tests and the e2e fixture, where a TestClock (test-clock.ts) moves time
 * forward so that a due time is reached without sleeping. The state store must use the same
 * clock (it judges what is due and when a lease ends).
 */
import type { Logger } from "../log";
import type { CancelResult, ClaimedJob, Job, NewJob, StateStore } from "../state/store";

export type Clock = () => number;

export interface JobContext {
  /** Aborted when the lease could not be renewed (another bridge may hold the job now). */
  signal: AbortSignal;
}

/** What a handler asks for when it cannot finish now: the job again, due at `retryAt`. */
export interface RetryLater {
  retryAt: number;
}

export interface QueueHandler {
  /** The lease of each claim, renewed every third of it while the handler runs. */
  leaseMs: number;
  /** Jobs of this queue running at once in this bridge; default 4. */
  concurrency?: number;
  run(job: ClaimedJob, ctx: JobContext): Promise<RetryLater | undefined> | Promise<void>;
}

export interface JobRunnerOptions {
  log: Logger;
  /** The clock of due times; default Date.now (see the header: tests pass a TestClock's). */
  now?: Clock;
  /** How often the store is asked for due jobs; default 1 s. */
  pollMs?: number;
}

/** The back-off after a handler threw on its `attempts`-th claim: 5 s doubling, at most 10 min. */
export function retryDelayMs(attempts: number): number {
  return Math.min(5000 * 2 ** Math.max(0, attempts - 1), 10 * 60_000);
}

interface Queue {
  name: string;
  handler: QueueHandler;
  running: number;
}

export class JobRunner {
  readonly #store: StateStore;
  readonly #log: Logger;
  readonly #now: Clock;
  readonly #pollMs: number;
  readonly #queues = new Map<string, Queue>();
  readonly #running = new Set<Promise<void>>();
  readonly #wakeups = new Set<NodeJS.Timeout>();
  #poller: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #again = false;
  #started = false;
  #stopped = false;

  constructor(store: StateStore, opts: JobRunnerOptions) {
    this.#store = store;
    this.#log = opts.log.child({ module: "jobs" });
    this.#now = opts.now ?? Date.now;
    this.#pollMs = opts.pollMs ?? 1000;
  }

  /** The runner's clock (the one jobs are due by). */
  now(): number {
    return this.#now();
  }

  /** Runs the due jobs of `queue` with `handler` (once per queue, before or after `start`). */
  handle(queue: string, handler: QueueHandler): void {
    if (this.#queues.has(queue)) throw new Error(`queue ${queue} already has a handler`);
    this.#queues.set(queue, { name: queue, handler, running: 0 });
    if (this.#started) this.poke();
  }

  /** Starts claiming: at once (jobs that fell due while no bridge ran), then every `pollMs`. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#poller = setInterval(() => this.poke(), this.#pollMs);
    this.#poller.unref();
    this.poke();
  }

  /**
   * Stores a job (state/store.ts `schedule`: false when it is held right now) and wakes this
   * runner when it falls due.
   */
  async schedule(job: NewJob): Promise<boolean> {
    const stored = await this.#store.schedule(job);
    if (stored) this.#wakeAt(job.dueAt);
    return stored;
  }

  /** Deletes a job nobody holds (state/store.ts `cancel`). */
  cancel(queue: string, id: string): Promise<CancelResult> {
    return this.#store.cancel(queue, id);
  }

  /** The jobs of `group` in `queue`, by due time. */
  jobs(queue: string, group: string): Promise<Job[]> {
    return this.#store.jobs(queue, group);
  }

  /**
   * Claims the job now, due or not (send now), runs it here and waits for it. False when there
   * is no such job or another holder has it right now.
   */
  async runNow(queue: string, id: string): Promise<boolean> {
    const q = this.#queue(queue);
    const job = await this.#store.claim(queue, id, { leaseMs: q.handler.leaseMs });
    if (!job) return false;
    q.running++;
    await this.#track(this.#execute(q, job));
    return true;
  }

  /** Asks the store for due jobs now (also after a test clock moved forward). */
  poke(): void {
    if (!this.#started || this.#stopped) return;
    if (this.#polling) {
      this.#again = true;
      return;
    }
    this.#polling = this.#poll()
      .catch((err: unknown) => this.#log.warn({ err }, "claiming due jobs failed"))
      .finally(() => {
        this.#polling = undefined;
        if (this.#again) {
          this.#again = false;
          this.poke();
        }
      });
  }

  /** Handlers running in this bridge now. */
  get running(): number {
    return this.#running.size;
  }

  /** Stops claiming and waits for the handlers running here; what is held stays in the store. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#poller);
    for (const timer of this.#wakeups) clearTimeout(timer);
    this.#wakeups.clear();
    await this.#polling;
    await Promise.allSettled([...this.#running]);
  }

  #queue(name: string): Queue {
    const q = this.#queues.get(name);
    if (!q) throw new Error(`no handler for queue ${name}`);
    return q;
  }

  #wakeAt(dueAt: number): void {
    if (this.#stopped) return;
    const delay = Math.max(0, dueAt - this.#now());
    if (delay > 60_000) return; // the poll finds it
    const timer = setTimeout(() => {
      this.#wakeups.delete(timer);
      this.poke();
    }, delay);
    timer.unref();
    this.#wakeups.add(timer);
  }

  async #poll(): Promise<void> {
    for (const q of this.#queues.values()) {
      const free = (q.handler.concurrency ?? 4) - q.running;
      if (free <= 0 || this.#stopped) continue;
      const claimed = await this.#store.claimDue(q.name, {
        limit: free,
        leaseMs: q.handler.leaseMs,
      });
      for (const job of claimed) {
        if (this.#stopped) {
          await this.#store.release(job).catch(() => false);
          continue;
        }
        q.running++;
        void this.#track(this.#execute(q, job));
      }
    }
  }

  #track(run: Promise<void>): Promise<void> {
    this.#running.add(run);
    return run.finally(() => this.#running.delete(run));
  }

  async #execute(q: Queue, job: ClaimedJob): Promise<void> {
    const log = this.#log.child({ queue: job.queue, job: job.id.slice(0, 12) });
    const lost = new AbortController();
    const every = Math.max(1, Math.floor(q.handler.leaseMs / 3));
    const renewer = setInterval(() => {
      this.#store.renew(job, q.handler.leaseMs).then(
        (held) => {
          if (!held && !lost.signal.aborted) {
            log.warn("job lease lost while running");
            lost.abort();
          }
        },
        (err: unknown) => log.warn({ err }, "renewing a job lease failed"),
      );
    }, every);
    renewer.unref();
    try {
      let outcome: RetryLater | undefined;
      try {
        outcome = (await q.handler.run(job, { signal: lost.signal })) ?? undefined;
      } catch (err) {
        const retryAt = this.#now() + retryDelayMs(job.attempts);
        log.warn({ err, attempts: job.attempts, retryAt }, "job failed; it will be retried");
        outcome = { retryAt };
      }
      clearInterval(renewer);
      if (outcome === undefined) {
        if (!(await this.#store.complete(job))) log.warn("job ran but its lease had run out");
      } else {
        await this.#store.release(job, { dueAt: outcome.retryAt });
        this.#wakeAt(outcome.retryAt);
      }
    } catch (err) {
      log.warn({ err }, "finishing a job failed; its lease will run out and it runs again");
    } finally {
      clearInterval(renewer);
      q.running--;
      if (!this.#stopped) this.poke();
    }
  }
}
