import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cleanReason, parseLine, sieveString, statusOf } from "./wire";

const line = (text: string) => Buffer.from(text, "utf8");

describe("ManageSieve wire format", () => {
  it("reads atoms, quoted strings, literals and a response code", () => {
    const parsed = parseLine(line('NO (QUOTA/MAXSIZE "x") {5}\r\nhello\r\n'), 1024);
    expect(parsed?.used).toBe(line('NO (QUOTA/MAXSIZE "x") {5}\r\nhello\r\n').length);
    expect(statusOf(parsed?.tokens ?? [])).toEqual({
      status: "NO",
      code: "QUOTA/MAXSIZE",
      codeArgs: ["x"],
      text: "hello",
    });
  });

  it("asks for more bytes while a line or its literal is incomplete", () => {
    const whole = line('"a" {10}\r\n0123456789 OK\r\n');
    for (let cut = 0; cut < whole.length; cut++) {
      expect(parseLine(whole.subarray(0, cut), 1024)).toBeNull();
    }
    expect(parseLine(whole, 1024)?.tokens).toEqual([
      { kind: "string", value: "a" },
      { kind: "string", value: "0123456789" },
      { kind: "atom", value: "OK" },
    ]);
  });

  it("refuses a literal above the cap before its bytes arrive", () => {
    expect(() => parseLine(line("{999999}\r\n"), 1024)).toThrow("literal too large");
  });

  it("a data line is not a status", () => {
    expect(statusOf(parseLine(line('"rules" ACTIVE\r\n'), 1024)?.tokens ?? [])).toBeNull();
  });

  it("any string written as a command argument reads back as itself", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 1500 }), (value) => {
        const parsed = parseLine(line(`${sieveString(value)}\r\n`), 1 << 20);
        expect(parsed?.tokens).toEqual([{ kind: "string", value }]);
      }),
    );
  });

  it("server text loses control and bidi characters and is cut short", () => {
    expect(cleanReason("bad\u202E\u0007 script\r\n")).toBe("bad script");
    expect(cleanReason("x".repeat(5000)).length).toBe(1001);
  });
});
