/**
 * Timing for the live layer: reconnect back-off, and the one timer a process shares for every
 * session's periodic work (counts polling), so a thousand idle sessions cost one timer, not a
 * thousand intervals.
 */

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/**
 * Delay before reconnect attempt `attempt` (1-based): exponential from `initialMs`, capped at
 * `maxMs`, with "equal jitter" (half fixed, half random) so sessions that dropped together do
 * not come back in lockstep.
 */
export function backoffDelay(attempt: number, b: Backoff, random: () => number = Math.random) {
  const exp = b.initialMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30);
  const base = Math.max(0, Math.min(b.maxMs, exp));
  return Math.round(base / 2 + random() * (base / 2));
}

interface Entry {
  due: number;
  intervalMs: number;
  task: () => Promise<void>;
  running: boolean;
  cancelled: boolean;
}

/**
 * Runs periodic tasks from one timer armed for the earliest due entry (a binary min-heap keyed
 * by due time). A task still running when it comes due again skips that round. The timer is
 * unref'd and disarmed when nothing is scheduled.
 */
export class PeriodicScheduler {
  private heap: Entry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Number.POSITIVE_INFINITY;

  /**
   * Runs `task` every `intervalMs`, first after `firstDelayMs` (default: a random point within
   * one interval, which spreads sessions started together). Returns the cancel function.
   */
  add(task: () => Promise<void>, intervalMs: number, firstDelayMs?: number): () => void {
    const entry: Entry = {
      due: Date.now() + (firstDelayMs ?? Math.random() * intervalMs),
      intervalMs: Math.max(1, intervalMs),
      task,
      running: false,
      cancelled: false,
    };
    this.push(entry);
    this.arm();
    return () => {
      entry.cancelled = true;
    };
  }

  /** Entries held, cancelled ones included until their turn comes (for tests). */
  get size(): number {
    return this.heap.length;
  }

  private arm(): void {
    const first = this.heap[0];
    if (!first) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.armedFor = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.timer && this.armedFor <= first.due) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = first.due;
    this.timer = setTimeout(() => this.fire(), Math.max(0, first.due - Date.now()));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (let top = this.heap[0]; top && top.due <= now; top = this.heap[0]) {
      const entry = this.pop();
      if (!entry || entry.cancelled) continue;
      entry.due = now + entry.intervalMs;
      this.push(entry);
      if (entry.running) continue;
      entry.running = true;
      let run: Promise<void>;
      try {
        run = entry.task();
      } catch {
        run = Promise.resolve();
      }
      run
        .catch(() => {})
        .finally(() => {
          entry.running = false;
        });
    }
    this.arm();
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent];
      if (!p || p.due <= entry.due) break;
      h[i] = p;
      i = parent;
    }
    h[i] = entry;
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (!top || !last || h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let child = l;
      const left = h[l];
      const right = h[r];
      if (!left) break;
      if (right && right.due < left.due) child = r;
      const c = h[child];
      if (!c || c.due >= last.due) break;
      h[i] = c;
      i = child;
    }
    h[i] = last;
    return top;
  }
}

/** The process-wide scheduler every MailSession uses unless given another. */
export const sharedScheduler = new PeriodicScheduler();
