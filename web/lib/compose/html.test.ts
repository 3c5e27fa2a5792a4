import { describe, expect, it } from "vitest";
import { normalizeLink, textToHtml } from "./html";

describe("normalizeLink", () => {
  it("keeps web and mail links, completes bare ones, refuses other schemes", () => {
    expect(normalizeLink("https://example.org/a?b=1")).toBe("https://example.org/a?b=1");
    expect(normalizeLink("example.org/docs")).toBe("https://example.org/docs");
    expect(normalizeLink("ann@example.org")).toBe("mailto:ann@example.org");
    expect(normalizeLink("mailto:ann@example.org")).toBe("mailto:ann@example.org");
    expect(normalizeLink("javascript:alert(1)")).toBeNull();
    expect(normalizeLink("data:text/html,x")).toBeNull();
    expect(normalizeLink("two words")).toBeNull();
    expect(normalizeLink("  ")).toBeNull();
  });
});

describe("textToHtml", () => {
  it("escapes and keeps lines", () => {
    expect(textToHtml('a <b> & "c"\n\nd')).toBe(
      "<div>a &lt;b&gt; &amp; &quot;c&quot;</div><div><br></div><div>d</div>",
    );
  });
});
