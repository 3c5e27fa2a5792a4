import { describe, expect, it } from "vitest";
import { folderNameProblem, MAX_FOLDER_NAME } from "./folders";

describe("folderNameProblem", () => {
  it("accepts ordinary and non-ASCII names", () => {
    for (const name of ["Projects", "Été 日本", "Q3 – reports", "a.b", "Inbox old"]) {
      expect(folderNameProblem(name, "/", true), name).toBeNull();
    }
    expect(folderNameProblem("x".repeat(MAX_FOLDER_NAME), "/", true)).toBeNull();
  });

  it("names what is wrong with a bad name", () => {
    expect(folderNameProblem("", "/", true)).toBe("empty");
    expect(folderNameProblem("   \t", "/", true)).toBe("empty");
    expect(folderNameProblem("x".repeat(1000), "/", true)).toBe("too_long");
    expect(folderNameProblem("a\r\nb", "/", true)).toBe("control_character");
    expect(folderNameProblem("a\u0000b", "/", true)).toBe("control_character");
    expect(folderNameProblem("/a", "/", true)).toBe("delimiter");
    expect(folderNameProblem("a.b", ".", false)).toBe("delimiter");
    expect(folderNameProblem("inbox", "/", true)).toBe("reserved");
    expect(folderNameProblem("INBOX", "/", false)).toBeNull();
  });

  it("has no delimiter to refuse in a flat namespace", () => {
    expect(folderNameProblem("a/b", null, true)).toBeNull();
  });
});
