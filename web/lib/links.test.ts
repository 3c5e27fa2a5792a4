import { describe, expect, it } from "vitest";
import { domainsIn, isMixedScript, type LinkAction, linkAction } from "./links";

function reasons(action: LinkAction): string[] {
  return action.kind === "confirm" ? action.reasons : [];
}

describe("linkAction: plain links open", () => {
  it("opens an http(s) link whose text shows no address", () => {
    const a = linkAction("https://shop.example.com/sale?id=1", "See the sale");
    expect(a.kind).toBe("open");
    if (a.kind === "open") expect(a.url.href).toBe("https://shop.example.com/sale?id=1");
    expect(linkAction("http://example.org", "").kind).toBe("open");
  });

  it("opens a link whose text shows its own domain, whatever the case, www. or path", () => {
    expect(linkAction("https://www.example.com/a", "example.com").kind).toBe("open");
    expect(linkAction("https://example.com/a", "WWW.Example.COM").kind).toBe("open");
    expect(linkAction("https://EXAMPLE.com/", "https://example.com/other/page").kind).toBe("open");
    expect(linkAction("https://mail.example.com/", "example.com").kind).toBe("open");
    expect(linkAction("https://example.com/", "login.example.com").kind).toBe("open");
    expect(linkAction("https://example.com./", "example.com").kind).toBe("open");
  });

  it("ignores trailing punctuation and brackets around the shown domain", () => {
    expect(linkAction("https://example.com", "Visit example.com.").kind).toBe("open");
    expect(linkAction("https://example.com", "(example.com),").kind).toBe("open");
    expect(linkAction("https://example.com", "«https://example.com/»!").kind).toBe("open");
  });

  it("does not read file names, versions or numbers as domains", () => {
    expect(linkAction("https://files.example.com/r.pdf", "report.pdf").kind).toBe("open");
    expect(linkAction("https://example.com/", "version 2.0.1, 3.5 stars").kind).toBe("open");
    expect(domainsIn("Download report.pdf or notes.docx")).toEqual([]);
  });
});

describe("linkAction: deceptive links ask first", () => {
  it("asks when the text shows another domain", () => {
    const a = linkAction("https://evil.example.net/login", "https://www.paypal.com/signin");
    expect(a).toMatchObject({ kind: "confirm", reasons: ["text-mismatch"], shown: "paypal.com" });
    expect(reasons(linkAction("https://evil.example.net", "paypal.com"))).toEqual([
      "text-mismatch",
    ]);
  });

  it("asks when the shown domain is only a prefix of the real host", () => {
    expect(reasons(linkAction("https://paypal.com.evil.example/", "paypal.com"))).toEqual([
      "text-mismatch",
    ]);
    expect(reasons(linkAction("https://evilpaypal.com/", "paypal.com"))).toEqual(["text-mismatch"]);
  });

  it("asks when the text shows an e-mail address of another domain", () => {
    expect(reasons(linkAction("https://evil.example/", "support@paypal.com"))).toEqual([
      "text-mismatch",
    ]);
    expect(linkAction("https://paypal.com/help", "support@PayPal.com").kind).toBe("open");
  });

  it("sees through invisible characters and full-width dots in the text", () => {
    expect(reasons(linkAction("https://evil.example/", "pay\u200bpal.com"))).toEqual([
      "text-mismatch",
    ]);
    expect(domainsIn("paypal\uff0ecom")).toEqual(["paypal.com"]);
    expect(linkAction("https://paypal.com/", "paypal\uff0ecom").kind).toBe("open");
  });

  it("asks for a punycode host, written either way", () => {
    expect(reasons(linkAction("https://xn--pypal-4ve.com/", "Log in"))).toEqual(["punycode"]);
    // Cyrillic "а" in "pаypal": punycode once parsed, and mixed-script as written.
    expect(reasons(linkAction("https://p\u0430ypal.com/", "Log in"))).toEqual([
      "punycode",
      "mixed-script",
    ]);
  });

  it("asks when the text shows a lookalike of the real domain", () => {
    const a = linkAction("https://p\u0430ypal.com/", "paypal.com");
    expect(reasons(a)).toContain("text-mismatch");
    expect(reasons(a)).toContain("punycode");
  });

  it("asks for an IP-address host, however it is written", () => {
    expect(reasons(linkAction("http://192.0.2.7/login", "Log in"))).toEqual(["ip-address"]);
    expect(reasons(linkAction("http://3221225991/", "Log in"))).toEqual(["ip-address"]);
    expect(reasons(linkAction("http://0xc0.0.2.7/", "Log in"))).toEqual(["ip-address"]);
    expect(reasons(linkAction("http://[2001:db8::1]/", "Log in"))).toEqual(["ip-address"]);
  });

  it("asks when a user name hides the real host", () => {
    const a = linkAction("https://www.paypal.com@evil.example/", "Log in");
    expect(reasons(a)).toEqual(["credentials"]);
    if (a.kind === "confirm") expect(a.url.hostname).toBe("evil.example");
  });
});

describe("linkAction: anchors, mailto and other schemes", () => {
  it("keeps in-page anchors in the message", () => {
    expect(linkAction("#sec2", "Section 2")).toEqual({ kind: "anchor", target: "sec2" });
    expect(linkAction(" #caf%C3%A9 ", "")).toEqual({ kind: "anchor", target: "café" });
    expect(linkAction("#", "top")).toEqual({ kind: "anchor", target: "" });
    expect(linkAction("#%E0%A4%A", "")).toEqual({ kind: "anchor", target: "%E0%A4%A" });
  });

  it("turns mailto into the composer's recipients", () => {
    expect(linkAction("mailto:ann@example.com,bob@example.org?subject=hi", "write")).toEqual({
      kind: "compose",
      to: ["ann@example.com", "bob@example.org"],
    });
    expect(linkAction("MAILTO:?to=cy%40example.com", "")).toEqual({
      kind: "compose",
      to: ["cy@example.com"],
    });
  });

  it("refuses every other scheme, relative and unparsable links", () => {
    for (const href of [
      "javascript:alert(1)",
      " JaVa\tScRiPt:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox",
      "file:///etc/passwd",
      "tel:+15551234",
      "ftp://example.com/",
      "/api/session",
      "api/session",
      "//evil.example/",
      "http://",
    ]) {
      expect(linkAction(href, "x").kind, href).toBe("refuse");
    }
  });
});

describe("isMixedScript", () => {
  it("flags Latin mixed with Cyrillic or Greek in one label", () => {
    expect(isMixedScript("p\u0430ypal")).toBe(true);
    expect(isMixedScript("\u03bfpenai")).toBe(true);
  });

  it("allows single scripts and the CJK mixes browsers allow", () => {
    expect(isMixedScript("paypal")).toBe(false);
    expect(isMixedScript("пример")).toBe(false);
    expect(isMixedScript("example-2")).toBe(false);
    expect(isMixedScript("ソニーsony")).toBe(false);
    expect(isMixedScript("日本語テキスト")).toBe(false);
    expect(isMixedScript("한국abc")).toBe(false);
  });
});
