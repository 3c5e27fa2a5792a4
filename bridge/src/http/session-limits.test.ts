import { describe, expect, it } from "vitest";
import { SessionLimited, SessionRequestLimiter } from "./session-limits";

/** A task that runs until `finish()` is called. */
function held() {
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let started = false;
  return {
    fn: async () => {
      started = true;
      await done;
    },
    finish: () => finish(),
    get started() {
      return started;
    },
  };
}

describe("SessionRequestLimiter", () => {
  let now = 0;
  const make = (over: Partial<{ concurrent: number; queued: number; perMinute: number }> = {}) =>
    new SessionRequestLimiter({
      concurrent: 2,
      queued: 1,
      perMinute: 600,
      now: () => now,
      ...over,
    });

  it("runs `concurrent` at once, queues a few, refuses beyond; other sessions are not touched", async () => {
    const l = make();
    const tasks = [held(), held(), held()];
    const runs = tasks.map((t) => l.run("a", t.fn));
    expect(tasks.map((t) => t.started)).toEqual([true, true, false]);
    expect(l.load("a")).toEqual({ running: 2, waiting: 1 });
    const refused = await l.run("a", async () => "ran").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SessionLimited);
    expect(refused).toMatchObject({ code: "rate_limited", retryAfter: 1 });
    expect(await l.run("b", async () => "ran")).toBe("ran");
    tasks[0]?.finish();
    await runs[0];
    expect(tasks[2]?.started).toBe(true);
    for (const t of tasks) t.finish();
    await Promise.all(runs);
    expect(l.load("a")).toEqual({ running: 0, waiting: 0 });
  });

  it("frees the place of a failed task", async () => {
    const l = make({ concurrent: 1, queued: 0 });
    await expect(l.run("a", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await l.run("a", async () => 1)).toBe(1);
  });

  it("drops a waiting request whose browser went away", async () => {
    const l = make({ concurrent: 1, queued: 1 });
    const first = held();
    const running = l.run("a", first.fn);
    const abort = new AbortController();
    const waiting = l.run("a", async () => "late", abort.signal);
    abort.abort();
    await expect(waiting).rejects.toBeInstanceOf(SessionLimited);
    expect(l.load("a")).toEqual({ running: 1, waiting: 0 });
    first.finish();
    await running;
  });

  it("refuses past the rate with the seconds until the next request is allowed", async () => {
    const l = make({ perMinute: 3 });
    for (let i = 0; i < 3; i++) expect(await l.run("a", async () => i)).toBe(i);
    const refused = await l.run("a", async () => "ran").catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "rate_limited", retryAfter: 20 });
    expect(await l.run("b", async () => "ran")).toBe("ran");
    now += 20_000;
    expect(await l.run("a", async () => "ran")).toBe("ran");
  });
});
