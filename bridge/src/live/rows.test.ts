import type { FetchMessageObject } from "imapflow";
import { describe, expect, it } from "vitest";
import { toMessageRow, wireFlags } from "./rows";

describe("toMessageRow", () => {
  it("builds a row from a FETCH answer", () => {
    const msg: FetchMessageObject = {
      seq: 1,
      uid: 42,
      flags: new Set(["\\Seen", "\\Recent", "$Work"]),
      size: 1234,
      envelope: {
        date: new Date("2024-05-01T10:00:00Z"),
        subject: "Hello",
        from: [{ name: "Ann", address: "ann@example.test" }],
        to: [{ address: "bob@example.test" }],
        messageId: "<m1@example.test>",
      },
      bodyStructure: {
        type: "multipart/mixed",
        childNodes: [
          { part: "1", type: "text/plain" },
          { part: "2", type: "application/pdf", disposition: "attachment" },
        ],
      },
    };
    expect(toMessageRow(msg)).toEqual({
      uid: 42,
      flags: ["\\Seen", "$Work"],
      date: "2024-05-01T10:00:00.000Z",
      subject: "Hello",
      from: [{ name: "Ann", address: "ann@example.test" }],
      to: [{ name: "", address: "bob@example.test" }],
      size: 1234,
      hasAttachments: true,
      preview: "",
      messageId: "<m1@example.test>",
    });
  });

  it("survives a message with nothing usable in it", () => {
    const row = toMessageRow({
      seq: 1,
      uid: 7,
      envelope: { date: "not a date" },
      bodyStructure: { type: "text/plain" },
    });
    expect(row).toMatchObject({ uid: 7, subject: "", date: null, from: [], hasAttachments: false });
  });

  it("does not count inline images as attachments", () => {
    const row = toMessageRow({
      seq: 1,
      uid: 8,
      bodyStructure: {
        type: "multipart/related",
        childNodes: [
          { type: "text/html" },
          {
            type: "image/png",
            disposition: "inline",
            dispositionParameters: { filename: "a.png" },
          },
        ],
      },
    });
    expect(row.hasAttachments).toBe(false);
  });
});

describe("wireFlags", () => {
  it("drops \\Recent whatever its case", () => {
    expect(wireFlags(["\\RECENT", "\\Flagged"])).toEqual(["\\Flagged"]);
  });
});
