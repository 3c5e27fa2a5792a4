import { describe, expect, it } from "vitest";
import { parseRecipients, toComposeAddresses } from "./addresses";

const pairs = (text: string) =>
  parseRecipients(text).map((r) => [r.name, r.address, r.valid] as const);

describe("parseRecipients", () => {
  it("splits lists on commas, semicolons and line breaks", () => {
    expect(pairs("ann@example.org, bob@example.org;cy@example.org\ndee@example.org")).toEqual([
      ["", "ann@example.org", true],
      ["", "bob@example.org", true],
      ["", "cy@example.org", true],
      ["", "dee@example.org", true],
    ]);
  });

  it("reads display names, quoted or not, and keeps commas inside quotes", () => {
    expect(pairs('"Cy, Jr." <cy@example.org>, Ann Lee <ann@example.org>, <x@example.org>')).toEqual(
      [
        ["Cy, Jr.", "cy@example.org", true],
        ["Ann Lee", "ann@example.org", true],
        ["", "x@example.org", true],
      ],
    );
  });

  it("splits space-separated addresses and strips mailto:", () => {
    expect(pairs("mailto:a@example.org b@example.org")).toEqual([
      ["", "a@example.org", true],
      ["", "b@example.org", true],
    ]);
  });

  it("marks what is not an address, and accepts UTF-8 addresses", () => {
    expect(pairs("bob, bob@, @x.org, jürgen@bücher.de")).toEqual([
      ["", "bob", false],
      ["", "bob@", false],
      ["", "@x.org", false],
      ["", "jürgen@bücher.de", true],
    ]);
  });

  it("never keeps a line break in a name", () => {
    const [r] = parseRecipients('"Evil\rBcc: x@y.z" <a@example.org>');
    expect(r?.name).toBe("Evil Bcc: x@y.z");
    expect(toComposeAddresses(parseRecipients("a@example.org, nope"))).toEqual([
      { name: "", address: "a@example.org" },
    ]);
  });
});
