// Unit tests for the arrival loop, against a fake `deliver()` and fake timers.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createArrivals, nameFromEmail } from "./arrivals";
import { decodeWords, headerValue, parseMime } from "./test-utils";

interface Delivery {
  raw: Buffer;
  from: string;
  to: string[];
}

function fakeServer(fail?: (n: number) => boolean) {
  const deliveries: Delivery[] = [];
  let calls = 0;
  return {
    deliveries,
    deliver: vi.fn(async (raw: string | Buffer, opts: { from: string; to: string[] }) => {
      const n = calls++;
      if (fail?.(n)) throw new Error(`boom ${n}`);
      deliveries.push({ raw: Buffer.from(raw), from: opts.from, to: opts.to });
    }),
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2026-03-04T05:06:07Z"));
});
afterEach(() => {
  vi.useRealTimers();
});

describe("createArrivals", () => {
  it("delivers a fresh, distinct message every interval until stopped", async () => {
    const server = fakeServer();
    const delivered: number[] = [];
    const stop = createArrivals(server, "alice@ferry.test", {
      seed: 1,
      intervalMs: 1000,
      onDelivered: (_m, n) => delivered.push(n),
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(server.deliver).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(server.deliveries).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(server.deliveries).toHaveLength(3);
    expect(delivered).toEqual([1, 2, 3]);
    await stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.deliveries).toHaveLength(3);

    const ids = new Set<string>();
    for (const d of server.deliveries) {
      expect(d.to).toEqual(["alice@ferry.test"]);
      const root = parseMime(d.raw.toString("latin1"));
      expect(headerValue(root, "from")).toContain(`<${d.from}>`);
      expect(decodeWords(headerValue(root, "to") ?? "")).toContain("Alice <alice@ferry.test>");
      // dated now, and no delivery headers: LMTP adds its own
      const date = Date.parse(headerValue(root, "date") ?? "");
      expect(Date.now() - date).toBeLessThan(10 * 60_000);
      expect(root.headers.has("received")).toBe(false);
      expect(root.headers.has("delivered-to")).toBe(false);
      ids.add(headerValue(root, "message-id") ?? "");
    }
    expect(ids.size).toBe(3);
  });

  it("keeps going after a failed delivery and reports it", async () => {
    const server = fakeServer((n) => n === 0);
    const errors: unknown[] = [];
    const stop = createArrivals(server, "bob@ferry.test", {
      seed: 2,
      intervalMs: 500,
      onError: (e) => errors.push(e),
    });
    await vi.advanceTimersByTimeAsync(1500);
    await stop();
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain("boom 0");
    expect(server.deliveries).toHaveLength(2);
  });

  it("stop() waits for a delivery that is already in flight", async () => {
    let release: () => void = () => undefined;
    const deliver = vi.fn(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    const stop = createArrivals({ deliver }, "carol@ferry.test", { seed: 3, intervalMs: 100 });
    await vi.advanceTimersByTimeAsync(100);
    expect(deliver).toHaveBeenCalledTimes(1);
    let stopped = false;
    const done = stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    release();
    await done;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(deliver).toHaveBeenCalledTimes(1);
  });

  it("derives a display name from the address", () => {
    expect(nameFromEmail("alice@ferry.test")).toBe("Alice");
    expect(nameFromEmail("bob.van-dyke@ferry.test")).toBe("Bob Van Dyke");
  });
});
