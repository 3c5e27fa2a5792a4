/**
 * Pure mapping from what imapflow parses out of IMAP (BODYSTRUCTURE, ENVELOPE) to the wire
 * model: the `TBodyPart` tree with IMAP part specifiers, the choice of the text parts a reader
 * displays, the attachment list and the `hasAttachments` rule shared by list rows and the
 * reader. No I/O here.
 *
 * Part specifiers follow RFC 3501 §6.4.5 (not imapflow's own numbering, which gives the body of
 * an encapsulated single-part message the number of its message/rfc822 wrapper):
 * - a single-part message's body is "1";
 * - the children of a multipart at "P" are "P.1", "P.2", … (top level: "1", "2", …);
 * - a multipart node itself carries the section of its content: "TEXT" at the top, "P" when
 *   nested in another multipart, "P.TEXT" when it is the body of a message/rfc822 part "P";
 * - the body of a message/rfc822 part "P" is "P.TEXT" when multipart, else "P.1".
 *
 * Which text parts are displayed (`bodyParts`):
 * - multipart/alternative: the last text/html alternative (RFC 2046: the last is the best),
 *   else the last text/plain one. Only the displayed alternative is sent, never both;
 * - multipart/related: its root (the `start` part, else the first child);
 * - multipart/signed: the signed content (first child) only;
 * - multipart/mixed, /report and any other multipart: every displayable child in order, so a
 *   message that interleaves text and images (Apple Mail) shows all of its text;
 * - a text/plain or text/html leaf is displayable unless it is `Content-Disposition:
 *   attachment`, or it has a file name without an explicit `inline` disposition;
 * - message/rfc822 parts are never opened for display: they are attachments (".eml").
 *
 * Attachments are all other leaves, except the text/plain and text/html alternatives that lost
 * to the displayed one. An attachment is `inline` when it is a resource of the HTML body: it
 * has a Content-ID and sits in a multipart/related. `hasAttachments` is true when there is at
 * least one attachment that is not inline and not a signature (application/pgp-signature,
 * application/(x-)pkcs7-signature).
 */
import {
  stripInvisible,
  type TAddress,
  type TAttachment,
  type TBodyPart,
  type TEnvelope,
} from "@ferry/protocol";
import type { MessageAddressObject, MessageEnvelopeObject, MessageStructureObject } from "imapflow";
import { replaceControlChars } from "./text";

export type DisplayType = "text/plain" | "text/html";

export interface BodyPartRef {
  part: string;
  type: DisplayType;
}

export interface StructureAnalysis {
  /** The text parts the reader displays, in order. */
  bodyParts: BodyPartRef[];
  attachments: TAttachment[];
  hasAttachments: boolean;
}

const SIGNATURE_TYPES = new Set([
  "application/pgp-signature",
  "application/pkcs7-signature",
  "application/x-pkcs7-signature",
]);

const EXTENSIONS: Record<string, string> = {
  "application/pdf": ".pdf",
  "application/zip": ".zip",
  "application/json": ".json",
  "application/octet-stream": ".bin",
  "application/pgp-signature": ".asc",
  "application/pkcs7-signature": ".p7s",
  "application/x-pkcs7-signature": ".p7s",
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/gif": ".gif",
  "image/webp": ".webp",
  "image/svg+xml": ".svg",
  "text/plain": ".txt",
  "text/html": ".html",
  "text/calendar": ".ics",
  "text/csv": ".csv",
  "text/rfc822-headers": ".txt",
  "message/delivery-status": ".txt",
  "message/feedback-report": ".txt",
  "message/rfc822": ".eml",
};

const MAX_NAME = 255;

/** Removes control characters and trims a display name; empty → null. */
function cleanName(value: string | undefined | null): string | null {
  if (typeof value !== "string") return null;
  const cleaned = stripInvisible(replaceControlChars(value, " ")).trim();
  if (cleaned === "") return null;
  return cleaned.length > MAX_NAME ? cleaned.slice(0, MAX_NAME) : cleaned;
}

function lowerType(type: string | undefined): string {
  const t = (type ?? "").trim().toLowerCase();
  if (t === "" || t === "/" || !t.includes("/")) return "application/octet-stream";
  return t;
}

function isMultipart(node: { type: string }): boolean {
  return node.type.startsWith("multipart/");
}

function nonNegativeInt(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

function stripAngles(id: string | undefined): string | null {
  if (typeof id !== "string") return null;
  const trimmed = id.trim().replace(/^<|>$/g, "").trim();
  return trimmed === "" ? null : trimmed;
}

/** Converts one imapflow node (and its subtree) with the RFC 3501 part specifier `part`. */
function convert(
  node: MessageStructureObject,
  part: string,
  context: "top" | "multipart" | "message",
): TBodyPart {
  const type = lowerType(node.type);
  const children: TBodyPart[] = [];
  let partSpec = part;
  if (isMultipart({ type })) {
    // The section holding this multipart's content.
    partSpec = context === "top" ? "TEXT" : context === "message" ? `${part}.TEXT` : part;
    const prefix = context === "top" ? "" : `${part}.`;
    (node.childNodes ?? []).forEach((child, i) => {
      children.push(convert(child, `${prefix}${i + 1}`, "multipart"));
    });
  } else if (type === "message/rfc822") {
    const inner = node.childNodes?.[0];
    if (inner) {
      const innerType = lowerType(inner.type);
      children.push(
        isMultipart({ type: innerType })
          ? convert(inner, part, "message")
          : convert(inner, `${part}.1`, "multipart"),
      );
    }
  }
  const params = node.parameters ?? {};
  const dispositionParams = node.dispositionParameters ?? {};
  const rawDisposition = (node.disposition ?? "").toLowerCase();
  const disposition =
    rawDisposition === "inline" || rawDisposition === "attachment" ? rawDisposition : null;
  let filename = cleanName(dispositionParams.filename) ?? cleanName(params.name);
  if (filename === null && type === "message/rfc822") {
    const subject = cleanName(node.envelope?.subject);
    if (subject !== null) filename = `${subject.slice(0, MAX_NAME - 4)}.eml`;
  }
  const charset = cleanName(params.charset)?.toLowerCase() ?? null;
  return {
    part: partSpec,
    type,
    charset: isMultipart({ type }) ? null : charset,
    disposition,
    filename: isMultipart({ type }) ? null : filename,
    contentId: stripAngles(node.id),
    size: nonNegativeInt(node.size),
    encoding: cleanName(node.encoding)?.toLowerCase() ?? null,
    children,
  };
}

/**
 * The `TBodyPart` tree of a message from imapflow's parsed BODYSTRUCTURE. A missing structure
 * (BODYSTRUCTURE NIL) becomes a single text/plain part "1".
 */
export function toBodyPart(node: MessageStructureObject | undefined | null): TBodyPart {
  if (!node) {
    return {
      part: "1",
      type: "text/plain",
      charset: null,
      disposition: null,
      filename: null,
      contentId: null,
      size: 0,
      encoding: null,
      children: [],
    };
  }
  return convert(node, "1", "top");
}

/** True for parts that hold no children of their own: what the parts endpoint can serve. */
export function isLeaf(node: TBodyPart): boolean {
  return !isMultipart(node) && node.type !== "message/rfc822";
}

/**
 * Every fetchable leaf of the message itself, in order. Parts inside an encapsulated
 * message/rfc822 are not listed; the message/rfc822 part stands for them.
 */
export function leafParts(root: TBodyPart): TBodyPart[] {
  const out: TBodyPart[] = [];
  const walk = (node: TBodyPart) => {
    if (isMultipart(node)) node.children.forEach(walk);
    else out.push(node);
  };
  walk(root);
  return out;
}

/** Every node of the tree, depth first, including those inside encapsulated messages. */
export function allParts(root: TBodyPart): TBodyPart[] {
  const out: TBodyPart[] = [];
  const walk = (node: TBodyPart) => {
    out.push(node);
    node.children.forEach(walk);
  };
  walk(root);
  return out;
}

/** The node with part specifier `part`, searching encapsulated messages too. */
export function findPart(root: TBodyPart, part: string): TBodyPart | null {
  const wanted = part.toUpperCase();
  return allParts(root).find((node) => node.part.toUpperCase() === wanted) ?? null;
}

function isDisplayable(node: TBodyPart): node is TBodyPart & { type: DisplayType } {
  if (node.type !== "text/plain" && node.type !== "text/html") return false;
  if (node.disposition === "attachment") return false;
  if (node.filename !== null && node.disposition !== "inline") return false;
  return true;
}

function selectBodies(node: TBodyPart): TBodyPart[] {
  if (!isMultipart(node)) return isDisplayable(node) ? [node] : [];
  const sub = node.type.slice("multipart/".length);
  if (sub === "alternative") {
    const options = node.children.map(selectBodies);
    for (let i = options.length - 1; i >= 0; i--) {
      const option = options[i];
      if (option?.some((p) => p.type === "text/html")) return option;
    }
    for (let i = options.length - 1; i >= 0; i--) {
      const option = options[i];
      if (option && option.length > 0) return option;
    }
    return [];
  }
  if (sub === "related") {
    const root = relatedRoot(node);
    return root ? selectBodies(root) : [];
  }
  if (sub === "signed") {
    const signed = node.children[0];
    return signed ? selectBodies(signed) : [];
  }
  return node.children.flatMap(selectBodies);
}

function relatedRoot(node: TBodyPart): TBodyPart | undefined {
  // The `start` parameter is not kept in TBodyPart; the first child is the root in practice.
  return node.children[0];
}

function fallbackFilename(node: TBodyPart): string {
  const ext = EXTENSIONS[node.type] ?? "";
  if (node.type === "message/rfc822") return "message.eml";
  return `part-${node.part}${ext}`;
}

/** Chooses the displayed text parts and lists the attachments of a message's structure. */
export function analyzeStructure(root: TBodyPart): StructureAnalysis {
  const bodies = selectBodies(root);
  const bodySet = new Set(bodies);
  const attachments: TAttachment[] = [];
  const walk = (node: TBodyPart, inRelated: boolean, inAlternative: boolean) => {
    if (isMultipart(node)) {
      const sub = node.type.slice("multipart/".length);
      for (const child of node.children) {
        walk(child, inRelated || sub === "related", inAlternative || sub === "alternative");
      }
      return;
    }
    if (bodySet.has(node)) return;
    // A text alternative that lost to the displayed one is not an attachment.
    if (inAlternative && isDisplayable(node)) return;
    attachments.push({
      part: node.part,
      type: node.type,
      filename: node.filename ?? fallbackFilename(node),
      size: node.size,
      contentId: node.contentId,
      inline: inRelated && node.contentId !== null,
    });
  };
  walk(root, false, false);
  return {
    bodyParts: bodies.map((b) => ({ part: b.part, type: b.type as DisplayType })),
    attachments,
    hasAttachments: attachments.some((a) => !a.inline && !SIGNATURE_TYPES.has(a.type)),
  };
}

// ---------------------------------------------------------------------------------------------
// Envelope
// ---------------------------------------------------------------------------------------------

/** ISO 8601 of a Date or date string, or null when there is no valid date. */
export function isoDate(value: Date | string | undefined | null): string | null {
  if (value === undefined || value === null || value === "") return null;
  const date = value instanceof Date ? value : new Date(value);
  const time = date.getTime();
  return Number.isFinite(time) ? date.toISOString() : null;
}

export function toAddresses(list: MessageAddressObject[] | undefined): TAddress[] {
  if (!Array.isArray(list)) return [];
  const out: TAddress[] = [];
  for (const entry of list) {
    const name = cleanName(entry.name) ?? "";
    const address = cleanName(entry.address) ?? "";
    // Group syntax markers come through as empty entries.
    if (name === "" && address === "") continue;
    out.push({ name, address });
  }
  return out;
}

export function toEnvelope(env: MessageEnvelopeObject | undefined): TEnvelope {
  return {
    date: isoDate(env?.date),
    subject: cleanName(env?.subject) ?? "",
    from: toAddresses(env?.from),
    sender: toAddresses(env?.sender),
    replyTo: toAddresses(env?.replyTo),
    to: toAddresses(env?.to),
    cc: toAddresses(env?.cc),
    bcc: toAddresses(env?.bcc),
    messageId: cleanName(env?.messageId),
    inReplyTo: cleanName(env?.inReplyTo),
  };
}
