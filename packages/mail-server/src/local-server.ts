/**
 * What the throwaway servers run directly from Debian's binaries (nginx, redis-server) share:
 * one foreground process on a port of 127.0.0.1 with a temp dir of its own, started and awaited
 * until it listens, its log's tail attached to a failure, stopped (process tree, then the dir)
 * by `stop()` or at process exit.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { untrack } from "./cleanup";
import { isListening } from "./ports";
import { isAlive, terminateTree, terminateTreeSync, waitFor } from "./proc";

/** How a server is named in errors and where its log is, inside its dir. */
export interface LocalServerLog {
  /** The process name, e.g. "nginx". */
  name: string;
  /** The log file in the dir whose tail a failure shows. */
  file: string;
  /** The tail's heading, e.g. "nginx error.log". */
  heading: string;
}

/** One foreground server on 127.0.0.1:`port` in `dir`; subclasses say how it is launched. */
export abstract class LocalServer {
  readonly host = "127.0.0.1";
  protected pidNow: number | undefined;
  protected stopping: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly log: LocalServerLog,
  ) {}

  pid(): number | undefined {
    return this.pidNow !== undefined && isAlive(this.pidNow) ? this.pidNow : undefined;
  }

  /** The last 20 lines of the log under a heading, or "" when there are none. */
  logTail(): string {
    try {
      const text = readFileSync(join(this.dir, this.log.file), "utf8").trim();
      return text === ""
        ? ""
        : `\n--- ${this.log.heading} ---\n${text.split("\n").slice(-20).join("\n")}`;
    } catch {
      return "";
    }
  }

  /**
   * Runs `cmd args` with its output appended to `outputFile` in the dir and resolves once the
   * port listens; on failure kills it and rejects with the log's tail.
   */
  protected async launch(cmd: string, args: readonly string[], outputFile: string): Promise<void> {
    const { name } = this.log;
    const out = openSync(join(this.dir, outputFile), "a");
    let pid: number | undefined;
    let exited: string | undefined;
    try {
      const child = spawn(cmd, args, { stdio: ["ignore", out, out], detached: false });
      pid = child.pid;
      this.pidNow = pid;
      child.once("exit", (code, sig) => {
        exited = `${name} exited with ${code ?? sig}`;
      });
      child.once("error", (err) => {
        exited = `${name} failed: ${err.message}`;
      });
      child.unref();
    } finally {
      closeSync(out);
    }
    try {
      await waitFor(`${name} on ${this.host}:${this.port}`, () => {
        if (exited !== undefined) throw new Error(exited);
        return isListening({ host: this.host, port: this.port });
      });
    } catch (err) {
      this.pidNow = undefined;
      if (pid !== undefined) await terminateTree(name, pid).catch(() => undefined);
      throw new Error(`${(err as Error).message}${this.logTail()}`);
    }
  }

  /** Stops the server, waits until it is gone and removes its temp dir. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      untrack(this);
      if (this.pidNow !== undefined) await terminateTree(this.log.name, this.pidNow);
      this.pidNow = undefined;
      await rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
    })();
    return this.stopping;
  }

  disposeSync(): void {
    if (this.pidNow !== undefined) terminateTreeSync(this.pidNow);
    this.pidNow = undefined;
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }
}
