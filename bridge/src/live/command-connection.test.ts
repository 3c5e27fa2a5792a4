import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../log";
import { CommandConnection } from "./command-connection";
import { Reconnector } from "./reconnect";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function downConnection(reconnectWaitMs: number): CommandConnection {
  const health = new Reconnector({
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
  return new CommandConnection(health);
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
