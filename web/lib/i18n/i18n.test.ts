import { afterEach, describe, expect, it } from "vitest";
import { formatListDate, formatSize, setLocale, t } from "./index";

afterEach(() => setLocale("en-US"));

describe("t", () => {
  it("fills parameters and picks plural forms", () => {
    setLocale("en-US");
    expect(t("list.count", { count: 1 })).toBe("1 message");
    expect(t("list.count", { count: 100000 })).toBe("100,000 messages");
    expect(t("action.moveToFolder", { name: "Archive" })).toBe("Move to Archive");
  });

  it("formats numbers with the locale", () => {
    setLocale("de-DE");
    expect(t("list.count", { count: 100000 })).toBe("100.000 messages");
  });
});

describe("formatSize", () => {
  it("uses the largest unit", () => {
    setLocale("en-US");
    expect(formatSize(512)).toBe("512 bytes");
    expect(formatSize(2_400_000)).toBe("2.4 MB");
    expect(formatSize(20_000_000)).toBe("20 MB");
  });
});

describe("formatListDate", () => {
  const now = new Date(2026, 5, 15, 12, 0, 0);
  it("is relative when recent", () => {
    setLocale("en-US");
    expect(formatListDate(new Date(2026, 5, 15, 11, 55).toISOString(), now)).toBe("5 min. ago");
    expect(formatListDate(new Date(2026, 5, 14, 9, 0).toISOString(), now)).toBe("yesterday");
    expect(formatListDate(new Date(2026, 0, 3).toISOString(), now)).toBe("Jan 3");
    expect(formatListDate(new Date(2024, 0, 3).toISOString(), now)).toBe("Jan 3, 2024");
    expect(formatListDate(null, now)).toBe("");
  });
});
