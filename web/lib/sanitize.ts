/**
 * Turning a message's HTML into a safe document for the reader's sandboxed frame.
 *
 * DOMPurify does the cleaning (no scripts, event handlers, forms, frames, objects, meta, base or
 * link elements). Its hooks then handle what loads: `cid:` references become URLs of the
 * message's own parts; remote images, backgrounds and CSS `url()`s are removed and counted
 * (marked with `data-ferry-blocked`) until the user allows remote content, after which they are
 * rewritten to go through the bridge's image proxy. Style sheets are re-serialised through the
 * CSSOM, not edited as text. Links open in a new tab with noopener. The result gets a CSP meta
 * element that lets the frame load nothing but those parts (and proxied images once allowed).
 * Nothing is edited with regular expressions after sanitizing.
 */
import { proxyUrl } from "@ferry/protocol";
import DOMPurify from "dompurify";

export interface SanitizeOptions {
  /** URL of the part with this Content-ID (without angle brackets), or null if unknown. */
  cid: (contentId: string) => string | null;
  /** Rewrite remote resources to the image proxy instead of blocking them. */
  allowRemote: boolean;
  /** Origin of the bridge (for the CSP), e.g. "https://mail.example.com". */
  origin: string;
}

export interface SanitizedHtml {
  /** A whole HTML document for `srcdoc`. */
  html: string;
  /** How many remote resources were blocked (0 when allowed). */
  blocked: number;
}

const FORBID_TAGS = [
  "script",
  "noscript",
  "form",
  "input",
  "button",
  "select",
  "textarea",
  "option",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "applet",
  "meta",
  "base",
  "link",
  "audio",
  "video",
  "source",
  "track",
  "picture",
  "portal",
  "template",
  "dialog",
  "svg",
  "math",
];
const FORBID_ATTR = ["srcset", "ping", "formaction", "action", "srcdoc", "poster", "xmlns"];

/** Base look of a message; the message's own styles come later and win. */
const BASE_CSS = `
html{color-scheme:light;background:#fff;color:#18181b}
body{margin:0;padding:12px;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;overflow-wrap:break-word}
img{max-width:100%;height:auto}
pre{white-space:pre-wrap}
blockquote{margin:0 0 0 .8em;padding-left:.8em;border-left:2px solid #d4d4d8}
img[data-ferry-blocked]{outline:1px dashed #a1a1aa;min-width:16px;min-height:16px}
`;

type Resource = { kind: "keep"; url: string } | { kind: "remote"; url: string } | { kind: "drop" };

let current: SanitizeOptions = { cid: () => null, allowRemote: false, origin: "" };
let blocked = 0;

/** What to do with a URL that would be loaded (img src, background, CSS url()). */
function classify(raw: string): Resource {
  const url = raw.trim();
  const lower = url.toLowerCase();
  if (lower.startsWith("cid:")) {
    let id = url.slice(4);
    try {
      id = decodeURIComponent(id);
    } catch {
      // keep it as written
    }
    id = id.replace(/^<|>$/g, "");
    const resolved = current.cid(id);
    return resolved ? { kind: "keep", url: resolved } : { kind: "drop" };
  }
  if (lower.startsWith("data:image/")) return { kind: "keep", url };
  if (lower.startsWith("https://") || lower.startsWith("http://")) return { kind: "remote", url };
  if (lower.startsWith("//")) return { kind: "remote", url: `https:${url}` };
  // Relative URLs would resolve against Ferry itself; other schemes load nothing useful.
  return { kind: "drop" };
}

/** The URL to put in place of `raw`, or null to remove it (counting blocked remote content). */
function rewrite(raw: string): string | null {
  const r = classify(raw);
  if (r.kind === "keep") return r.url;
  if (r.kind === "remote") {
    if (current.allowRemote) return proxyUrl(r.url);
    blocked++;
  }
  return null;
}

function cssString(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n" || ch === "\r" || ch === "\f") out += "\\a ";
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Rewrite every `url(...)` in one CSS value. Returns null when the declaration must go (a
 * blocked or unusable URL, or an image-set whose bare strings are URLs too).
 */
export function rewriteCssValue(value: string): string | null {
  const lower = value.toLowerCase();
  if (lower.includes("image-set(") || lower.includes("element(")) {
    if (!current.allowRemote) blocked++;
    return null;
  }
  let out = "";
  let i = 0;
  while (i < value.length) {
    const at = lower.indexOf("url(", i);
    if (at < 0) {
      out += value.slice(i);
      break;
    }
    out += value.slice(i, at);
    let j = at + 4;
    while (j < value.length && /\s/.test(value.charAt(j))) j++;
    let url = "";
    const quote = value.charAt(j);
    if (quote === '"' || quote === "'") {
      j++;
      while (j < value.length && value.charAt(j) !== quote) {
        if (value.charAt(j) === "\\" && j + 1 < value.length) j++;
        url += value.charAt(j);
        j++;
      }
      j++;
      while (j < value.length && /\s/.test(value.charAt(j))) j++;
    } else {
      while (j < value.length && value.charAt(j) !== ")") {
        if (value.charAt(j) === "\\" && j + 1 < value.length) j++;
        url += value.charAt(j);
        j++;
      }
      url = url.trim();
    }
    if (value.charAt(j) !== ")") return null; // unterminated: drop the declaration
    const replaced = rewrite(url);
    if (replaced === null) return null;
    out += `url(${cssString(replaced)})`;
    i = j + 1;
  }
  return out;
}

function rewriteDeclarations(style: CSSStyleDeclaration): void {
  for (let k = style.length - 1; k >= 0; k--) {
    const prop = style.item(k);
    const value = style.getPropertyValue(prop);
    const lower = value.toLowerCase();
    if (!lower.includes("url(") && !lower.includes("image-set(") && !lower.includes("element(")) {
      continue;
    }
    const next = rewriteCssValue(value);
    if (next === null) style.removeProperty(prop);
    else if (next !== value) style.setProperty(prop, next, style.getPropertyPriority(prop));
  }
}

function rewriteRules(rules: CSSRuleList, owner: { deleteRule(i: number): void }): void {
  for (let k = rules.length - 1; k >= 0; k--) {
    const rule = rules[k];
    if (!rule) continue;
    // @import and @font-face only fetch things (style sheets, fonts): they go.
    if (rule instanceof CSSImportRule || rule instanceof CSSFontFaceRule) {
      if (rule instanceof CSSImportRule && !current.allowRemote) blocked++;
      owner.deleteRule(k);
      continue;
    }
    if ("style" in rule && rule.style instanceof CSSStyleDeclaration)
      rewriteDeclarations(rule.style);
    if ("cssRules" in rule && rule.cssRules instanceof CSSRuleList) {
      const group = rule as CSSRule & { cssRules: CSSRuleList; deleteRule(i: number): void };
      if (typeof group.deleteRule === "function") rewriteRules(group.cssRules, group);
    }
  }
}

/** A `<style>` element's text, parsed and re-serialised by the browser's CSSOM. */
function rewriteStyleSheet(text: string): string {
  const sheet = new CSSStyleSheet();
  try {
    sheet.replaceSync(text);
  } catch {
    return "";
  }
  rewriteRules(sheet.cssRules, sheet);
  return Array.from(sheet.cssRules, (r) => r.cssText).join("\n");
}

let scratch: HTMLElement | null = null;

/** A `style` attribute, parsed on a detached element of this page (which renders nothing). */
function rewriteStyleAttribute(text: string): string {
  scratch ??= document.createElement("div");
  scratch.style.cssText = text;
  rewriteDeclarations(scratch.style);
  const out = scratch.style.cssText;
  scratch.removeAttribute("style");
  return out;
}

let purifier: ReturnType<typeof DOMPurify> | null = null;

function getPurifier(): ReturnType<typeof DOMPurify> {
  if (purifier) return purifier;
  const p = DOMPurify(window);

  p.addHook("beforeSanitizeAttributes", (node) => {
    // srcset is not kept (each candidate would need proxying); fall back to its first image.
    if (node instanceof Element && node.nodeName === "IMG" && !node.getAttribute("src")) {
      const first = (node.getAttribute("srcset") ?? "").split(",")[0]?.trim().split(/\s+/)[0];
      if (first) node.setAttribute("src", first);
    }
  });

  p.addHook("afterSanitizeElements", (node) => {
    if (node.nodeName === "STYLE") node.textContent = rewriteStyleSheet(node.textContent ?? "");
  });

  p.addHook("afterSanitizeAttributes", (node) => {
    if (!(node instanceof Element)) return;
    const name = node.nodeName;
    if (name === "A" || name === "AREA") {
      const href = node.getAttribute("href");
      if (href && !href.startsWith("#")) {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer");
      }
    }
    for (const attr of ["src", "background"]) {
      const value = node.getAttribute(attr);
      if (value === null) continue;
      if (attr === "src" && name !== "IMG") {
        node.removeAttribute(attr);
        continue;
      }
      const before = blocked;
      const replaced = rewrite(value);
      if (replaced === null) {
        node.removeAttribute(attr);
        if (blocked > before) node.setAttribute("data-ferry-blocked", attr);
      } else {
        node.setAttribute(attr, replaced);
      }
    }
    const style = node.getAttribute("style");
    if (style !== null) {
      const before = blocked;
      const next = rewriteStyleAttribute(style);
      if (next) node.setAttribute("style", next);
      else node.removeAttribute("style");
      if (blocked > before) node.setAttribute("data-ferry-blocked", "style");
    }
  });

  purifier = p;
  return p;
}

function csp(opts: SanitizeOptions): string {
  const images = [`${opts.origin}/api/parts`, "data:"];
  if (opts.allowRemote) images.push(`${opts.origin}/api/proxy`);
  return [
    "default-src 'none'",
    `img-src ${images.join(" ")}`,
    "style-src 'unsafe-inline'",
    "font-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/** Sanitize a message's HTML into a whole document for the reader's sandboxed frame. */
export function sanitizeEmailHtml(dirty: string, opts: SanitizeOptions): SanitizedHtml {
  const purify = getPurifier();
  current = opts;
  blocked = 0;
  let root: Node;
  try {
    root = purify.sanitize(dirty, {
      WHOLE_DOCUMENT: true,
      RETURN_DOM: true,
      USE_PROFILES: { html: true },
      FORBID_TAGS,
      FORBID_ATTR,
      ALLOW_DATA_ATTR: false,
      ALLOW_UNKNOWN_PROTOCOLS: false,
    });
  } finally {
    current = { cid: () => null, allowRemote: false, origin: "" };
  }
  const count = blocked;
  const html = root instanceof Element ? root : null;
  const doc = html?.ownerDocument;
  if (!html || !doc) return { html: "", blocked: count };

  let head = html.querySelector("head");
  if (!head) {
    head = doc.createElement("head");
    html.prepend(head);
  }
  const base = doc.createElement("style");
  base.textContent = BASE_CSS;
  head.prepend(base);
  const referrer = doc.createElement("meta");
  referrer.setAttribute("name", "referrer");
  referrer.setAttribute("content", "no-referrer");
  head.prepend(referrer);
  const policy = doc.createElement("meta");
  policy.setAttribute("http-equiv", "Content-Security-Policy");
  policy.setAttribute("content", csp(opts));
  head.prepend(policy);
  const charset = doc.createElement("meta");
  charset.setAttribute("charset", "utf-8");
  head.prepend(charset);

  return { html: `<!DOCTYPE html>${html.outerHTML}`, blocked: count };
}
