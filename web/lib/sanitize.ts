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
 *
 * Here: the run and the final document. The passes are lib/sanitize-passes.ts, what a URL may
 * become lib/sanitize-urls.ts, the CSS rewriting lib/sanitize-css.ts, and the state of the run
 * under way lib/sanitize-run.ts.
 */
import type DOMPurify from "dompurify";
import { FOLD_CLASS, foldHtmlQuotes, mayFoldHtml } from "./quote-fold";
import { BLOCKED_ATTR, CONFIG, draftPurifier, finalPurifier } from "./sanitize-passes";
import { type Run, type SanitizeOptions, setRun } from "./sanitize-run";

export type { SanitizeOptions } from "./sanitize-run";

export interface SanitizedHtml {
  /** A whole HTML document for `srcdoc`. */
  html: string;
  /** How many remote resources were blocked (0 when allowed). */
  blocked: number;
}

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

let purifiers: { draft: ReturnType<typeof DOMPurify>; final: ReturnType<typeof DOMPurify> } | null =
  null;

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
  setRun(run);
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
    setRun(null);
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
