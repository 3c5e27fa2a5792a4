import { describe, expect, it } from "vitest";
import { MemorySessionStore, type SessionRecord } from "./store";

const record: SessionRecord = {
  email: "a@example.test",
  imap: { host: "imap.example.test", port: 993, security: "tls" },
  smtp: null,
  userNamed: false,
  sealedPassword: "v1.sealed",
  createdAt: 0,
};

describe("MemorySessionStore", () => {
  it("expires records after their idle TTL, and a set refreshes it", async () => {
    let now = 0;
    const store = new MemorySessionStore({ now: () => now });
    await store.set("k", record, 1000);
    now = 999;
    expect(await store.get("k")).toEqual(record);
    await store.set("k", record, 1000);
    now = 1500;
    expect(await store.get("k")).toEqual(record);
    now = 2000;
    expect(await store.get("k")).toBeUndefined();
    await store.set("j", record, 10);
    now = 3000;
    store.sweep();
    expect(store.size).toBe(0);
    await store.set("x", record, 10);
    await store.delete("x");
    expect(await store.get("x")).toBeUndefined();
    await store.close();
  });
});
