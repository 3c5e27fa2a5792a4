import { afterEach, describe, expect, it } from "vitest";
import { LoginLimiter } from "./login-limiter";

describe("LoginLimiter", () => {
  let now = 1_000_000;
  const limiters: LoginLimiter[] = [];
  const make = (opts: { perAccount?: number; perNetwork?: number } = {}) => {
    const l = new LoginLimiter({
      perAccount: opts.perAccount ?? 3,
      perNetwork: opts.perNetwork ?? 5,
      windowMs: 10 * 60_000,
      baseDelayMs: 1000,
      maxDelayMs: 16_000,
      now: () => now,
    });
    limiters.push(l);
    return l;
  };
  afterEach(() => {
    for (const l of limiters.splice(0)) l.close();
  });

  it("lets the owner in from another network while a guesser keeps failing", () => {
    const l = make({ perNetwork: 1000 });
    for (let i = 0; i < 50; i++) {
      now += (l.retryAfter("victim@x", "198.51.100.9") ?? 0) * 1000;
      expect(l.retryAfter("victim@x", "198.51.100.9")).toBe(0);
      l.fail("victim@x", "198.51.100.9");
    }
    expect(l.retryAfter("victim@x", "198.51.100.9")).toBeGreaterThan(0);
    expect(l.retryAfter("Victim@X", "203.0.113.5")).toBe(0);
    expect(l.retryAfter("victim@x", "2001:db8::1")).toBe(0);
  });

  it("slows down with a delay that doubles per failure past the limit, up to the cap", () => {
    const l = make();
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfter("a@x", "192.0.2.1")).toBe(0);
      l.fail("a@x", "192.0.2.1");
    }
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const wait = l.retryAfter("a@x", "192.0.2.1");
      waits.push(wait);
      now += wait * 1000 - 1;
      expect(l.retryAfter("a@x", "192.0.2.1")).toBeGreaterThan(0);
      now += 1;
      expect(l.retryAfter("a@x", "192.0.2.1")).toBe(0);
      l.fail("a@x", "192.0.2.1");
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 16, 16, 16]);
  });

  it("counts an IPv6 /64 as one network, an IPv4 address on its own", () => {
    const l = make();
    for (let i = 1; i <= 3; i++) l.fail("a@x", `2001:db8:7:7::${i.toString(16)}`);
    expect(l.retryAfter("a@x", "2001:db8:7:7:dead:beef:0:1")).toBe(1);
    expect(l.retryAfter("a@x", "2001:db8:7:8::1")).toBe(0);
    for (let i = 1; i <= 3; i++) l.fail("b@x", `192.0.2.${i}`);
    expect(l.retryAfter("b@x", "192.0.2.4")).toBe(0);
  });

  it("slows a network down across accounts", () => {
    const l = make();
    for (let i = 0; i < 5; i++) l.fail(`user${i}@x`, "9.9.9.9");
    expect(l.retryAfter("new@x", "9.9.9.9")).toBe(1);
    expect(l.retryAfter("new@x", "8.8.8.8")).toBe(0);
  });

  it("forgets failures once they leave the window, and an account's on its success there", () => {
    const l = make({ perNetwork: 1000 });
    for (let i = 0; i < 6; i++) l.fail("a@x", "192.0.2.1");
    expect(l.retryAfter("a@x", "192.0.2.1")).toBe(8);
    now += 10 * 60_000;
    expect(l.retryAfter("a@x", "192.0.2.1")).toBe(0);
    for (let i = 0; i < 6; i++) l.fail("a@x", "192.0.2.1");
    l.succeed("A@x", "192.0.2.1");
    expect(l.retryAfter("a@x", "192.0.2.1")).toBe(0);
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
    // all three failed: the first delay
    expect(l.retryAfter("a@x", "1.1.1.1")).toBe(1);
    now += 1000;
    // past it, one attempt at a time
    expect(l.retryAfter("a@x", "1.1.1.1")).toBe(0);
    const one = l.begin("a@x", "1.1.1.1");
    expect(l.retryAfter("a@x", "1.1.1.1")).toBe(1);
    one();
    // one under way from an address counts against its network across accounts
    const other = l.begin("c@x", "7.7.7.7");
    for (let i = 0; i < 4; i++) l.fail(`u${i}@x`, "7.7.7.7");
    expect(l.retryAfter("d@x", "7.7.7.7")).toBe(1);
    other();
    expect(l.retryAfter("d@x", "7.7.7.7")).toBe(0);
  });
});
