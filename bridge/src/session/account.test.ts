import { describe, expect, it } from "vitest";
import { accountKey } from "./account";

describe("accountKey", () => {
  const server = { host: "imap.example.com", port: 993 };

  it("tells apart the same address on another host or port", () => {
    const key = accountKey(server, "alice@example.com");
    expect(accountKey({ host: "evil.example.net", port: 993 }, "alice@example.com")).not.toBe(key);
    expect(accountKey({ host: "imap.example.com", port: 143 }, "alice@example.com")).not.toBe(key);
    expect(accountKey(server, "bob@example.com")).not.toBe(key);
  });

  it("treats spellings of one host and one domain alike", () => {
    const key = accountKey(server, "alice@example.com");
    expect(accountKey({ host: " IMAP.Example.COM. ", port: 993 }, " alice@EXAMPLE.com")).toBe(key);
    expect(accountKey({ host: "[::1]", port: 993 }, "a")).toBe(
      accountKey({ host: "::1", port: 993 }, "a"),
    );
  });

  it("keeps the case of the local part, which a server may tell apart", () => {
    expect(accountKey(server, "Alice@example.com")).not.toBe(
      accountKey(server, "alice@example.com"),
    );
  });

  it("cannot be forged by a user name holding the separator", () => {
    expect(accountKey({ host: "a", port: 1 }, 'b",2,"c')).not.toBe(
      accountKey({ host: 'a",1,"b', port: 2 }, "c"),
    );
  });
});
