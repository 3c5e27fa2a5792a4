/**
 * Where a message's URLs may lead. A URL that loads (img src, background, CSS url()) is kept
 * (a `cid:` part of the message, a data: image), sent through the bridge's image proxy once
 * remote content is allowed, or removed (blocked remote content is counted); a link keeps only
 * an absolute http(s) or mailto URL or an in-page anchor.
 */
import { proxyUrl } from "@ferry/protocol";
import { current } from "./sanitize-run";

type Resource = { kind: "keep"; url: string } | { kind: "remote"; url: string } | { kind: "drop" };

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
export function rewrite(raw: string): string | null {
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
