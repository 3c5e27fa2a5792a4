/**
 * Turning a message's HTML into a safe document for the reader's sandboxed frame.
 *
 * DOMPurify runs twice, and the second pass has the last word:
 *
 * 1. Draft. DOMPurify cleans the message (no scripts, event handlers, forms, frames, objects,
 *    meta, base or link elements) and its hooks rewrite what would load or navigate: `cid:`
 *    references become URLs of the message's own parts; remote images, backgrounds and CSS
 *    `url()`s are removed and counted (marked with `data-ferry-blocked`) until the user allows
 *    remote content, after which they go through the bridge's image proxy. Style sheets and style
 *    attributes are parsed and re-serialised by the browser's CSSOM, not edited as text, and `<`
 *    is escaped in a sheet's text. Re-serialising writes text DOMPurify never checked (the CSSOM
 *    turns `\3C ` back into `<`, so a sheet could close its own `<style>`), so the draft is not
 *    trusted.
 *    With `foldLabel`, the draft's trailing quote and signature are then moved, unchanged, into a
 *    `<details>` whose summary is "…" (lib/quote-fold).
 * 2. Final. The draft is serialised and DOMPurify cleans that string again with the same rules.
 *    This pass's hooks write nothing that comes from the message: they only remove what the draft
 *    did not produce itself (a loading URL, a sheet or a style attribute that is not exactly one
 *    the draft wrote) and set fixed values (`target`, `rel`). Whatever a re-serialisation could
 *    smuggle in is therefore cleaned like any other input, or removed.
 *
 * Links: mail has no base URL, so only absolute http(s) and mailto links and in-page anchors
 * (`#id`) keep their `href`; any other link loses it. External links open in a new tab with
 * noopener; in-page anchors have no target (the frame's host scrolls to them). The final document
 * gets only fixed elements (charset, a CSP that lets the frame load nothing but the message's
 * parts and, once allowed, proxied images, no-referrer, the base look) and is serialised once,
 * for `srcdoc`. Nothing is edited with regular expressions after sanitizing.
 */
import { proxyUrl } from "@ferry/protocol";
import DOMPurify from "dompurify";
import { FOLD_CLASS, foldHtmlQuotes, mayFoldHtml } from "./quote-fold";

export interface SanitizeOptions {
  /** URL of the part with this Content-ID (without angle brackets), or null if unknown. */
  cid: (contentId: string) => string | null;
  /** Rewrite remote resources to the image proxy instead of blocking them. */
  allowRemote: boolean;
  /** Origin of the bridge (for the CSP), e.g. "https://mail.example.com". */
  origin: string;
  /**
   * Fold the trailing quote and signature behind "…" (lib/quote-fold), the button labelled with
   * this text. Absent: nothing is folded.
   */
  foldLabel?: string;
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
const BLOCKED_ATTR = "data-ferry-blocked";
/** Attributes that load what they name. */
const LOADING_ATTRS = ["src", "background"];

/** Base look of a message; the message's own styles come later and win. */
const BASE_CSS = `
html{color-scheme:light;background:#fff;color:#18181b}
body{margin:0;padding:12px;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;overflow-wrap:break-word}
img{max-width:100%;height:auto}
pre{white-space:pre-wrap}
blockquote{margin:0 0 0 .8em;padding-left:.8em;border-left:2px solid #d4d4d8}
img[data-ferry-blocked]{outline:1px dashed #a1a1aa;min-width:16px;min-height:16px}
details.${FOLD_CLASS}>summary{display:inline-block;list-style:none;cursor:pointer;margin:.5em 0;padding:0 .6em;border-radius:.5em;background:#e4e4e7;color:#3f3f46;font:700 14px/1.4 system-ui,sans-serif;letter-spacing:.1em}
details.${FOLD_CLASS}>summary::-webkit-details-marker{display:none}
details.${FOLD_CLASS}>summary:hover{background:#d4d4d8}
`;

type Resource = { kind: "keep"; url: string } | { kind: "remote"; url: string } | { kind: "drop" };

/** What one call of {@link sanitizeEmailHtml} has done so far. */
interface Run {
  opts: SanitizeOptions;
  /** Remote resources blocked by the draft. */
  blocked: number;
  /** Every URL the draft put in a loading attribute. */
  loads: Set<string>;
  /** Every style sheet text the draft wrote. */
  sheets: Set<string>;
  /** Every style attribute the draft wrote. */
  inlineStyles: Set<string>;
}

let active: Run | null = null;

function current(): Run {
  if (!active) throw new Error("sanitize hooks ran outside sanitizeEmailHtml");
  return active;
}

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
    const resolved = current().opts.cid(id);
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
    if (current().opts.allowRemote) return proxyUrl(r.url);
    current().blocked++;
  }
  return null;
}

/**
 * Where a link may point: an absolute http(s) or mailto URL (normalised by the URL parser, so
 * what is shown is what opens) or an in-page anchor. Null for anything else: relative paths would
 * resolve against Ferry's own origin, and other schemes (javascript:, data:, …) must not open.
 */
export function linkHref(raw: string): string | null {
  const href = raw.trim();
  if (href.startsWith("#")) return href;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  const scheme = url.protocol;
  return scheme === "http:" || scheme === "https:" || scheme === "mailto:" ? url.href : null;
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
    if (!current().opts.allowRemote) current().blocked++;
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

// CSSRule.type values (the named constants are deprecated; the numbers are stable everywhere).
const IMPORT_RULE = 3;
const FONT_FACE_RULE = 5;

type GroupingRule = CSSRule & { cssRules: CSSRuleList; deleteRule(i: number): void };

function rewriteRules(rules: CSSRuleList, owner: { deleteRule(i: number): void }): void {
  for (let k = rules.length - 1; k >= 0; k--) {
    const rule = rules[k];
    if (!rule) continue;
    // @import and @font-face only fetch things (style sheets, fonts): they go.
    if (rule.type === IMPORT_RULE || rule.type === FONT_FACE_RULE) {
      if (rule.type === IMPORT_RULE && !current().opts.allowRemote) current().blocked++;
      owner.deleteRule(k);
      continue;
    }
    if ("style" in rule && rule.style instanceof CSSStyleDeclaration) {
      rewriteDeclarations(rule.style);
    }
    if ("cssRules" in rule && "deleteRule" in rule && typeof rule.deleteRule === "function") {
      const group = rule as GroupingRule;
      rewriteRules(group.cssRules, group);
    }
  }
}

/**
 * A `<style>` element's text, parsed and re-serialised by the browser's CSSOM. `<` never stays
 * literal (it is written as the CSS escape `\3C `), so the text cannot end its element.
 */
function rewriteStyleSheet(text: string): string {
  const sheet = new CSSStyleSheet();
  try {
    sheet.replaceSync(text);
  } catch {
    return "";
  }
  rewriteRules(sheet.cssRules, sheet);
  return Array.from(sheet.cssRules, (r) => r.cssText)
    .join("\n")
    .replaceAll("<", "\\3C ");
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

/**
 * Links on `a` and `area`. In the draft, a usable href is normalised; in the final pass an href
 * that is not already exactly what the draft would write is removed, never rewritten.
 */
function applyLinkPolicy(node: Element, final: boolean): void {
  const raw = node.getAttribute("href");
  const href = raw === null ? null : linkHref(raw);
  if (raw !== null && (href === null || (final && href !== raw))) node.removeAttribute("href");
  if (href === null || (final && href !== raw) || href.startsWith("#")) {
    node.removeAttribute("target");
    node.removeAttribute("rel");
    if (href !== null && !final) node.setAttribute("href", href);
    return;
  }
  if (!final) node.setAttribute("href", href);
  node.setAttribute("target", "_blank");
  node.setAttribute("rel", "noopener noreferrer");
}

function isLink(node: Element): boolean {
  return node.nodeName === "A" || node.nodeName === "AREA";
}

/** The first pass: cleans, and rewrites what loads, styles and links. Its output is a draft. */
function draftPurifier(): ReturnType<typeof DOMPurify> {
  const p = DOMPurify(window);

  p.addHook("beforeSanitizeAttributes", (node) => {
    // srcset is not kept (each candidate would need proxying); fall back to its first image.
    if (node instanceof Element && node.nodeName === "IMG" && !node.getAttribute("src")) {
      const first = (node.getAttribute("srcset") ?? "").split(",")[0]?.trim().split(/\s+/)[0];
      if (first) node.setAttribute("src", first);
    }
  });

  p.addHook("afterSanitizeElements", (node) => {
    if (node.nodeName !== "STYLE") return;
    const sheet = rewriteStyleSheet(node.textContent ?? "");
    node.textContent = sheet;
    current().sheets.add(sheet);
  });

  p.addHook("afterSanitizeAttributes", (node) => {
    if (!(node instanceof Element)) return;
    const run = current();
    if (isLink(node)) applyLinkPolicy(node, false);
    for (const attr of LOADING_ATTRS) {
      const value = node.getAttribute(attr);
      if (value === null) continue;
      if (attr === "src" && node.nodeName !== "IMG") {
        node.removeAttribute(attr);
        continue;
      }
      const before = run.blocked;
      const replaced = rewrite(value);
      if (replaced === null) {
        node.removeAttribute(attr);
        if (run.blocked > before) node.setAttribute(BLOCKED_ATTR, attr);
      } else {
        node.setAttribute(attr, replaced);
        run.loads.add(replaced);
      }
    }
    const style = node.getAttribute("style");
    if (style !== null) {
      const before = run.blocked;
      const next = rewriteStyleAttribute(style);
      if (next) {
        node.setAttribute("style", next);
        run.inlineStyles.add(next);
      } else {
        node.removeAttribute("style");
      }
      if (run.blocked > before) node.setAttribute(BLOCKED_ATTR, "style");
    }
  });
  return p;
}

/**
 * The last pass over the serialised draft. Its hooks only remove what the draft did not write
 * itself and set fixed attribute values.
 */
function finalPurifier(): ReturnType<typeof DOMPurify> {
  const p = DOMPurify(window);

  p.addHook("afterSanitizeElements", (node) => {
    if (node.nodeName === "STYLE" && !current().sheets.has(node.textContent ?? "")) {
      node.parentNode?.removeChild(node);
    }
  });

  p.addHook("afterSanitizeAttributes", (node) => {
    if (!(node instanceof Element)) return;
    const run = current();
    if (isLink(node)) applyLinkPolicy(node, true);
    for (const attr of LOADING_ATTRS) {
      const value = node.getAttribute(attr);
      if (value === null) continue;
      if ((attr === "src" && node.nodeName !== "IMG") || !run.loads.has(value)) {
        node.removeAttribute(attr);
      }
    }
    const style = node.getAttribute("style");
    if (style !== null && !run.inlineStyles.has(style)) node.removeAttribute("style");
    const mark = node.getAttribute(BLOCKED_ATTR);
    if (mark !== null && mark !== "style" && !LOADING_ATTRS.includes(mark)) {
      node.removeAttribute(BLOCKED_ATTR);
    }
  });
  return p;
}

let purifiers: { draft: ReturnType<typeof DOMPurify>; final: ReturnType<typeof DOMPurify> } | null =
  null;

const CONFIG = {
  WHOLE_DOCUMENT: true,
  USE_PROFILES: { html: true },
  FORBID_TAGS,
  FORBID_ATTR,
  ALLOW_DATA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
};

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

/**
 * The draft with its trailing quote and signature folded (lib/quote-fold), parsed into an inert
 * document and serialised again; the final pass then cleans it like any draft.
 */
function foldDraft(draft: string, label: string): string {
  if (!mayFoldHtml(draft)) return draft;
  const doc = new DOMParser().parseFromString(draft, "text/html");
  return foldHtmlQuotes(doc, label) ? doc.documentElement.outerHTML : draft;
}

/** Sanitize a message's HTML into a whole document for the reader's sandboxed frame. */
export function sanitizeEmailHtml(dirty: string, opts: SanitizeOptions): SanitizedHtml {
  purifiers ??= { draft: draftPurifier(), final: finalPurifier() };
  const run: Run = {
    opts,
    blocked: 0,
    loads: new Set(),
    sheets: new Set(),
    inlineStyles: new Set(),
  };
  active = run;
  let root: Node;
  let count = 0;
  try {
    let draft = purifiers.draft.sanitize(dirty, CONFIG);
    count = run.blocked;
    if (opts.foldLabel !== undefined) draft = foldDraft(draft, opts.foldLabel);
    root = purifiers.final.sanitize(draft, {
      ...CONFIG,
      ADD_ATTR: [BLOCKED_ATTR],
      RETURN_DOM: true,
    });
  } finally {
    active = null;
  }
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
