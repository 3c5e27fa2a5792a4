import { describe, expect, it } from "vitest";
import { linkify } from "./linkify";

describe("linkify", () => {
  it("links http(s) and www. URLs and leaves the rest as text", () => {
    expect(linkify("see https://example.com/a?b=1, or www.example.org.")).toEqual([
      { text: "see " },
      { text: "https://example.com/a?b=1", href: "https://example.com/a?b=1" },
      { text: ", or " },
      { text: "www.example.org", href: "https://www.example.org/" },
      { text: "." },
    ]);
  });

  it("keeps balanced brackets and drops a closing one that is not the URL's", () => {
    expect(linkify("(https://en.wikipedia.org/wiki/Foo_(bar))")[1]).toEqual({
      text: "https://en.wikipedia.org/wiki/Foo_(bar)",
      href: "https://en.wikipedia.org/wiki/Foo_(bar)",
    });
  });

  it("never links other schemes", () => {
    expect(linkify("javascript:alert(1) data:text/html,x")).toEqual([
      { text: "javascript:alert(1) data:text/html,x" },
    ]);
  });

  it("returns text with markup untouched (React escapes it)", () => {
    expect(linkify("<b>hi</b>")).toEqual([{ text: "<b>hi</b>" }]);
  });
});
