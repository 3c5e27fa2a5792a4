import { describe, expect, it } from "vitest";
import { percentile, ratioOf, summarize } from "./stats";

describe("summarize", () => {
  it("gives the median of an odd count with min and max", () => {
    expect(summarize([30, 10, 20])).toEqual({ value: 20, min: 10, max: 30, n: 3 });
  });

  it("averages the two middle samples of an even count", () => {
    expect(summarize([1, 2, 3, 4])?.value).toBe(2.5);
  });

  it("ignores samples that are not finite, and is null for none", () => {
    expect(summarize([Number.NaN, 5])).toEqual({ value: 5, min: 5, max: 5, n: 1 });
    expect(summarize([])).toBeNull();
  });
});

describe("percentile", () => {
  it("interpolates between closest ranks", () => {
    const xs = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(10.5);
    expect(percentile(xs, 95)).toBeCloseTo(19.05, 5);
    expect(percentile(xs, 100)).toBe(20);
  });
});

describe("ratioOf", () => {
  it("divides the figure by the floor", () => {
    const s = (value: number) => ({ value, min: value, max: value, n: 1 });
    expect(ratioOf(s(150), s(50))).toBe(3);
    expect(ratioOf(s(1), s(0))).toBeNull();
    expect(ratioOf(null, s(1))).toBeNull();
  });
});
