import type { TComposeAddress } from "@ferry/protocol";
import type { MessageStructureObject } from "imapflow";
import { describe, expect, it } from "vitest";
import {
  decodeSourceHeader,
  encodeSourceHeader,
  forwardableParts,
  pickBodyPart,
  renameContentId,
  replyRecipients,
  toComposeAddresses,
} from "./context";
import { attributionLine, quotePlain } from "./text";

const a = (address: string, name = ""): TComposeAddress => ({ name, address });
const own = new Set(["me@example.test", "alias@example.test"]);

describe("replyRecipients", () => {
  const env = {
    from: [a("bob@example.test", "Bob")],
    replyTo: [] as TComposeAddress[],
    to: [a("me@example.test"), a("carol@example.test")],
    cc: [a("alias@example.test"), a("dave@example.test"), a("carol@example.test")],
  };

  it("reply goes to the sender only", () => {
    expect(replyRecipients(env, false, own)).toEqual({
      to: [a("bob@example.test", "Bob")],
      cc: [],
    });
  });

  it("reply goes to Reply-To when there is one", () => {
    const r = replyRecipients({ ...env, replyTo: [a("list@example.test")] }, false, own);
    expect(r.to).toEqual([a("list@example.test")]);
  });

  it("reply all leaves out the user's own addresses and duplicates", () => {
    expect(replyRecipients(env, true, own)).toEqual({
      to: [a("bob@example.test", "Bob"), a("carol@example.test")],
      cc: [a("dave@example.test")],
    });
  });

  it("answering one's own sent message goes to its recipients", () => {
    const sent = { from: [a("me@example.test")], replyTo: [], to: [a("bob@example.test")], cc: [] };
    expect(replyRecipients(sent, false, own).to).toEqual([a("bob@example.test")]);
    expect(replyRecipients(sent, true, own).to).toEqual([a("bob@example.test")]);
  });
});

describe("toComposeAddresses", () => {
  it("drops groups and junk, cleans names", () => {
    expect(
      toComposeAddresses([
        { name: "undisclosed-recipients", address: "" },
        { name: "A\r\nB", address: "a@example.test" },
        { address: "not an address" },
      ]),
    ).toEqual([a("a@example.test", "A B")]);
  });
});

const leaf = (part: string, type: string, extra: Partial<MessageStructureObject> = {}) => ({
  part,
  type,
  ...extra,
});

describe("pickBodyPart / forwardableParts", () => {
  const tree: MessageStructureObject = {
    type: "multipart/mixed",
    childNodes: [
      {
        type: "multipart/alternative",
        part: "1",
        childNodes: [leaf("1.1", "text/plain"), leaf("1.2", "text/html")],
      },
      leaf("2", "application/pdf", {
        disposition: "attachment",
        dispositionParameters: { filename: "a/../report.pdf" },
        encoding: "base64",
        size: 400,
      }),
      leaf("3", "image/png", { parameters: { name: "logo.png" }, id: "<logo>" }),
      leaf("4", "message/rfc822", { size: 50 }),
    ],
  };

  it("quotes the plain alternative", () => {
    expect(pickBodyPart(tree)).toEqual({ part: "1.1", type: "text/plain" });
  });

  it("falls back to HTML, and to part 1 of a single-part message", () => {
    expect(
      pickBodyPart({ type: "multipart/alternative", childNodes: [leaf("1", "text/html")] }),
    ).toEqual({
      part: "1",
      type: "text/html",
    });
    expect(pickBodyPart({ type: "text/plain" })).toEqual({ part: "1", type: "text/plain" });
  });

  it("forwards every other leaf, not the body's alternatives", () => {
    expect(forwardableParts(tree, pickBodyPart(tree))).toEqual([
      { part: "2", filename: "report.pdf", type: "application/pdf", size: 300 },
      { part: "3", filename: "logo.png", type: "image/png", size: 0 },
      { part: "4", filename: "message.eml", type: "message/rfc822", size: 50 },
    ]);
  });
});

describe("quoting", () => {
  it("prefixes every line, and nests quotes without spaces", () => {
    expect(quotePlain("Hi\n\n> earlier\nBye\n")).toBe("> Hi\n>\n>> earlier\n> Bye");
  });

  it("writes the attribution in the asked time zone", () => {
    const date = new Date("2025-02-03T13:05:00Z");
    expect(attributionLine(date, a("bob@example.test", "Bob"), "Europe/Berlin")).toBe(
      "On Mon, 3 Feb 2025 at 14:05, Bob <bob@example.test> wrote:",
    );
    expect(attributionLine(date, a("bob@example.test"), "Not/AZone")).toBe(
      "On Mon, 3 Feb 2025 at 13:05, bob@example.test wrote:",
    );
  });
});

describe("X-Ferry-Source", () => {
  it("round-trips, and refuses junk", () => {
    const source = {
      ref: { mailbox: "Archive/Ünïcode folder", uidValidity: 42, uid: 7 },
      mode: "replyAll" as const,
    };
    expect(decodeSourceHeader(encodeSourceHeader(source))).toEqual(source);
    expect(decodeSourceHeader("replyAll x 7 QQ")).toBeNull();
    expect(decodeSourceHeader(undefined)).toBeNull();
  });
});

describe("renameContentId", () => {
  it("points every cid: reference of a resumed draft's image at its new Content-ID", () => {
    const html =
      '<p>a<img src="cid:Old_1@inline.ferry.invalid" alt="x"></p><img src=\'CID:old_1@inline.ferry.invalid\'>';
    expect(renameContentId(html, "Old_1@inline.ferry.invalid", "New@inline.ferry.invalid")).toBe(
      '<p>a<img src="cid:New@inline.ferry.invalid" alt="x"></p><img src=\'cid:New@inline.ferry.invalid\'>',
    );
  });

  it("leaves alone a Content-ID the HTML does not show, or only as a prefix", () => {
    expect(renameContentId('<img src="cid:a.b@x">', "a@x", "n@y")).toBeNull();
    expect(renameContentId('<img src="cid:a@x.more">', "a@x", "n@y")).toBeNull();
    expect(renameContentId('<img src="cid:aXb@x">', "a.b@x", "n@y")).toBeNull();
    expect(renameContentId("<p>no images</p>", "a@x", "n@y")).toBeNull();
  });
});
