import { describe, expect, it } from "vitest";
import { shouldPersist } from "./persist";

describe("shouldPersist", () => {
  const success = (queryKey: unknown[], data: unknown) => ({
    queryKey,
    state: { status: "success", data },
  });

  it("keeps a conversation stack's collapsed lines, so their flags show offline", () => {
    const page = { type: "messages.rows", id: "1", rows: [], missing: [] };
    expect(shouldPersist(success(["member-rows", "INBOX\u00007\u00001"], page))).toBe(true);
  });

  it("keeps lists and whole messages, not a message still arriving or a failed query", () => {
    expect(shouldPersist(success(["list", "INBOX"], { rows: [], total: 0 }))).toBe(true);
    expect(shouldPersist(success(["message", "INBOX", 7, 1], { complete: true }))).toBe(true);
    expect(shouldPersist(success(["message", "INBOX", 7, 1], { complete: false }))).toBe(false);
    expect(
      shouldPersist({ queryKey: ["member-rows"], state: { status: "error", data: undefined } }),
    ).toBe(false);
  });

  it("keeps the Scheduled and Snoozed views' lists, so a reload before the socket shows them", () => {
    expect(shouldPersist(success(["scheduled"], []))).toBe(true);
    expect(shouldPersist(success(["snoozes"], []))).toBe(true);
    expect(
      shouldPersist({ queryKey: ["scheduled"], state: { status: "pending", data: undefined } }),
    ).toBe(false);
    expect(shouldPersist(success(["quota"], { used: 1 }))).toBe(false);
  });
});
