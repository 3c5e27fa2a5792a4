/**
 * Teardown of everything the benchmark starts (bridge processes, the browser, the mail server,
 * sockets), newest first, on a normal end, on an error and on Ctrl-C / SIGTERM. Each resource
 * registers an async `close` and, where it owns a process, a synchronous `kill` for the
 * process-exit hook, so nothing is left running even if an async close cannot finish.
 */

interface Resource {
  name: string;
  close: () => Promise<void>;
  kill?: () => void;
}

const resources: Resource[] = [];
let installed = false;
let closing: Promise<void> | null = null;
let signalled: NodeJS.Signals | null = null;

/** The signal that interrupted the run, if any: start nothing new after it. */
export function interrupted(): NodeJS.Signals | null {
  return signalled;
}

/** Registers a resource; returns the function that unregisters it (after closing it yourself). */
export function onCleanup(resource: Resource): () => void {
  install();
  resources.push(resource);
  return () => {
    const i = resources.indexOf(resource);
    if (i >= 0) resources.splice(i, 1);
  };
}

/** Closes every registered resource, newest first, each with a deadline. Safe to call twice. */
export function cleanupAll(deadlineMs = 20_000): Promise<void> {
  closing ??= (async () => {
    while (resources.length > 0) {
      const r = resources.pop();
      if (!r) break;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          r.close(),
          new Promise<void>((_, reject) => {
            timer = setTimeout(() => reject(new Error("timed out")), deadlineMs);
          }),
        ]);
      } catch (err) {
        process.stderr.write(`bench: closing ${r.name} failed: ${(err as Error).message}\n`);
        r.kill?.();
      } finally {
        clearTimeout(timer);
      }
    }
  })();
  return closing;
}

function killAllSync(): void {
  for (const r of resources.splice(0).reverse()) {
    try {
      r.kill?.();
    } catch {}
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", killAllSync);
  const onSignal = (signal: NodeJS.Signals) => {
    signalled = signal;
    process.stderr.write(`\nbench: ${signal}, cleaning up…\n`);
    const force = setTimeout(() => {
      killAllSync();
      process.exit(130);
    }, 25_000);
    force.unref();
    void cleanupAll(5_000).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
}
