/**
 * Last-resort cleanup of running fixtures when the process exits or is interrupted, so a
 * crashed or aborted test run does not leak daemons, temp dirs or main.cf entries.
 */

/** Something that can tear itself down synchronously. */
export interface SyncDisposable {
  disposeSync(): void;
}

const live = new Set<SyncDisposable>();
let installed = false;

function disposeAll(): void {
  for (const item of [...live]) {
    live.delete(item);
    try {
      item.disposeSync();
    } catch {}
  }
}

function onSignal(sig: NodeJS.Signals): void {
  disposeAll();
  if (process.listenerCount(sig) <= 1) {
    process.removeListener(sig, onSignal);
    process.kill(process.pid, sig);
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", disposeAll);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
}

/** Registers a live fixture for exit-time cleanup. */
export function track(item: SyncDisposable): void {
  install();
  live.add(item);
}

/** Unregisters a fixture that was stopped normally. */
export function untrack(item: SyncDisposable): void {
  live.delete(item);
}
