import { describe, expect, it } from "vitest";
import { BUDGETS, errorRow, renderTable, row } from "./report";

const s = (value: number) => ({ value, min: value, max: value, n: 1 });

describe("row", () => {
  it("marks a time against a max budget and divides by the floor", () => {
    const r = row({
      id: "x",
      figure: "1",
      label: "a",
      side: "bridge",
      unit: "ms",
      value: s(120),
      floor: s(40),
      budget: { limit: 150, kind: "max", text: "≤ 150 ms" },
    });
    expect(r.status).toBe("met");
    expect(r.ratio).toBe(3);
    expect(r.limit).toBe(150);
    expect(row({ ...r, value: s(151) }).status).toBe("missed");
  });

  it("judges a ratio budget by the floor of the same run, not by a fixed time", () => {
    const base = {
      id: "c",
      figure: "1",
      label: "browser, cold",
      side: "browser",
      unit: "ms",
      budget: BUDGETS.signIn,
    } as const;
    // 246 ms is within 2× a slow machine's 130 ms floor, and outside 2× a fast one's 82 ms.
    expect(row({ ...base, value: s(246), floor: s(130) }).status).toBe("met");
    const slow = row({ ...base, value: s(246), floor: s(82) });
    expect(slow.status).toBe("missed");
    expect(slow.limit).toBe(164);
    expect(renderTable([slow]).split("\n")[2]).toMatch(/≤ 2× floor \(164 ms\) \| MISSED$/);
  });

  it("judges a plus budget as the floor and a margin", () => {
    const base = {
      id: "p",
      figure: "2",
      label: "browser",
      side: "browser",
      unit: "ms",
      stat: "p50",
      budget: BUDGETS.pushP50,
    } as const;
    expect(row({ ...base, value: s(90), floor: s(40) }).status).toBe("met");
    expect(row({ ...base, value: s(91), floor: s(40) }).status).toBe("missed");
  });

  it("leaves a relative budget without a floor unjudged, and says so", () => {
    const r = row({
      id: "w",
      figure: "1",
      label: "warm",
      side: "browser",
      unit: "ms",
      value: s(100),
      budget: BUDGETS.warmReload,
    });
    expect(r.status).toBe("info");
    expect(r.limit).toBeNull();
    expect(renderTable([r]).split("\n")[2]).toContain("≤ 1.5× floor (no floor)");
  });

  it("inverts the ratio for throughput, so above 1 still means slower than the floor", () => {
    const r = row({
      id: "d",
      figure: "3",
      label: "d",
      side: "bridge",
      unit: "MB/s",
      value: s(20),
      floor: s(40),
    });
    expect(r.ratio).toBe(2);
    expect(r.status).toBe("info");
  });

  it("is an error without samples, and errorRow keeps the first line of the message", () => {
    expect(
      row({ id: "e", figure: "1", label: "e", side: "browser", unit: "ms", value: null }).status,
    ).toBe("error");
    const e = errorRow("e", "1", "e", new Error("boom\nstack"));
    expect(e.status).toBe("error");
    expect(e.error).toBe("boom");
  });
});

describe("renderTable", () => {
  it("prints one line per row under a header, with the budget mark", () => {
    const text = renderTable([
      row({
        id: "a",
        figure: "1 sign-in",
        label: "bridge",
        side: "bridge",
        size: 100000,
        unit: "ms",
        value: { value: 90, min: 80, max: 120, n: 7 },
        floor: { value: 60, min: 50, max: 70, n: 7 },
        budget: BUDGETS.signIn,
      }),
    ]);
    const lines = text.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain("100,000");
    expect(lines[2]).toContain("90 ms (80–120)");
    expect(lines[2]).toContain("1.5×");
    expect(lines[2]).toMatch(/≤ 2× floor \(120 ms\) \| met$/);
  });
});
