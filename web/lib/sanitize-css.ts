/**
 * A message's CSS, parsed and re-serialised by the browser's CSSOM, never edited as text: each
 * `url()` rewritten or its declaration removed (lib/sanitize-urls), `@import` and `@font-face`
 * removed, and `<` in a sheet's text written as the CSS escape `\3C `.
 */
import { current } from "./sanitize-run";
import { rewrite } from "./sanitize-urls";

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
export function rewriteStyleSheet(text: string): string {
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
export function rewriteStyleAttribute(text: string): string {
  scratch ??= document.createElement("div");
  scratch.style.cssText = text;
  rewriteDeclarations(scratch.style);
  const out = scratch.style.cssText;
  scratch.removeAttribute("style");
  return out;
}
