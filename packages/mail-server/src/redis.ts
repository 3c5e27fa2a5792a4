/**
 * A throwaway redis-server on loopback for tests and the benchmark, started the way the fixture
 * starts Dovecot: Debian's /usr/bin/redis-server run directly (never the system service, its
 * config or its port), on a free port of 127.0.0.1, in its own temp dir, with no persistence
 * (no RDB snapshots, no append-only file), stopped and removed by `stop()` or at process exit.
 * `halt()` and `resume()` take it down and bring it back on the same port with the same data
 * (saved to its dir on the way down, loaded on the way up), for tests of a Redis outage.
 */
import { accessSync, constants } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { track } from "./cleanup";
import { LocalServer } from "./local-server";
import { freePorts } from "./ports";
import { isAlive, waitFor } from "./proc";

export const REDIS_SERVER = "/usr/bin/redis-server";
const DIR_PREFIX = "ferry-redis-";

/** A running throwaway Redis. */
export interface RedisServer {
  host: "127.0.0.1";
  port: number;
  /** `redis://127.0.0.1:<port>`, ready for FERRY_REDIS_URL. */
  url: string;
  /** Its temp dir (log file, working dir). */
  dir: string;
  pid(): number | undefined;
  /**
   * Shuts the server down with its data saved to its dir (SHUTDOWN SAVE) and waits until it is
   * gone: clients then get "connection refused" on its port until `resume()`.
   */
  halt(): Promise<void>;
  /** Starts it again after `halt()` on the same port and dir, with the saved data. */
  resume(): Promise<void>;
  /** `halt()` then `resume()`. */
  restart(): Promise<void>;
  /** Stops the server, waits until it is gone and removes its temp dir. */
  stop(): Promise<void>;
}

/** True when Debian's redis-server is installed (`apt-get install redis-server`). */
export function redisServerInstalled(): boolean {
  try {
    accessSync(REDIS_SERVER, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Arguments only: no config file, so nothing of /etc/redis applies. */
function redisArgs(dir: string, port: number): string[] {
  return [
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "no",
    "--protected-mode",
    "yes",
    "--unixsocket",
    "",
    "--loglevel",
    "warning",
  ];
}

class Instance extends LocalServer implements RedisServer {
  constructor(dir: string, port: number) {
    super(dir, port, { name: "redis-server", file: "redis.log", heading: "redis.log" });
  }

  get url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  async halt(): Promise<void> {
    const pid = this.pidNow;
    if (pid === undefined) return;
    await new Promise<void>((resolve, reject) => {
      const socket = connect(this.port, this.host);
      socket.once("error", reject);
      socket.once("close", () => resolve());
      socket.on("data", () => undefined);
      socket.write("SHUTDOWN SAVE\r\n");
    });
    await waitFor("redis-server to shut down", () => !isAlive(pid));
    this.pidNow = undefined;
  }

  async resume(): Promise<void> {
    if (this.pidNow !== undefined) return;
    if (this.stopping) throw new Error("redis-server was stopped");
    await this.launch(REDIS_SERVER, redisArgs(this.dir, this.port), "redis.log");
  }

  async restart(): Promise<void> {
    await this.halt();
    await this.resume();
  }
}

async function startOnce(): Promise<RedisServer> {
  if (!redisServerInstalled()) {
    throw new Error(`${REDIS_SERVER} is missing: apt-get install redis-server`);
  }
  const dir = await mkdtemp(join(tmpdir(), DIR_PREFIX));
  const [port = 0] = await freePorts(1);
  const instance = new Instance(dir, port);
  track(instance);
  try {
    await instance.resume();
    return instance;
  } catch (err) {
    await instance.stop().catch(() => undefined);
    throw err;
  }
}

/**
 * Starts a throwaway redis-server on a free loopback port and resolves once it listens. Call
 * `stop()` when done; it is also killed on process exit/SIGINT/SIGTERM.
 */
export async function startRedisServer(): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce();
    } catch (err) {
      if (attempt >= 3 || !/address already in use/i.test((err as Error).message)) throw err;
    }
  }
}
