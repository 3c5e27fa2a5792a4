import { describe, expect, it } from "vitest";
import {
  CloseCode,
  clientVersionOf,
  isComposeClientFrame,
  isPushedEvent,
  isReplyTo,
  PUSHED_EVENT_TYPES,
  REPLIES,
  socketPath,
  type TClientFrame,
  type TServerFrame,
  ZClientFrame,
  ZServerFrame,
} from "./index";

const serverTypes = ZServerFrame.options.map((o) => o.shape.type.value);
const clientTypes = ZClientFrame.options.map((o) => o.shape.type.value);

describe("the request → reply contract", () => {
  it("names a reply for every request, and only frames that exist", () => {
    expect(Object.keys(REPLIES).sort()).toEqual([...clientTypes].sort());
    for (const spec of Object.values(REPLIES)) {
      expect(serverTypes).toContain(spec.reply);
      for (const before of "before" in spec ? spec.before : [])
        expect(serverTypes).toContain(before);
    }
  });

  it("classifies every server frame once: hello, error, reply or pushed event", () => {
    const replies = new Set<string>(
      Object.values(REPLIES).flatMap((s) => ["before" in s ? s.before : [], s.reply].flat()),
    );
    for (const type of serverTypes) {
      const kinds = [
        type === "hello" || type === "error",
        replies.has(type),
        (PUSHED_EVENT_TYPES as readonly string[]).includes(type),
      ].filter(Boolean);
      expect(kinds, type).toHaveLength(1);
    }
  });

  it("tells replies of a request from other frames", () => {
    const end: TServerFrame = {
      type: "message.end",
      id: "1",
      ref: { mailbox: "INBOX", uidValidity: 1, uid: 1 },
    };
    expect(isReplyTo("message.open", end)).toBe(true);
    expect(isReplyTo("mailboxes.list", end)).toBe(false);
    expect(isPushedEvent(end)).toBe(false);
    expect(isPushedEvent({ type: "mailboxes.changed" })).toBe(true);
  });

  it("knows the compose frames", () => {
    const frame: TClientFrame = { type: "identities.list", id: "1" };
    expect(isComposeClientFrame(frame)).toBe(true);
    expect(isComposeClientFrame({ type: "ping", id: "1" })).toBe(false);
  });
});

describe("the version handshake", () => {
  it("reads the version a client names, and takes an unnamed one for version 1", () => {
    const query = (path: string) => new URL(path, "http://x").searchParams;
    expect(clientVersionOf(query(socketPath(7)))).toBe(7);
    expect(clientVersionOf(query("/ws"))).toBe(1);
    expect(clientVersionOf(query("/ws?v=abc"))).toBeNull();
    expect(clientVersionOf(query("/ws?v=0"))).toBeNull();
  });

  it("keeps the close codes distinct", () => {
    const codes = Object.values(CloseCode);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
