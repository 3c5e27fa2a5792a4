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
      budget: BUDGETS.signIn,
    });
    expect(r.status).toBe("met");
    expect(r.ratio).toBe(3);
    expect(row({ ...r, value: s(151) }).status).toBe("missed");
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
        budget: BUDGETS.signIn,
      }),
    ]);
    const lines = text.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain("100,000");
    expect(lines[2]).toContain("90 ms (80–120)");
    expect(lines[2]).toMatch(/≤ 150 ms \| met$/);
  });
});
