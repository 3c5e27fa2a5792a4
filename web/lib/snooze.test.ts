import { describe, expect, it } from "vitest";
import { fromLocalInput, laterToday, nextWeek, toLocalInput, tomorrowMorning } from "./snooze";

describe("snooze wake times (local time)", () => {
  it("later today is three hours on, rounded up to the hour, and only while still today", () => {
    expect(laterToday(new Date(2026, 2, 4, 9, 20))).toEqual(new Date(2026, 2, 4, 13, 0));
    expect(laterToday(new Date(2026, 2, 4, 14, 0))).toEqual(new Date(2026, 2, 4, 17, 0));
    expect(laterToday(new Date(2026, 2, 4, 21, 30))).toBeNull();
  });

  it("tomorrow is the next day at 8:00, also across a month's end", () => {
    expect(tomorrowMorning(new Date(2026, 0, 31, 23, 59))).toEqual(new Date(2026, 1, 1, 8, 0));
  });

  it("next week is the next Monday at 8:00, a full week on from a Monday", () => {
    // 4 March 2026 is a Wednesday; 9 March a Monday
    expect(nextWeek(new Date(2026, 2, 4, 10, 0))).toEqual(new Date(2026, 2, 9, 8, 0));
    expect(nextWeek(new Date(2026, 2, 9, 7, 0))).toEqual(new Date(2026, 2, 16, 8, 0));
    expect(nextWeek(new Date(2026, 2, 8, 22, 0))).toEqual(new Date(2026, 2, 9, 8, 0));
  });

  it("a chosen date-time round-trips through the input's local value", () => {
    const at = new Date(2026, 5, 7, 18, 45);
    expect(toLocalInput(at)).toBe("2026-06-07T18:45");
    expect(fromLocalInput("2026-06-07T18:45")).toEqual(at);
    expect(fromLocalInput("garbage")).toBeNull();
  });
});
