/**
 * How many list rows a screen holds, as the sign-in names it: every row the list can show on a
 * desktop or a phone is counted, and the count stays within what the bridge accepts.
 */
import { SIGN_IN_ROWS_MAX } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { listRowHeight, rowsForHeight } from "./list-geometry";

describe("rowsForHeight", () => {
  it("counts a partly shown last row, in each layout's row height", () => {
    expect(rowsForHeight(800, false)).toBe(11);
    expect(rowsForHeight(76 * 10, false)).toBe(10);
    expect(rowsForHeight(839, true)).toBe(10);
    expect(rowsForHeight(84 * 10 + 1, true)).toBe(11);
    expect(listRowHeight(true)).toBeGreaterThan(listRowHeight(false));
  });

  it("stays within 1 and the most a sign-in request may name", () => {
    expect(rowsForHeight(0, false)).toBe(1);
    expect(rowsForHeight(-50, true)).toBe(1);
    expect(rowsForHeight(Number.NaN, false)).toBe(1);
    expect(rowsForHeight(100_000, false)).toBe(SIGN_IN_ROWS_MAX);
  });
});
