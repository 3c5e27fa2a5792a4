import { ZBodyPart } from "@ferry/protocol";
import type { MessageStructureObject } from "imapflow";
import { describe, expect, it } from "vitest";
import {
  analyzeStructure,
  findPart,
  isoDate,
  leafParts,
  toAddresses,
  toBodyPart,
  toEnvelope,
} from "./structure";

// Shapes as imapflow's parseBodystructure() returns them (including its own part numbers,
// which toBodyPart() must not trust for encapsulated messages).
const text = (
  sub: string,
  extra: Partial<MessageStructureObject> = {},
): MessageStructureObject => ({
  type: `text/${sub}`,
  parameters: { charset: "utf-8" },
  encoding: "7bit",
  size: 10,
  ...extra,
});
const multi = (sub: string, childNodes: MessageStructureObject[]): MessageStructureObject => ({
  type: `multipart/${sub}`,
  childNodes,
});

describe("toBodyPart", () => {
  it("numbers a single-part message's body 1", () => {
    const root = toBodyPart(text("plain"));
    expect(root.part).toBe("1");
    expect(root.children).toEqual([]);
    expect(ZBodyPart.safeParse(root).success).toBe(true);
  });

  it("numbers multipart trees as RFC 3501 does, the top container TEXT", () => {
    const root = toBodyPart(
      multi("mixed", [
        multi("alternative", [text("plain"), text("html")]),
        { type: "image/png", encoding: "base64", size: 100, parameters: { name: "a.png" } },
      ]),
    );
    expect(root.part).toBe("TEXT");
    expect(root.children.map((c) => c.part)).toEqual(["1", "2"]);
    expect(root.children[0]?.children.map((c) => c.part)).toEqual(["1.1", "1.2"]);
    expect(root.children[1]?.filename).toBe("a.png");
    expect(ZBodyPart.safeParse(root).success).toBe(true);
  });

  it("numbers the body of an encapsulated single-part message P.1, a multipart one P.TEXT", () => {
    const root = toBodyPart(
      multi("mixed", [
        text("plain"),
        {
          type: "message/rfc822",
          size: 300,
          envelope: { subject: "Forwarded thing" },
          // imapflow reuses the wrapper's number for the inner body: "2"
          childNodes: [{ ...text("plain"), part: "2" }],
        },
        {
          type: "message/rfc822",
          size: 300,
          childNodes: [multi("alternative", [text("plain"), text("html")])],
        },
      ]),
    );
    const forwarded = root.children[1];
    expect(forwarded?.part).toBe("2");
    expect(forwarded?.filename).toBe("Forwarded thing.eml");
    expect(forwarded?.children[0]?.part).toBe("2.1");
    const second = root.children[2];
    expect(second?.children[0]?.part).toBe("3.TEXT");
    expect(second?.children[0]?.children.map((c) => c.part)).toEqual(["3.1", "3.2"]);
  });

  it("keeps disposition, content id without brackets, charset and sizes; drops junk", () => {
    const root = toBodyPart({
      type: "IMAGE/JPEG",
      id: "<logo@x>",
      encoding: "BASE64",
      size: 42,
      disposition: "INLINE",
      dispositionParameters: { filename: "logo\r\n.jpg" },
      parameters: { charset: "" },
    });
    expect(root).toMatchObject({
      type: "image/jpeg",
      contentId: "logo@x",
      encoding: "base64",
      size: 42,
      disposition: "inline",
      filename: "logo .jpg",
      charset: null,
    });
    expect(toBodyPart({ type: "", disposition: "weird", size: -1 })).toMatchObject({
      type: "application/octet-stream",
      disposition: null,
      size: 0,
    });
    expect(toBodyPart(undefined)).toMatchObject({ part: "1", type: "text/plain" });
  });
});

describe("analyzeStructure", () => {
  it("shows only the html alternative and lists no attachment for the plain one", () => {
    const a = analyzeStructure(toBodyPart(multi("alternative", [text("plain"), text("html")])));
    expect(a.bodyParts).toEqual([{ part: "2", type: "text/html" }]);
    expect(a.attachments).toEqual([]);
    expect(a.hasAttachments).toBe(false);
  });

  it("falls back to plain when there is no html, and to the last plain alternative", () => {
    const a = analyzeStructure(toBodyPart(multi("alternative", [text("plain"), text("plain")])));
    expect(a.bodyParts).toEqual([{ part: "2", type: "text/plain" }]);
  });

  it("takes the related root and marks its cid parts inline", () => {
    const a = analyzeStructure(
      toBodyPart(
        multi("mixed", [
          multi("alternative", [
            text("plain"),
            multi("related", [
              text("html"),
              { type: "image/png", id: "<img1>", size: 5, encoding: "base64" },
            ]),
          ]),
          {
            type: "application/pdf",
            size: 9,
            disposition: "attachment",
            dispositionParameters: { filename: "r.pdf" },
          },
        ]),
      ),
    );
    expect(a.bodyParts).toEqual([{ part: "1.2.1", type: "text/html" }]);
    expect(a.attachments).toEqual([
      {
        part: "1.2.2",
        type: "image/png",
        filename: "part-1.2.2.png",
        size: 5,
        contentId: "img1",
        inline: true,
      },
      {
        part: "2",
        type: "application/pdf",
        filename: "r.pdf",
        size: 9,
        contentId: null,
        inline: false,
      },
    ]);
    expect(a.hasAttachments).toBe(true);
  });

  it("does not count inline related images or signatures as attachments", () => {
    const related = analyzeStructure(
      toBodyPart(multi("related", [text("html"), { type: "image/gif", id: "<x>", size: 1 }])),
    );
    expect(related.hasAttachments).toBe(false);
    const signed = analyzeStructure(
      toBodyPart(multi("signed", [text("plain"), { type: "application/pgp-signature", size: 1 }])),
    );
    expect(signed.bodyParts).toEqual([{ part: "1", type: "text/plain" }]);
    expect(signed.attachments.map((x) => x.type)).toEqual(["application/pgp-signature"]);
    expect(signed.hasAttachments).toBe(false);
  });

  it("shows every inline text part of a mixed message and lists attached text as attachment", () => {
    const a = analyzeStructure(
      toBodyPart(
        multi("mixed", [
          text("plain"),
          {
            type: "image/jpeg",
            size: 3,
            disposition: "inline",
            dispositionParameters: { filename: "p.jpg" },
          },
          text("plain"),
          text("plain", {
            disposition: "attachment",
            dispositionParameters: { filename: "notes.txt" },
          }),
          text("plain", { parameters: { name: "named.txt" } }),
          text("calendar"),
        ]),
      ),
    );
    expect(a.bodyParts.map((b) => b.part)).toEqual(["1", "3"]);
    expect(a.attachments.map((x) => [x.part, x.filename])).toEqual([
      ["2", "p.jpg"],
      ["4", "notes.txt"],
      ["5", "named.txt"],
      ["6", "part-6.ics"],
    ]);
    expect(a.hasAttachments).toBe(true);
  });

  it("treats a forwarded message as one attachment and never displays it", () => {
    const a = analyzeStructure(
      toBodyPart(
        multi("mixed", [
          text("plain"),
          { type: "message/rfc822", size: 4, childNodes: [text("html")] },
        ]),
      ),
    );
    expect(a.bodyParts).toEqual([{ part: "1", type: "text/plain" }]);
    expect(a.attachments).toEqual([
      {
        part: "2",
        type: "message/rfc822",
        filename: "message.eml",
        size: 4,
        contentId: null,
        inline: false,
      },
    ]);
  });

  it("has no body for an attachment-only message, but lists it", () => {
    const a = analyzeStructure(
      toBodyPart({
        type: "application/zip",
        size: 8,
        disposition: "attachment",
        dispositionParameters: { filename: "z.zip" },
      }),
    );
    expect(a.bodyParts).toEqual([]);
    expect(a.attachments).toHaveLength(1);
    expect(a.hasAttachments).toBe(true);
  });

  it("keeps a non-text alternative (a calendar invite) as an attachment", () => {
    const a = analyzeStructure(
      toBodyPart(multi("alternative", [text("plain"), text("html"), text("calendar")])),
    );
    expect(a.bodyParts).toEqual([{ part: "2", type: "text/html" }]);
    expect(a.attachments.map((x) => x.type)).toEqual(["text/calendar"]);
  });
});

describe("tree helpers", () => {
  const root = toBodyPart(
    multi("mixed", [
      text("plain"),
      { type: "message/rfc822", size: 4, childNodes: [text("plain")] },
    ]),
  );

  it("lists the message's own leaves, with the encapsulated message as one", () => {
    expect(leafParts(root).map((p) => p.part)).toEqual(["1", "2"]);
  });

  it("finds parts anywhere, case-insensitively", () => {
    expect(findPart(root, "2.1")?.type).toBe("text/plain");
    expect(findPart(root, "text")?.type).toBe("multipart/mixed");
    expect(findPart(root, "9")).toBeNull();
  });
});

describe("envelope", () => {
  it("maps addresses, dates and missing fields", () => {
    const env = toEnvelope({
      date: new Date("2024-05-01T10:00:00Z"),
      subject: "Hi",
      from: [{ name: "Ann", address: "ann@x.test" }, {}],
      to: [{ address: "bob@x.test" }],
      messageId: "<m@x>",
    });
    expect(env).toEqual({
      date: "2024-05-01T10:00:00.000Z",
      subject: "Hi",
      from: [{ name: "Ann", address: "ann@x.test" }],
      sender: [],
      replyTo: [],
      to: [{ name: "", address: "bob@x.test" }],
      cc: [],
      bcc: [],
      messageId: "<m@x>",
      inReplyTo: null,
    });
    expect(toEnvelope(undefined).subject).toBe("");
    expect(isoDate("not a date")).toBeNull();
    expect(toAddresses(undefined)).toEqual([]);
  });
});
