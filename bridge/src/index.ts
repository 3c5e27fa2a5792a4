/** @ferry/bridge's public surface: start a bridge from a validated configuration. */

/** The protocol version a bridge speaks unless BridgeOptions.protocolVersion says otherwise. */
export { PROTOCOL_VERSION } from "@ferry/protocol";
export { type Config, ConfigError, loadConfig, type ServerTarget } from "./config";
export { BridgeError, isBridgeError } from "./errors";
export { connectImap, type ImapCredentials, type ImapTarget } from "./imap/connect";
export { type Clock, JobRunner, type QueueHandler } from "./jobs/runner";
export { TestClock } from "./jobs/test-clock";
export { createLogger, type Logger } from "./log";
export { type Bridge, type BridgeOptions, createBridge } from "./server";
export type { LiveMailSession, MailboxOwner, MailSessionFactory } from "./session/live";
export {
  MemorySessionStore,
  type SessionRecord,
  type SessionStore,
  StateSessionStore,
} from "./session/store";
export { openStateStore } from "./state/open";
export { connectRedisStore } from "./state/redis";
export { SqliteStore } from "./state/sqlite";
export { type StateStore, StoreError } from "./state/store";
