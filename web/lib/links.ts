/**
 * What a click on a link in a message does, decided from the link's `href` as written and the
 * text the reader sees. Pure: no DOM, so it is unit-tested on its own.
 *
 * - `#id` scrolls within the message; mail has no base URL, so any other relative or unparsable
 *   link, and every scheme but http(s) and mailto, is refused.
 * - mailto opens Ferry's composer addressed to the real recipients (shown as chips before
 *   anything is sent), so it needs no prompt.
 * - An http(s) link asks first when its text shows another domain or address than it goes to,
 *   when its host is punycode, mixed-script in one label, or an IP address, or when it carries
 *   a user name (`https://bank.example@evil.example`). Any other http(s) link just opens.
 */
import { stripInvisible } from "@ferry/protocol";

export type LinkReason =
  | "text-mismatch"
  | "punycode"
  | "mixed-script"
  | "ip-address"
  | "credentials";

export type LinkAction =
  /** Scroll to the element with this id or name ("" for the top). */
  | { kind: "anchor"; target: string }
  | { kind: "open"; url: URL }
  | {
      kind: "confirm";
      url: URL;
      reasons: LinkReason[];
      /** The domain the link's text shows, when that is why it asks. */
      shown: string | null;
    }
  /** mailto: these addresses (possibly none). */
  | { kind: "compose"; to: string[] }
  | { kind: "refuse"; href: string };

/** Generic top-level domains common enough in link text to count as a domain there. */
const GENERIC_TLDS = new Set(
  (
    "com org net edu gov mil int info biz name pro mobi app dev io ai co me tv cc ly gg sh " +
    "xyz online site shop store tech cloud email page blog news link club top live one icu " +
    "bank money pay finance company services support help security login account"
  ).split(" "),
);

const WRAPPERS = /[\s<>()[\]{}"'`«»“”‘’„,;|]+/u;
const TRAILING = /[.,;:!?*_~]+$/;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;

/** Decides what a click on a link does. `text` is what the reader sees for it. */
export function linkAction(href: string, text: string): LinkAction {
  const raw = href.trim();
  if (raw.startsWith("#")) return { kind: "anchor", target: decodeFragment(raw.slice(1)) };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { kind: "refuse", href: raw };
  }
  if (url.protocol === "mailto:") return { kind: "compose", to: mailtoRecipients(url) };
  if (url.protocol !== "http:" && url.protocol !== "https:") return { kind: "refuse", href: raw };

  const reasons: LinkReason[] = [];
  const host = bareHost(url.hostname);
  const shownDomains = domainsIn(text);
  const shown = shownDomains.length > 0 && !shownDomains.some((d) => sameSite(d, host));
  if (shown) reasons.push("text-mismatch");
  if (isIpHost(url.hostname)) reasons.push("ip-address");
  else if (url.hostname.split(".").some((l) => l.startsWith("xn--"))) reasons.push("punycode");
  if (rawHost(raw).split(".").some(isMixedScript)) reasons.push("mixed-script");
  if (url.username !== "" || url.password !== "") reasons.push("credentials");
  if (reasons.length === 0) return { kind: "open", url };
  return { kind: "confirm", url, reasons, shown: shown ? (shownDomains[0] ?? null) : null };
}

/**
 * The domains a link's visible text shows: URLs (`https://…`), `www.` names, e-mail addresses,
 * and bare names under a country or common generic TLD. Lower-case ASCII (punycode for
 * international names), without a trailing dot or a leading `www.`.
 */
export function domainsIn(text: string): string[] {
  const cleaned = stripInvisible(text.normalize("NFKC")).replace(/[\u3002\uff61]/g, ".");
  const out: string[] = [];
  for (const word of cleaned.split(WRAPPERS)) {
    const token = word.replace(TRAILING, "");
    if (token === "") continue;
    const domain = domainOf(token);
    if (domain && !out.includes(domain)) out.push(domain);
  }
  return out;
}

function domainOf(token: string): string | null {
  if (token.includes("://")) {
    try {
      const u = new URL(token);
      return u.hostname ? bareHost(u.hostname) : null;
    } catch {
      return null;
    }
  }
  const at = token.lastIndexOf("@");
  const isMail = at > 0;
  const name = (isMail ? token.slice(at + 1) : token).split(/[/?#:]/)[0] ?? "";
  const labels = name.split(".");
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  const tld = (labels[labels.length - 1] ?? "").toLowerCase();
  if (!/^\p{L}{2,}$/u.test(tld)) return null;
  const plain = /^www\./i.test(name) || isMail || tld.length === 2 || GENERIC_TLDS.has(tld);
  if (!plain && /^[a-z]+$/.test(tld)) return null;
  try {
    return bareHost(new URL(`http://${name}`).hostname);
  } catch {
    return null;
  }
}

/** Lower-case, no trailing dot, no leading `www.`. */
function bareHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^www\./, "");
}

/** The same name, or one inside the other (`paypal.com` and `www.paypal.com`, `mail.x.org`). */
function sameSite(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return short.includes(".") && long.endsWith(`.${short}`);
}

function isIpHost(hostname: string): boolean {
  return hostname.startsWith("[") || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(hostname);
}

/** The host as the href wrote it (before IDNA turns it into punycode), lower-cased. */
function rawHost(href: string): string {
  const afterScheme = href.replace(/^[a-z][a-z0-9+.-]*:[/\\]*/i, "");
  const authority = afterScheme.split(/[/?#\\]/)[0] ?? "";
  const host = authority.slice(authority.lastIndexOf("@") + 1).replace(/:\d*$/, "");
  let decoded = host;
  try {
    decoded = decodeURIComponent(host);
  } catch {
    // a stray % stays as written
  }
  return stripInvisible(decoded.normalize("NFKC")).toLowerCase();
}

const SCRIPTS: ReadonlyArray<[string, RegExp]> = [
  ["Latin", /\p{Script=Latin}/u],
  ["Cyrillic", /\p{Script=Cyrillic}/u],
  ["Greek", /\p{Script=Greek}/u],
  ["Armenian", /\p{Script=Armenian}/u],
  ["Georgian", /\p{Script=Georgian}/u],
  ["Hebrew", /\p{Script=Hebrew}/u],
  ["Arabic", /\p{Script=Arabic}/u],
  ["Cherokee", /\p{Script=Cherokee}/u],
  ["Han", /\p{Script=Han}/u],
  ["Hiragana", /\p{Script=Hiragana}/u],
  ["Katakana", /\p{Script=Katakana}/u],
  ["Bopomofo", /\p{Script=Bopomofo}/u],
  ["Hangul", /\p{Script=Hangul}/u],
];

/** Script sets one label may mix, as browsers allow them (Japanese, Chinese, Korean with Latin). */
const ALLOWED_MIXES: ReadonlyArray<ReadonlySet<string>> = [
  new Set(["Latin", "Han", "Hiragana", "Katakana"]),
  new Set(["Latin", "Han", "Bopomofo"]),
  new Set(["Latin", "Han", "Hangul"]),
];

/** A label whose letters come from scripts that do not belong together (e.g. Latin + Cyrillic). */
export function isMixedScript(label: string): boolean {
  const scripts = new Set<string>();
  for (const ch of label) {
    if (!/\p{L}/u.test(ch) || /[\p{Script=Common}\p{Script=Inherited}]/u.test(ch)) continue;
    scripts.add(SCRIPTS.find(([, re]) => re.test(ch))?.[0] ?? `other:${scriptlessKey(ch)}`);
  }
  if (scripts.size < 2) return false;
  return !ALLOWED_MIXES.some((allowed) => [...scripts].every((s) => allowed.has(s)));
}

/** Letters of scripts not listed above count as one script per Unicode block of 128. */
function scriptlessKey(ch: string): number {
  return Math.floor((ch.codePointAt(0) ?? 0) / 128);
}

function decodeFragment(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

function mailtoRecipients(url: URL): string[] {
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // kept as written
  }
  const out: string[] = [];
  for (const list of [path, ...url.searchParams.getAll("to")]) {
    for (const part of list.split(",")) {
      const address = stripInvisible(part).trim();
      if (address !== "" && !out.includes(address)) out.push(address);
    }
  }
  return out;
}
