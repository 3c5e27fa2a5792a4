/**
 * Recipients as the composer's chips hold them: what people type or paste ("Ann <ann@x.org>,
 * bob@y.org; "Cy, Jr." <cy@z.org>") split into name + address pairs, each checked with the
 * protocol's `isMailAddress`, so invalid chips can be marked before anything is sent.
 */
import { hasLineBreak, isMailAddress, type TComposeAddress } from "@ferry/protocol";

export interface Recipient {
  /** Stable key for the chip (React key, focus). */
  id: string;
  name: string;
  address: string;
  valid: boolean;
}

let nextId = 1;

/** A chip for `name` + `address`, validated. */
export function recipient(name: string, address: string): Recipient {
  const cleanName = name.replace(/[\r\n\0]+/g, " ").trim();
  const cleanAddress = address.trim();
  return {
    id: `r${nextId++}`,
    name: cleanName,
    address: cleanAddress,
    valid: isMailAddress(cleanAddress) && !hasLineBreak(cleanAddress),
  };
}

/** Splits on commas, semicolons and line breaks outside quotes and angle brackets. */
function splitList(text: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  let angle = false;
  for (const ch of text) {
    if (ch === '"' && !angle) quoted = !quoted;
    else if (ch === "<" && !quoted) angle = true;
    else if (ch === ">" && !quoted) angle = false;
    if (!quoted && !angle && (ch === "," || ch === ";" || ch === "\n" || ch === "\r")) {
      out.push(current);
      current = "";
      continue;
    }
    current += ch;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

function unquote(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    return trimmed.slice(1, -1).replace(/\\(.)/g, "$1");
  }
  return trimmed;
}

function stripMailto(value: string): string {
  return value.replace(/^mailto:/i, "");
}

/** One entry: `Name <addr>`, `"Name" <addr>`, `<addr>` or `addr`. */
function parseOne(entry: string): Array<{ name: string; address: string }> {
  const m = /^([\s\S]*?)<([^<>]*)>\s*$/.exec(entry);
  if (m) return [{ name: unquote(m[1] ?? ""), address: stripMailto((m[2] ?? "").trim()) }];
  const parts = entry.split(/\s+/);
  // "ann@x.org bob@y.org" pasted with spaces: several addresses.
  if (parts.length > 1 && parts.every((p) => p.includes("@"))) {
    return parts.map((p) => ({ name: "", address: stripMailto(p) }));
  }
  return [{ name: "", address: stripMailto(entry) }];
}

/** Everything in `text` as recipients (invalid ones included, marked). */
export function parseRecipients(text: string): Recipient[] {
  return splitList(text)
    .flatMap(parseOne)
    .map((r) => recipient(r.name, r.address));
}

/** True when `text` holds a separator, i.e. the user finished at least one address. */
export function hasSeparator(text: string): boolean {
  return /[,;\n\r]/.test(text);
}

/** The chips as the protocol carries them (valid ones only; the caller blocks on invalid). */
export function toComposeAddresses(list: readonly Recipient[]): TComposeAddress[] {
  return list.filter((r) => r.valid).map((r) => ({ name: r.name, address: r.address }));
}

/** Chips for addresses that came from the bridge (a reply's recipients, a resumed draft). */
export function fromComposeAddresses(list: readonly TComposeAddress[]): Recipient[] {
  return list.map((a) => recipient(a.name, a.address));
}

/** How a chip reads: the name when there is one, else the address. */
export function chipLabel(r: Pick<Recipient, "name" | "address">): string {
  return r.name || r.address;
}
