/**
 * The composer's HTML: what may enter the editor (a reply's quote, a resumed draft, a paste) and
 * what leaves it (the message's HTML part) goes through DOMPurify with a small list of
 * formatting tags: no scripts, styles, forms or event handlers, links only with safe schemes,
 * images only as the message's own inline (cid:) parts, pasted into the editor. The plain-text
 * alternative is rendered from the same DOM: paragraphs and line breaks as lines, lists with "-"
 * or "1.", quotes with "> ", links as "text <url>".
 */
import { inlineContentId } from "@ferry/protocol";
import DOMPurify from "dompurify";

const ALLOWED_TAGS = [
  "a",
  "b",
  "strong",
  "i",
  "em",
  "u",
  "s",
  "strike",
  "sub",
  "sup",
  "code",
  "pre",
  "p",
  "div",
  "span",
  "br",
  "hr",
  "ul",
  "ol",
  "li",
  "blockquote",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "table",
  "thead",
  "tbody",
  "tr",
  "td",
  "th",
  "img",
];
const ALLOWED_ATTR = [
  "href",
  "title",
  "dir",
  "type",
  "colspan",
  "rowspan",
  "data-ferry-signature",
  "src",
  "alt",
];

/** The `src` of an image pasted into the body: one of the message's own inline parts. */
const INLINE_SRC = /^cid:[A-Za-z0-9_-]{1,64}@inline\.ferry\.invalid$/;

let purifier: ReturnType<typeof DOMPurify> | null = null;

/** A DOMPurify of our own whose hooks keep `<img>` only when it shows an inline part. */
function composePurifier(): ReturnType<typeof DOMPurify> {
  if (purifier) return purifier;
  const p = DOMPurify(window);
  p.addHook("uponSanitizeElement", (node, data) => {
    if (data.tagName === "img" && !INLINE_SRC.test((node as Element).getAttribute("src") ?? "")) {
      (node as Element).remove();
    }
  });
  p.addHook("uponSanitizeAttribute", (node, data) => {
    if (node.nodeName === "IMG" && data.attrName === "src") {
      data.forceKeepAttr = INLINE_SRC.test(data.attrValue);
      if (!data.forceKeepAttr) data.keepAttr = false;
    }
  });
  purifier = p;
  return p;
}

/**
 * Safe HTML for the editor and for sending. Images stay only as the message's own inline parts
 * (`src="cid:…"` as `inlineContentId` makes it), anything else is dropped.
 */
export function sanitizeComposeHtml(dirty: string): string {
  return composePurifier().sanitize(dirty, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
    KEEP_CONTENT: true,
  });
}

/**
 * The editor's body as HTML to sanitize and send: each pasted image (shown from a local `blob:`
 * URL, its upload named in `data-ferry-inline`) points at its inline part (`cid:`) instead.
 */
export function editorHtml(root: HTMLElement): string {
  const clone = root.cloneNode(true) as HTMLElement;
  for (const img of clone.querySelectorAll<HTMLImageElement>("img[data-ferry-inline]")) {
    img.setAttribute("src", `cid:${inlineContentId(img.dataset.ferryInline ?? "")}`);
    img.removeAttribute("data-ferry-inline");
  }
  return clone.innerHTML;
}

/** Plain text as HTML: escaped, lines as `<br>`, in one block. */
export function textToHtml(text: string): string {
  const escaped = text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
  return escaped
    .split(/\r\n|\r|\n/)
    .map((line) => `<div>${line === "" ? "<br>" : line}</div>`)
    .join("");
}

const BLOCKS = new Set([
  "P",
  "DIV",
  "UL",
  "OL",
  "LI",
  "BLOCKQUOTE",
  "PRE",
  "H1",
  "H2",
  "H3",
  "H4",
  "H5",
  "H6",
  "TABLE",
  "TR",
  "HR",
]);

/**
 * Renders a DOM subtree as text. Works on a tree of blocks: each block starts a new line,
 * `<br>` ends one; whitespace collapses as a browser shows it, except in `<pre>`.
 */
export function domToText(root: Node): string {
  const lines: string[] = [];
  let line = "";
  let lineHasContent = false;
  const breakLine = (force: boolean) => {
    if (force || lineHasContent) {
      const trimmed = line.replace(/[ \t]+$/, "");
      // "-- " (with its space) is the signature delimiter mail readers look for
      lines.push(trimmed === "--" && line.startsWith("-- ") ? "-- " : trimmed);
    }
    line = "";
    lineHasContent = false;
  };
  const append = (text: string) => {
    if (text === "") return;
    line += text;
    lineHasContent = true;
  };

  const walk = (node: Node, pre: boolean, listIndex: { n: number; ordered: boolean } | null) => {
    if (node.nodeType === 3) {
      const raw = node.nodeValue ?? "";
      if (pre) {
        const parts = raw.split("\n");
        parts.forEach((p, i) => {
          if (i > 0) breakLine(true);
          append(p);
        });
      } else {
        let text = raw.replace(/[\s\u00a0]+/g, (ws) => (ws.includes("\u00a0") ? "\u00a0" : " "));
        if (!lineHasContent) text = text.replace(/^ +/, "");
        if (line.endsWith(" ") && text.startsWith(" ")) text = text.slice(1);
        append(text.replace(/\u00a0/g, " "));
      }
      return;
    }
    if (node.nodeType === 11 || node.nodeType === 9) {
      for (const child of Array.from(node.childNodes)) walk(child, pre, listIndex);
      return;
    }
    if (node.nodeType !== 1) return;
    const el = node as Element;
    const tag = el.tagName;
    if (tag === "BR") {
      breakLine(true);
      return;
    }
    if (tag === "HR") {
      breakLine(false);
      lines.push("----");
      return;
    }
    if (tag === "BLOCKQUOTE") {
      breakLine(false);
      const inner = domToText(childrenFragment(el));
      for (const l of inner.split("\n")) lines.push(l === "" ? ">" : `> ${l}`);
      return;
    }
    if (tag === "LI") {
      breakLine(false);
      const prefix = listIndex?.ordered ? `${listIndex.n++}. ` : "- ";
      const inner = domToText(childrenFragment(el));
      inner.split("\n").forEach((l, i) => {
        lines.push(i === 0 ? `${prefix}${l}` : `${" ".repeat(prefix.length)}${l}`);
      });
      return;
    }
    if (tag === "A") {
      const before = line.length;
      for (const child of Array.from(el.childNodes)) walk(child, pre, listIndex);
      const text = line.slice(before).trim();
      const href = el.getAttribute("href") ?? "";
      const shown = href.replace(/^mailto:/i, "");
      if (/^(https?:|mailto:)/i.test(href) && shown !== text && href !== text) {
        append(` <${shown}>`);
      }
      return;
    }
    const block = BLOCKS.has(tag);
    if (block) breakLine(false);
    const childList =
      tag === "OL" || tag === "UL"
        ? { n: Number(el.getAttribute("start") ?? 1) || 1, ordered: tag === "OL" }
        : listIndex;
    for (const child of Array.from(el.childNodes)) walk(child, pre || tag === "PRE", childList);
    if (block) breakLine(false);
    if (tag === "TD" || tag === "TH") append("\t");
  };

  walk(root, false, null);
  breakLine(false);
  return lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/^\n+|\n+$/g, "");
}

function childrenFragment(el: Element): DocumentFragment {
  const doc = el.ownerDocument;
  const frag = doc.createDocumentFragment();
  for (const child of Array.from(el.childNodes)) frag.appendChild(child.cloneNode(true));
  return frag;
}

/** The plain-text alternative of an HTML body. */
export function htmlToText(html: string): string {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  return domToText(doc.body);
}

/** True when the body holds nothing but whitespace (and, optionally, the signature). */
export function isBlankHtml(html: string, ignoreSignature = true): boolean {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  if (ignoreSignature)
    for (const sig of doc.body.querySelectorAll("[data-ferry-signature]")) sig.remove();
  return (doc.body.textContent ?? "").trim() === "";
}

/** The signature block the composer inserts ("-- " line, then the signature's lines). */
export function signatureHtml(signature: string): string {
  return `<div data-ferry-signature="">-- <br>${textToHtml(signature)}</div>`;
}

/** A link address people typed, made absolute; null when it is not a web or mail address. */
export function normalizeLink(raw: string): string | null {
  const value = raw.trim();
  if (value === "" || /\s/.test(value)) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    return /^(https?:\/\/|mailto:)/i.test(value) ? value : null;
  }
  if (/^[^@/]+@[^@/]+\.[^@/]+$/.test(value)) return `mailto:${value}`;
  return `https://${value}`;
}
