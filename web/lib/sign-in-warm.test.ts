// Loaded before the test, not in its time: the warm-up imports the protocol on demand.
import "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { warmSignInAnswer } from "./sign-in-warm";

describe("warmSignInAnswer", () => {
  it("parses its made-up answer as a valid sign-in answer, so every schema of one is set up", async () => {
    expect(await warmSignInAnswer()).toBe(true);
  });
});
