/**
 * When the user is still: `whenQuiet` runs work nobody waits for that takes the network and the
 * CPU for a while (the service worker's install, which fetches and stores the whole app shell)
 * once no key, pointer, wheel or touch input has come for QUIET_MS and the page is then idle. An
 * idle moment alone comes between two key presses: a user who signs in and goes down the list at
 * once would open a message while the install runs beside it.
 */
import { whenIdle } from "./idle";

/** Stillness after the last input (or the call) before the work starts. */
export const QUIET_MS = 1500;

let lastInput = Number.NEGATIVE_INFINITY;
let listening = false;

function noteInput(): void {
  lastInput = performance.now();
}

/**
 * Counts as input: something after which the page asks for what it shows (a connection's
 * start), so work nobody waits for stays out of its way as out of the user's.
 */
export function noteActivity(): void {
  listen();
  noteInput();
}

function listen(): void {
  if (listening || typeof window === "undefined") return;
  listening = true;
  for (const type of ["pointerdown", "keydown", "wheel", "touchstart"]) {
    window.addEventListener(type, noteInput, { capture: true, passive: true });
  }
}

/**
 * Runs `fn` once the user has been still for `quietMs`, counted from the last input or from
 * `since` (this call, unless told), whichever is later, and the page is idle (at the latest
 * `idleTimeoutMs` after that). Returns the cancel.
 */
export function whenQuiet(
  fn: () => void,
  quietMs = QUIET_MS,
  idleTimeoutMs = 5000,
  since = performance.now(),
): () => void {
  listen();
  let cancelled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cancelIdle = () => {};
  const quietFor = () => quietMs - (performance.now() - Math.max(lastInput, since));
  const check = (): void => {
    if (cancelled) return;
    const wait = quietFor();
    if (wait > 0) {
      timer = setTimeout(check, wait);
      return;
    }
    cancelIdle = whenIdle(() => {
      if (cancelled) return;
      // Input came while waiting for the idle moment: still again first.
      if (quietFor() > 0) check();
      else fn();
    }, idleTimeoutMs);
  };
  check();
  return () => {
    cancelled = true;
    clearTimeout(timer);
    cancelIdle();
  };
}
