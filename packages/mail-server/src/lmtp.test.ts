/** Unit tests of the LMTP client's DATA encoding. */
import { describe, expect, it } from "vitest";
import { encodeData } from "./lmtp";

describe("encodeData", () => {
  it("normalizes line endings to CRLF and terminates with a lone dot", () => {
    expect(encodeData("a\nb\r\nc").toString("latin1")).toBe("a\r\nb\r\nc\r\n.\r\n");
  });

  it("dot-stuffs lines that start with a dot", () => {
    expect(encodeData(".x\n..y\nz.\n").toString("latin1")).toBe("..x\r\n...y\r\nz.\r\n.\r\n");
  });

  it("keeps 8-bit bytes of Buffers and UTF-8 of strings intact", () => {
    const bytes = Buffer.from([0xe9, 0x0a, 0xff]);
    expect([...encodeData(bytes)]).toEqual([0xe9, 0x0d, 0x0a, 0xff, 0x0d, 0x0a, 0x2e, 0x0d, 0x0a]);
    expect(encodeData("Grüße\n").toString("utf8")).toBe("Grüße\r\n.\r\n");
  });
});
