import { afterEach, describe, expect, it } from "vitest";
import { LoginLimiter } from "./login-limiter";

describe("LoginLimiter", () => {
  let now = 1_000_000;
  const limiters: LoginLimiter[] = [];
  const make = () => {
    const l = new LoginLimiter({ perEmail: 3, perIp: 5, windowMs: 60_000, now: () => now });
    limiters.push(l);
    return l;
  };
  afterEach(() => {
    for (const l of limiters.splice(0)) l.close();
  });

  it("blocks an email after its failures, sliding, and a success clears it", () => {
    const l = make();
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfter("A@x", "1.1.1.1")).toBe(0);
      l.fail("a@X", "1.1.1.1");
      now += 10_000;
    }
    // failures at t0, t0+10s, t0+20s; now t0+30s: oldest leaves the window at t0+60s
    expect(l.retryAfter("a@x", "2.2.2.2")).toBe(30);
    now += 30_000;
    expect(l.retryAfter("a@x", "2.2.2.2")).toBe(0);
    l.fail("a@x", "2.2.2.2");
    expect(l.retryAfter("a@x", "2.2.2.2")).toBeGreaterThan(0);
    l.succeed("a@x");
    expect(l.retryAfter("a@x", "2.2.2.2")).toBe(0);
  });

  it("blocks an IP across emails", () => {
    const l = make();
    for (let i = 0; i < 5; i++) l.fail(`user${i}@x`, "9.9.9.9");
    expect(l.retryAfter("new@x", "9.9.9.9")).toBe(60);
    expect(l.retryAfter("new@x", "8.8.8.8")).toBe(0);
  });

  it("counts sign-ins still under way, so a parallel burst cannot pass the limit", () => {
    const l = make();
    const under = [1, 2, 3].map(() => {
      expect(l.retryAfter("a@x", "1.1.1.1")).toBe(0);
      return l.begin("a@x", "1.1.1.1");
    });
    // three guesses are being checked: a fourth waits for one of them
    expect(l.retryAfter("a@x", "1.1.1.1")).toBe(1);
    expect(l.retryAfter("b@x", "1.1.1.1")).toBe(0);
    l.fail("a@x", "1.1.1.1");
    under[0]?.();
    under[0]?.(); // a second call changes nothing
    expect(l.retryAfter("a@x", "1.1.1.1")).toBe(1);
    for (const done of under.slice(1)) {
      l.fail("a@x", "1.1.1.1");
      done();
    }
    // all three failed: the usual wait for the window
    expect(l.retryAfter("a@x", "1.1.1.1")).toBe(60);
    // one under way from an IP counts against that IP across emails
    const other = l.begin("c@x", "7.7.7.7");
    for (let i = 0; i < 4; i++) l.fail(`u${i}@x`, "7.7.7.7");
    expect(l.retryAfter("d@x", "7.7.7.7")).toBe(1);
    other();
    expect(l.retryAfter("d@x", "7.7.7.7")).toBe(0);
  });
});
