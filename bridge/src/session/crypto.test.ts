import { describe, expect, it } from "vitest";
import { isSessionIdShape, newSessionId, SecretBox, sessionKey } from "./crypto";

describe("session crypto", () => {
  it("makes 256-bit ids and hashes them for the store", () => {
    const a = newSessionId();
    const b = newSessionId();
    expect(a).not.toBe(b);
    expect(Buffer.from(a, "base64url")).toHaveLength(32);
    expect(isSessionIdShape(a)).toBe(true);
    expect(isSessionIdShape(`${a}x`)).toBe(false);
    expect(isSessionIdShape("a;b")).toBe(false);
    expect(sessionKey(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionKey(a)).not.toContain(a);
  });

  it("seals a password so that only the same key and session can open it", () => {
    const box = new SecretBox("s".repeat(40));
    const sealed = box.seal("hunter2-password", "session-1");
    expect(sealed).not.toContain("hunter2");
    expect(box.seal("hunter2-password", "session-1")).not.toBe(sealed); // random IV
    expect(box.open(sealed, "session-1")).toBe("hunter2-password");
    expect(box.open(sealed, "session-2")).toBeNull();
    expect(new SecretBox("t".repeat(40)).open(sealed, "session-1")).toBeNull();
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith("A") ? "B" : "A"}A`;
    expect(box.open(tampered, "session-1")).toBeNull();
    expect(box.open("v2.abc", "session-1")).toBeNull();
  });
});
