/**
 * The persister's writer (lib/persist.ts): after a change it waits a moment and then for the
 * page's idle time (lib/idle.ts) before writing, so the query cache and the mailbox's snapshot
 * are saved while nothing else runs and are current before the page goes; `flush` writes at once
 * only what is still unwritten (the page is being hidden or left), and nothing when it is not.
 */
import { whenIdle } from "./idle";

export interface IdleWriter {
  /** Something changed: a write follows in idle time, `delayMs` after the first unwritten change. */
  changed(): void;
  /** Writes now if anything changed since the last write; otherwise does nothing. */
  flush(): void;
  /** Whether a change is still unwritten. */
  dirty(): boolean;
  /** Drops what is unwritten and writes no more until the next change. */
  cancel(): void;
}

/** Wait after a first unwritten change before asking for idle time. */
export const WRITE_DELAY_MS = 500;
/** Longest wait for idle time once asked (a page busy for that long writes anyway). */
export const IDLE_TIMEOUT_MS = 2000;

export function createIdleWriter(
  write: () => void,
  delayMs = WRITE_DELAY_MS,
  idleTimeoutMs = IDLE_TIMEOUT_MS,
): IdleWriter {
  let unwritten = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cancelIdle: (() => void) | undefined;

  const unschedule = () => {
    clearTimeout(timer);
    timer = undefined;
    cancelIdle?.();
    cancelIdle = undefined;
  };
  const flush = () => {
    unschedule();
    if (!unwritten) return;
    unwritten = false;
    write();
  };
  return {
    changed() {
      unwritten = true;
      if (timer !== undefined || cancelIdle !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        cancelIdle = whenIdle(() => {
          cancelIdle = undefined;
          flush();
        }, idleTimeoutMs);
      }, delayMs);
    },
    flush,
    dirty: () => unwritten,
    cancel() {
      unschedule();
      unwritten = false;
    },
  };
}
