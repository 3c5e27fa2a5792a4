/**
 * The bridge's entry point: load and validate the configuration (exit 1 with one line per bad
 * value), open the state store (exit 1 naming FERRY_DATA_DIR or FERRY_REDIS_URL when it cannot
 * be used), start the bridge, and shut down gracefully on SIGTERM/SIGINT.
 */
import { ConfigError, loadConfig } from "./config";
import { createBridge } from "./server";
import { StoreError } from "./state/store";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ferry-bridge: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const bridge = await createBridge(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    bridge.log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    bridge.close().then(
      () => process.exit(0),
      (err: unknown) => {
        bridge.log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err: unknown) => {
  const reason = err instanceof StoreError ? err.message : String(err);
  process.stderr.write(`ferry-bridge: failed to start: ${reason}\n`);
  process.exit(1);
});
