/**
 * The header side of composing: refusing CR/LF/NUL and malformed addresses before anything is
 * built (defence in depth behind the protocol's schema), attachment filename sanitizing,
 * "Re:"/"Fwd:" prefixes that never double, and the References chain of a reply.
 */
import {
  hasLineBreak,
  isMailAddress,
  type TComposeAddress,
  type TComposeDraft,
} from "@ferry/protocol";
import { BridgeError } from "../errors";

/** Throws bad_request naming `what` when `value` holds CR, LF or NUL. */
export function assertHeaderSafe(value: string, what: string): void {
  if (hasLineBreak(value)) {
    throw new BridgeError("bad_request", `${what} must not contain line breaks.`);
  }
}

function assertAddress(addr: TComposeAddress, what: string): void {
  assertHeaderSafe(addr.name, `The name of ${what}`);
  assertHeaderSafe(addr.address, what);
  if (!isMailAddress(addr.address)) {
    throw new BridgeError("bad_request", `${what} is not a valid email address.`);
  }
}

/**
 * Checks every header-bound field of a draft: names, addresses, subject, message ids and
 * attachment names. Throws bad_request with a message that says which field is wrong.
 */
export function assertDraftHeaders(draft: TComposeDraft): void {
  assertAddress(draft.from, "The From address");
  for (const [field, list] of [
    ["To", draft.to],
    ["Cc", draft.cc],
    ["Bcc", draft.bcc],
  ] as const) {
    for (const addr of list) assertAddress(addr, `A ${field} address (${shorten(addr.address)})`);
  }
  assertHeaderSafe(draft.subject, "The subject");
  if (draft.inReplyTo !== null) assertMessageId(draft.inReplyTo, "In-Reply-To");
  for (const ref of draft.references) assertMessageId(ref, "References");
  for (const att of draft.attachments) assertHeaderSafe(att.filename, "An attachment name");
}

function assertMessageId(value: string, what: string): void {
  assertHeaderSafe(value, what);
  if (!/^<[\x21-\x3b\x3d\x3f-\x7e]+>$/.test(value)) {
    throw new BridgeError("bad_request", `${what} must hold message ids like <id@host>.`);
  }
}

function shorten(value: string): string {
  const clean = value.replace(/[\r\n\0]/g, " ");
  return clean.length > 60 ? `${clean.slice(0, 57)}…` : clean;
}

/** Every address of the draft's envelope, lower-cased and deduplicated, in order. */
export function envelopeRecipients(draft: TComposeDraft): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const addr of [...draft.to, ...draft.cc, ...draft.bcc]) {
    const key = addr.address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(addr.address);
  }
  return out;
}

export { MAX_FILENAME_CHARS, sanitizeFilename } from "@ferry/protocol";

/** A MIME type as uploads and drafts may carry it, lower-cased; anything else is octet-stream. */
export function sanitizeMimeType(value: string | undefined): string {
  const type = (value ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(type)
    ? type
    : "application/octet-stream";
}

// ---------------------------------------------------------------------------------------------
// Subject prefixes
// ---------------------------------------------------------------------------------------------

/** Reply prefixes across mail clients and languages (Re, AW, SV, Antw, VS, RIF, Odp, YNT, 回复…). */
const REPLY_WORDS = [
  "re",
  "aw",
  "sv",
  "antw",
  "vs",
  "rif",
  "ref",
  "odp",
  "ynt",
  "回复",
  "答复",
  "回覆",
];
/** Forward prefixes (Fwd, Fw, WG, TR, RV, ENC, PD, 转发, 轉寄…). */
const FORWARD_WORDS = ["fwd", "fw", "wg", "tr", "rv", "enc", "pd", "doorst", "转发", "轉寄"];

function prefixPattern(words: string[]): RegExp {
  // "Re:", "RE :", "Re[2]:", "Re(2):", "Re^2:", with an ASCII or full-width colon
  return new RegExp(
    `^\\s*(?:${words.join("|")})\\s*(?:\\[\\d+\\]|\\(\\d+\\)|\\^\\d+)?\\s*[:：]\\s*`,
    "iu",
  );
}

const REPLY_PREFIX = prefixPattern(REPLY_WORDS);
const FORWARD_PREFIX = prefixPattern(FORWARD_WORDS);

function stripLeading(subject: string, pattern: RegExp): string {
  let out = subject;
  for (let i = 0; i < 20; i++) {
    const next = out.replace(pattern, "");
    if (next === out) break;
    out = next;
  }
  return out.trim();
}

/** "Re: " + the subject without its leading reply prefixes: "RE: Re[2]: x" → "Re: x". */
export function replySubject(subject: string): string {
  return `Re: ${stripLeading(subject, REPLY_PREFIX)}`;
}

/** "Fwd: " + the subject without its leading forward prefixes: "Fw: x" → "Fwd: x". */
export function forwardSubject(subject: string): string {
  return `Fwd: ${stripLeading(subject, FORWARD_PREFIX)}`;
}

// ---------------------------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------------------------

/** Message ids beyond this are trimmed from the middle of a References chain. */
export const MAX_REFERENCES = 20;

/** The `<…>` message ids in a References / In-Reply-To / Message-ID header value. */
export function parseMessageIds(value: string | null | undefined): string[] {
  if (!value) return [];
  return [...value.matchAll(/<[\x21-\x3b\x3d\x3f-\x7e]+>/g)].map((m) => m[0]);
}

/**
 * References of a reply: the original's References (or its In-Reply-To when it has none) plus
 * its Message-ID, deduplicated; a long chain keeps its first id and the most recent ones.
 */
export function replyReferences(
  references: string[],
  inReplyTo: string | null,
  messageId: string | null,
): string[] {
  const chain = references.length > 0 ? [...references] : parseMessageIds(inReplyTo);
  if (messageId) chain.push(messageId);
  const unique = [...new Set(chain)];
  if (unique.length <= MAX_REFERENCES) return unique;
  return [unique[0] as string, ...unique.slice(unique.length - (MAX_REFERENCES - 1))];
}
