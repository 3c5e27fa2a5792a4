/**
 * Finding web links in plain-text mail. Returns text and link segments for React to render
 * (React escapes the text). Only http(s) links are made clickable, checked with the URL parser.
 */
export type Segment = { text: string } | { text: string; href: string };

const CANDIDATE = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'"*_~]+$/;

function trimUrl(raw: string): string {
  let url = raw.replace(TRAILING, "");
  // Keep a closing bracket only when the URL opened one, e.g. wiki links.
  for (const [open, close] of [
    ["(", ")"],
    ["[", "]"],
    ["{", "}"],
  ] as const) {
    while (url.endsWith(close) && url.split(open).length <= url.split(close).length - 1) {
      url = url.slice(0, -1).replace(TRAILING, "");
    }
  }
  return url;
}

function safeHref(text: string): string | null {
  const withScheme = /^www\./i.test(text) ? `https://${text}` : text;
  try {
    const u = new URL(withScheme);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(CANDIDATE)) {
    const start = m.index ?? 0;
    const url = trimUrl(m[0]);
    const href = url ? safeHref(url) : null;
    if (!href) continue;
    if (start > last) out.push({ text: text.slice(last, start) });
    out.push({ text: url, href });
    last = start + url.length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}
