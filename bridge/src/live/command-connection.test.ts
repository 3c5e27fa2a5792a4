import type { ImapFlow } from "imapflow";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../log";
import { BACKGROUND_PASSES, CommandConnection } from "./command-connection";
import { Reconnector } from "./reconnect";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function downConnection(reconnectWaitMs: number): CommandConnection {
  return new CommandConnection(health(reconnectWaitMs));
}

function health(reconnectWaitMs: number): Reconnector {
  return new Reconnector({
    log: createLogger("silent"),
    backoff: { next: () => 1000, reset: () => undefined } as never,
    offlineAfterMs: 120_000,
    reconnectWaitMs,
    anyDown: () => true,
    reconnectDown: () => new Promise(() => undefined),
    failLogin: async () => undefined,
    stateChanged: () => undefined,
    online: () => undefined,
  });
}

/** A command connection that is up: its client is a stand-in that only says it is usable. */
function upConnection(): CommandConnection {
  const cmd = new CommandConnection(health(1000));
  cmd.set({ usable: true, on: () => undefined, off: () => undefined } as unknown as ImapFlow);
  return cmd;
}

/** A call that runs until `release()`, recording its name when it starts. */
function gate(started: string[], name: string) {
  let release: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  const fn = async () => {
    started.push(name);
    await done;
  };
  return { fn, release: () => release() };
}

describe("the command connection while it is down", () => {
  it("fails every queued request once it has waited reconnectWaitMs, not one wait after another", async () => {
    const cmd = downConnection(1000);
    const settled: string[] = [];
    const first = cmd
      .run(async () => "first")
      .catch((e: { code?: string }) => {
        settled.push(`first ${e.code}`);
      });
    const second = cmd
      .run(async () => "second")
      .catch((e: { code?: string }) => {
        settled.push(`second ${e.code}`);
      });
    await vi.advanceTimersByTimeAsync(1000);
    expect(settled).toEqual(["first connection_lost", "second connection_lost"]);
    await Promise.all([first, second]);
  });
});

describe("foreground and background calls", () => {
  it("runs a foreground call queued after background ones before them, without cutting the running one short", async () => {
    const cmd = upConnection();
    const started: string[] = [];
    const running = gate(started, "bg-running");
    const all = [cmd.run(running.fn, { background: true })];
    for (const name of ["bg-1", "bg-2"]) {
      all.push(cmd.run(async () => void started.push(name), { background: true }));
    }
    all.push(cmd.run(async () => void started.push("user")));
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(["bg-running"]);
    running.release();
    await Promise.all(all);
    expect(started).toEqual(["bg-running", "user", "bg-1", "bg-2"]);
  });

  it("lets a waiting background call run after BACKGROUND_PASSES foreground calls went ahead of it", async () => {
    const cmd = upConnection();
    const started: string[] = [];
    const first = gate(started, "fg-0");
    const all = [cmd.run(first.fn)];
    all.push(cmd.run(async () => void started.push("bg"), { background: true }));
    for (let i = 1; i <= BACKGROUND_PASSES + 2; i++) {
      all.push(cmd.run(async () => void started.push(`fg-${i}`)));
    }
    first.release();
    await Promise.all(all);
    expect(started.indexOf("bg")).toBe(BACKGROUND_PASSES + 1);
    expect(started.filter((x) => x.startsWith("fg"))).toEqual(
      Array.from({ length: BACKGROUND_PASSES + 3 }, (_, i) => `fg-${i}`),
    );
  });
});

describe("urgent calls", () => {
  it("go ahead of the queued calls that yield, in the order they came, never ahead of others", async () => {
    const cmd = upConnection();
    const started: string[] = [];
    const running = gate(started, "running");
    const all = [cmd.run(running.fn)];
    const call = (name: string, opts: Parameters<typeof cmd.run>[1] = {}) =>
      all.push(cmd.run(async () => void started.push(name), opts));
    call("read-1", { yields: true });
    call("flags");
    call("read-2", { yields: true });
    call("read-3", { yields: true });
    call("bg", { background: true });
    call("open-1", { urgent: true });
    call("open-2", { urgent: true });
    call("later");
    running.release();
    await Promise.all(all);
    expect(started).toEqual([
      "running",
      "read-1",
      "flags",
      "open-1",
      "open-2",
      "read-2",
      "read-3",
      "later",
      "bg",
    ]);
  });
});
