/**
 * Where a message's repeated part starts: the quoted earlier message and the signature at its
 * end, which the reader folds behind "…" (as Gmail trims them).
 *
 * Only a trailing part is folded: a quote block with nothing the sender wrote after it (with the
 * "On … wrote:" line before it), a signature (`-- ` in text; Gmail's, Thunderbird's and
 * Outlook's signature blocks in HTML), and everything from an "-----Original Message-----" line
 * or Outlook's reply header on. The quotes of an inline reply, which alternate with the answers,
 * stay in view; a message that is nothing but quote is not folded. Folding never drops content:
 * plain text is split in two, and in HTML the trailing nodes are moved, unchanged, into a
 * `<details class="ferry-fold">` (which the browser opens without script) whose `<summary>` is
 * "…". The HTML fold runs on the sanitizer's draft, before its final DOMPurify pass
 * (lib/sanitize.ts).
 */

/** A plain-text body split where its folded tail starts. */
export interface TextFold {
  /** What the sender wrote. */
  shown: string;
  /** The trailing signature and quote; `shown + folded` is the whole text. */
  folded: string;
}

/** The class of the `<details>` element an HTML fold creates. */
export const FOLD_CLASS = "ferry-fold";

const QUOTE_LINE = /^\s*>/;
const BLANK = /^[\s\u00a0\u200b]*$/;
const SIGNATURE_LINE = /^-- ?$/;
/** Outlook's and others' separator before the message replied to (not a forward's). */
const ORIGINAL_LINE =
  /^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|mensagem original|messaggio originale)\s*-{2,}\s*$/i;
const OUTLOOK_RULE = /^\s*_{10,}\s*$/;
const HEADER_FIELD = /^\s*(from|von|de|da|van|från|fra)\s*:/i;
/** Words of "… wrote:" lines in the languages mail arrives in most. */
const WROTE =
  /\b(wrote|writes|schrieb|a écrit|escribió|escreveu|ha scritto|scrisse|skrev|schreef|kirjoitti|napisał)\b|書きました|写道|작성/i;
const ATTRIBUTION_START = /^\s*(on|am|le|el|em|il giorno|den|op)\s/i;
const MAX_ATTRIBUTION = 300;

/** An "On <date>, <name> wrote:" line (or its like): short, ends in a colon, names a date, an address or "wrote". */
function isAttribution(text: string): boolean {
  const s = text.replace(/[\s\u00a0]+/g, " ").trim();
  if (s.length === 0 || s.length > MAX_ATTRIBUTION || !/[:：]$/.test(s)) return false;
  return WROTE.test(s) || /\d/.test(s) || s.includes("@");
}

/**
 * Splits a plain-text body before its trailing signature and quote, or returns null when there
 * is nothing to fold (no such tail, or nothing but it).
 */
export function foldPlainText(text: string): TextFold | null {
  const lines = text.split("\n");
  const starts: number[] = [];
  let at = 0;
  for (const line of lines) {
    starts.push(at);
    at += line.length + 1;
  }
  const bare = lines.map((l) => l.replace(/\r$/, ""));
  const blank = (i: number) => BLANK.test(bare[i] ?? "");
  const quoted = (i: number) => QUOTE_LINE.test(bare[i] ?? "");

  let start = -1;
  const take = (i: number) => {
    if (start < 0 || i < start) start = i;
  };

  // Everything after a signature delimiter or the original message's header is the tail.
  for (let i = 0; i < bare.length; i++) {
    const line = bare[i] ?? "";
    if (SIGNATURE_LINE.test(line) || ORIGINAL_LINE.test(line)) {
      take(i);
      break;
    }
    if (OUTLOOK_RULE.test(line)) {
      let j = i + 1;
      while (j < bare.length && blank(j)) j++;
      if (HEADER_FIELD.test(bare[j] ?? "")) {
        take(i);
        break;
      }
    }
  }

  // The last block of "> " lines, when nothing but blank lines follows it.
  let end = bare.length - 1;
  while (end >= 0 && blank(end)) end--;
  if (end >= 0 && quoted(end)) {
    let q = end;
    while (q > 0 && (quoted(q - 1) || blank(q - 1))) q--;
    while (blank(q)) q++;
    let a = q - 1;
    while (a >= 0 && blank(a)) a--;
    if (a >= 0 && isAttribution(bare[a] ?? "")) {
      q = a;
      const prev = bare[a - 1] ?? "";
      if (
        a > 0 &&
        !blank(a - 1) &&
        !quoted(a - 1) &&
        !ATTRIBUTION_START.test(bare[a] ?? "") &&
        ATTRIBUTION_START.test(prev) &&
        isAttribution(`${prev} ${bare[a]}`)
      ) {
        q = a - 1;
      }
    }
    take(q);
  }

  if (start < 0) return null;
  let wrote = false;
  for (let i = 0; i < start && !wrote; i++) wrote = !blank(i) && !quoted(i);
  if (!wrote) return null;
  const cut = starts[start] ?? text.length;
  return { shown: text.slice(0, cut), folded: text.slice(cut) };
}

/** Blocks of quoted earlier messages (folded when trailing). */
const QUOTE_SELECTOR = 'blockquote[type="cite" i], .gmail_quote, .yahoo_quoted, blockquote';
/** Signature blocks (folded when trailing). */
const SIGNATURE_SELECTOR = ".gmail_signature, .moz-signature, #Signature";
/** Where the message replied to starts, with everything after it (Outlook). */
const TO_END_SELECTOR = "#divRplyFwdMsg, #appendonsend";

function hasContent(node: Node): boolean {
  if (node.nodeType === 3) return !BLANK.test(node.textContent ?? "");
  if (node.nodeType !== 1 && node.nodeType !== 11) return false;
  const el = node as Element | DocumentFragment;
  if (el.nodeType === 1 && (el as Element).nodeName === "IMG") return true;
  if (!BLANK.test(el.textContent ?? "")) return true;
  return el.querySelector("img") !== null;
}

/** Whether the document has anything the sender wrote (text or an image) in `range`. */
function rangeHasContent(range: Range): boolean {
  return !range.collapsed && hasContent(range.cloneContents());
}

/** The sibling before `node`, skipping blank text and `<br>`s. */
function previousMeaningful(node: Node): Node | null {
  let p = node.previousSibling;
  while (p && ((p.nodeType === 3 && BLANK.test(p.textContent ?? "")) || p.nodeName === "BR")) {
    p = p.previousSibling;
  }
  return p;
}

/** Where a quote block's fold starts: its "On … wrote:" line, when it has one, else the block. */
function quoteStart(block: Element): Node | null {
  const prev = previousMeaningful(block);
  if (prev && prev.nodeType !== 8 && isAttribution(prev.textContent ?? "")) return prev;
  const typed = block.nodeName !== "BLOCKQUOTE" || /^cite$/i.test(block.getAttribute("type") ?? "");
  return typed ? block : null;
}

/** Where a signature's fold starts: its "-- " line, when it has one, else the block. */
function signatureStart(block: Element): Node {
  const prev = previousMeaningful(block);
  return prev && prev.nodeType !== 8 && (prev.textContent ?? "").trim() === "--" ? prev : block;
}

/** The first text node at or after an "-----Original Message-----" line, with its block. */
function originalMessageMarker(body: HTMLElement): Node | null {
  const doc = body.ownerDocument;
  const walker = doc.createTreeWalker(body, 4);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!ORIGINAL_LINE.test(n.textContent ?? "")) continue;
    const parent = n.parentElement;
    return parent && parent !== body && parent.textContent?.trim() === n.textContent?.trim()
      ? parent
      : n;
  }
  return null;
}

/** Words every foldable HTML holds somewhere; without any, {@link foldHtmlQuotes} finds nothing. */
const HTML_MARKERS =
  /blockquote|gmail_quote|yahoo_quoted|gmail_signature|moz-signature|Signature|divRplyFwdMsg|appendonsend|original message|ursprüngliche nachricht|message d'origine|mensaje original|mensagem original|messaggio originale/i;

/** Whether `html` may have something to fold (a cheap test before parsing it). */
export function mayFoldHtml(html: string): boolean {
  return HTML_MARKERS.test(html);
}

function isBefore(a: Node, b: Node): boolean {
  return (a.compareDocumentPosition(b) & 4) !== 0;
}

/**
 * Moves the trailing quote and signature of `doc`'s body into a `<details class="ferry-fold">`
 * at its end, whose `<summary>` reads "…" and is labelled `label`. Returns whether it folded
 * anything. Nothing is removed: the nodes are moved as they are (an element the fold starts
 * inside is split, its attributes kept on both halves).
 */
export function foldHtmlQuotes(doc: Document, label: string): boolean {
  const body = doc.body;
  if (!body) return false;

  let tail: Node | null = null;
  const toEnd = [body.querySelector(TO_END_SELECTOR), originalMessageMarker(body)];
  for (const n of toEnd) {
    if (n && (!tail || isBefore(n, tail))) tail = n;
  }
  if (tail?.nodeType === 1 && (tail as Element).id === "divRplyFwdMsg") {
    const prev = previousMeaningful(tail);
    if (prev?.nodeName === "HR") tail = prev;
  }

  const blocks = Array.from(body.querySelectorAll(`${QUOTE_SELECTOR}, ${SIGNATURE_SELECTOR}`))
    .filter((el) => !tail || isBefore(el, tail))
    .filter((el, _i, all) => !all.some((o) => o !== el && o.contains(el)))
    .sort((a, b) => (isBefore(a, b) ? -1 : 1));
  for (let i = blocks.length - 1; i >= 0; i--) {
    const block = blocks[i];
    if (!block) continue;
    const after = doc.createRange();
    after.setStartAfter(block);
    if (tail) after.setEndBefore(tail);
    else after.setEnd(body, body.childNodes.length);
    if (rangeHasContent(after)) break;
    const start = block.matches(SIGNATURE_SELECTOR) ? signatureStart(block) : quoteStart(block);
    if (!start) break;
    tail = start;
  }
  if (!tail) return false;

  const before = doc.createRange();
  before.setStart(body, 0);
  before.setEndBefore(tail);
  if (!rangeHasContent(before)) return false;

  const rest = doc.createRange();
  rest.setStartBefore(tail);
  rest.setEnd(body, body.childNodes.length);
  const moved = rest.extractContents();
  const details = doc.createElement("details");
  details.setAttribute("class", FOLD_CLASS);
  const summary = doc.createElement("summary");
  summary.setAttribute("aria-label", label);
  summary.setAttribute("title", label);
  summary.textContent = "…";
  details.append(summary, moved);
  body.append(details);
  return true;
}
