import { describe, expect, it } from "vitest";
import en from "./en";
import start from "./en-start";
import { t } from "./index";
import { t as tStart } from "./start";

describe("the first load's part of the catalog", () => {
  it("has en.ts's own entries, so a text is written in one place", () => {
    for (const [key, entry] of Object.entries(start)) {
      expect(entry, key).toEqual(en[key as keyof typeof en]);
    }
  });

  it("reads the same as the whole catalog", () => {
    expect(tStart("signIn.error.too_many_attempts", { wait: "2 minutes" })).toBe(
      t("signIn.error.too_many_attempts", { wait: "2 minutes" }),
    );
    expect(tStart("theme.toggle", { mode: tStart("theme.dark") })).toBe(
      t("theme.toggle", { mode: t("theme.dark") }),
    );
  });
});
