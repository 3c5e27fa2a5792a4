/**
 * The sanitizer's two DOMPurify passes (lib/sanitize.ts says why there are two) and the rules
 * they share: the forbidden tags and attributes, the link policy, and the attributes that load.
 * The draft pass rewrites what loads, styles and links; the final pass only removes what the
 * draft did not write itself and sets fixed values.
 */
import DOMPurify from "dompurify";
import { rewriteStyleAttribute, rewriteStyleSheet } from "./sanitize-css";
import { current } from "./sanitize-run";
import { linkHref, rewrite } from "./sanitize-urls";

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
export const BLOCKED_ATTR = "data-ferry-blocked";
/** Attributes that load what they name. */
const LOADING_ATTRS = ["src", "background"];

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
export function draftPurifier(): ReturnType<typeof DOMPurify> {
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
export function finalPurifier(): ReturnType<typeof DOMPurify> {
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

/** The DOMPurify settings of both passes. */
export const CONFIG = {
  WHOLE_DOCUMENT: true,
  USE_PROFILES: { html: true },
  FORBID_TAGS,
  FORBID_ATTR,
  ALLOW_DATA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
};
