import { describe, expect, it } from "vitest";
import {
  helloVersionOf,
  MAX_WINDOW,
  PROTOCOL_VERSION,
  parseClientFrame,
  parseServerFrame,
} from "./index";

describe("parseClientFrame", () => {
  it("accepts a list window and applies defaults", () => {
    const r = parseClientFrame(
      JSON.stringify({ type: "list.window", id: "1", mailbox: "INBOX", offset: 0, limit: 50 }),
    );
    expect(r.ok && r.frame.type === "list.window" && r.frame.query).toBeNull();
  });

  it("rejects text that is not JSON", () => {
    expect(parseClientFrame("{nope")).toMatchObject({ ok: false, code: "bad_request" });
  });

  it("rejects an unknown type and keeps the id for the error reply", () => {
    const r = parseClientFrame(JSON.stringify({ type: "rm -rf", id: "7" }));
    expect(r).toMatchObject({ ok: false, code: "bad_request", id: "7" });
  });

  it("rejects a window larger than the cap", () => {
    const r = parseClientFrame(
      JSON.stringify({
        type: "list.window",
        id: "1",
        mailbox: "INBOX",
        offset: 0,
        limit: MAX_WINDOW + 1,
      }),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain("limit");
  });

  it("rejects a message reference by sequence number alone", () => {
    const r = parseClientFrame(JSON.stringify({ type: "message.open", id: "1", ref: { seq: 3 } }));
    expect(r.ok).toBe(false);
  });
});

describe("parseServerFrame", () => {
  it("accepts the hello of another protocol version, so the client can tell", () => {
    const hello = { type: "hello", version: PROTOCOL_VERSION, email: "a@b.c", heartbeatMs: 25000 };
    expect(parseServerFrame(JSON.stringify(hello)).ok).toBe(true);
    const newer = parseServerFrame(JSON.stringify({ ...hello, version: PROTOCOL_VERSION + 1 }));
    expect(newer.ok && newer.frame.type === "hello" && newer.frame.version).toBe(
      PROTOCOL_VERSION + 1,
    );
  });

  it("reads the version of a hello whose other fields this build does not know", () => {
    const future = JSON.stringify({ type: "hello", version: PROTOCOL_VERSION + 1, who: {} });
    expect(parseServerFrame(future).ok).toBe(false);
    expect(helloVersionOf(future)).toBe(PROTOCOL_VERSION + 1);
    expect(helloVersionOf(JSON.stringify({ type: "pong", id: "1" }))).toBeNull();
    expect(helloVersionOf("{nope")).toBeNull();
  });

  it("accepts an error without an id and refuses an unknown code", () => {
    expect(
      parseServerFrame(JSON.stringify({ type: "error", code: "rate_limited", message: "x" })).ok,
    ).toBe(true);
    expect(parseServerFrame(JSON.stringify({ type: "error", code: "oops", message: "x" })).ok).toBe(
      false,
    );
  });
});
