import { describe, expect, it } from "vitest";
import { FerryError } from "./errors";
import { OpenQueue } from "./open-queue";

/** A task the test settles by hand, recording when it started. */
function deferred(log: string[], name: string) {
  let settle!: { resolve(v: string): void; reject(e: unknown): void };
  const task = () =>
    new Promise<string>((resolve, reject) => {
      log.push(name);
      settle = { resolve, reject };
    });
  return {
    task,
    resolve: () => settle.resolve(name),
    reject: (e: unknown) => settle.reject(e),
  };
}

const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe("OpenQueue", () => {
  it("runs at most `limit` tasks at once and starts the next as one settles", async () => {
    const queue = new OpenQueue({ limit: 2 });
    const log: string[] = [];
    const tasks = ["a", "b", "c", "d"].map((n) => deferred(log, n));
    const results = tasks.map((d) => queue.run(d.task));
    await flush();
    expect(log).toEqual(["a", "b"]);
    expect(queue.running).toBe(2);
    expect(queue.waiting).toBe(2);
    tasks[1]?.resolve();
    await flush();
    expect(log).toEqual(["a", "b", "c"]);
    tasks[0]?.resolve();
    tasks[2]?.resolve();
    await flush();
    tasks[3]?.resolve();
    expect(await Promise.all(results)).toEqual(["a", "b", "c", "d"]);
    expect(queue.running).toBe(0);
  });

  it("starts waiting tasks lowest priority number first, ties in the order queued", async () => {
    const queue = new OpenQueue({ limit: 1 });
    const log: string[] = [];
    const first = deferred(log, "first");
    void queue.run(first.task, 0);
    const later = [
      ["p5", 5],
      ["p2a", 2],
      ["p9", 9],
      ["p2b", 2],
    ] as const;
    const ds = later.map(([n]) => deferred(log, n));
    later.forEach(
      ([, prio], i) => void queue.run((ds[i] as ReturnType<typeof deferred>).task, prio),
    );
    await flush();
    first.resolve();
    for (const name of ["p2a", "p2b", "p5", "p9"]) {
      await flush();
      expect(log.at(-1)).toBe(name);
      ds[later.findIndex(([n]) => n === name)]?.resolve();
    }
  });

  it("runs a task refused as rate_limited again after a doubling back-off", async () => {
    const waits: number[] = [];
    const queue = new OpenQueue({
      limit: 1,
      backoffMs: 100,
      wait: async (ms) => void waits.push(ms),
    });
    let calls = 0;
    const value = await queue.run(async () => {
      calls++;
      if (calls < 3) throw new FerryError("rate_limited", "slow down");
      return "opened";
    });
    expect(value).toBe("opened");
    expect(calls).toBe(3);
    expect(waits).toEqual([100, 200]);
  });

  it("waits as long as the refusal says when that is longer", async () => {
    const waits: number[] = [];
    const queue = new OpenQueue({ backoffMs: 100, wait: async (ms) => void waits.push(ms) });
    let calls = 0;
    await queue.run(async () => {
      if (calls++ === 0) throw new FerryError("rate_limited", "slow down", { retryAfter: 2 });
      return "ok";
    });
    expect(waits).toEqual([2000]);
  });

  it("gives back the refusal after the last retry, and other errors at once", async () => {
    const waits: number[] = [];
    const queue = new OpenQueue({
      retries: 2,
      backoffMs: 10,
      wait: async (ms) => void waits.push(ms),
    });
    await expect(
      queue.run(() => Promise.reject(new FerryError("rate_limited", "slow down"))),
    ).rejects.toMatchObject({ code: "rate_limited" });
    expect(waits).toEqual([10, 20]);
    let calls = 0;
    await expect(
      queue.run(() => {
        calls++;
        return Promise.reject(new FerryError("message_not_found", "gone"));
      }),
    ).rejects.toMatchObject({ code: "message_not_found" });
    expect(calls).toBe(1);
  });

  it("frees its place when a task throws before returning a promise", async () => {
    const queue = new OpenQueue({ limit: 1 });
    await expect(
      queue.run(() => {
        throw new FerryError("bad_request", "no");
      }),
    ).rejects.toMatchObject({ code: "bad_request" });
    expect(queue.running).toBe(0);
    expect(await queue.run(async () => "next")).toBe("next");
  });

  it("lets a refused task wait outside the cap, so others run meanwhile", async () => {
    let release!: () => void;
    const queue = new OpenQueue({
      limit: 1,
      wait: () => new Promise<void>((resolve) => (release = resolve)),
    });
    let tries = 0;
    const refused = queue.run(async () => {
      if (tries++ === 0) throw new FerryError("rate_limited", "slow down");
      return "retried";
    });
    await flush();
    expect(await queue.run(async () => "other")).toBe("other");
    release();
    expect(await refused).toBe("retried");
  });

  it("tells when nothing is left running or waiting", async () => {
    const queue = new OpenQueue({ limit: 1 });
    const log: string[] = [];
    const [a, b] = [deferred(log, "a"), deferred(log, "b")];
    let idle = 0;
    queue.onIdle(() => idle++);
    expect(idle).toBe(1);
    const runs = [queue.run(a.task), queue.run(b.task)];
    queue.onIdle(() => idle++);
    a.resolve();
    await flush();
    expect(idle).toBe(1);
    b.resolve();
    await Promise.all(runs);
    await flush();
    expect(idle).toBe(2);
  });
});
