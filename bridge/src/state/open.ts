/**
 * Opens the state store the configuration names: Redis when FERRY_REDIS_URL is set, else the
 * SQLite file in FERRY_DATA_DIR. Throws StoreError (naming the variable) when it cannot be used.
 * `now` is the clock of jobs and leases: Date.now, except a test clock (jobs/test-clock.ts).
 */
import type { Config } from "../config";
import type { Logger } from "../log";
import { connectRedisStore } from "./redis";
import { SqliteStore } from "./sqlite";
import type { StateStore } from "./store";

export async function openStateStore(
  config: Pick<Config, "dataDir" | "redisUrl">,
  log: Logger,
  opts: { now?: () => number } = {},
): Promise<StateStore> {
  const clock = opts.now ? { now: opts.now } : {};
  const store =
    config.redisUrl !== null
      ? await connectRedisStore(config.redisUrl, {
          ...clock,
          onError: (err) => log.warn({ err: err.message }, "state store: Redis connection lost"),
        })
      : new SqliteStore(config.dataDir, clock);
  log.info({ backend: store.backend, location: store.location }, "state store open");
  return store;
}
