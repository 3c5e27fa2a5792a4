import { afterEach, describe, expect, it } from "vitest";
import { FerryError } from "../errors";
import { refuseFile } from "./draft";
import { applyUploadLimits, uploadLimits } from "./limits";
import { refusalText, uploadErrorText } from "./messages";

const MIB = 1024 * 1024;

afterEach(() => applyUploadLimits({}));

describe("the bridge's upload limits", () => {
  it("refuses a file over a smaller configured limit and names that limit", () => {
    applyUploadLimits({ uploadMaxBytes: 2 * MIB, messageMaxBytes: 3 * MIB });
    const refusal = refuseFile(2 * MIB + 1, []);
    expect(refusal).toEqual({ kind: "fileTooLarge" });
    expect(refusalText("scan.pdf", refusal ?? { kind: "fileTooLarge" })).toBe(
      "“scan.pdf” is larger than 2 MB and was not attached.",
    );
    expect(refuseFile(2 * MIB, [])).toBeNull();
    expect(refuseFile(2 * MIB, [], { bytes: 2 * MIB, files: 1 })).toEqual({
      kind: "messageTooLarge",
    });
    expect(uploadErrorText(new FerryError("too_large", ""))).toContain("2 MB");
  });

  it("accepts a file over the default limit when the bridge allows more", () => {
    applyUploadLimits({ uploadMaxBytes: 100 * MIB, messageMaxBytes: 200 * MIB });
    expect(refuseFile(30 * MIB, [])).toBeNull();
  });

  it("keeps the defaults when the bridge does not say", () => {
    applyUploadLimits({});
    expect(uploadLimits()).toEqual({ file: 25 * MIB, message: 35 * MIB });
    expect(refuseFile(25 * MIB + 1, [])).toEqual({ kind: "fileTooLarge" });
  });
});
