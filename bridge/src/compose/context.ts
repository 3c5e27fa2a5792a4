/**
 * Prefilled drafts: reply, reply all, forward inline or as an attachment, and resuming a saved
 * draft. Recipients and subject follow what mail clients agree on (reply all leaves out the
 * user's own addresses; "Re:"/"Fwd:" never double); In-Reply-To and References thread the
 * answer. The quoted body is the original's plain text (or its HTML reduced to text): the
 * bridge never passes an original's HTML on, so the HTML it offers is its own, escaped. A resumed
 * draft is the user's own HTML: its images shown by `cid:` come back as inline uploads, the HTML
 * naming them by their new Content-IDs, with the parts they came from for the composer to show.
 */
import {
  emptyDraft,
  inlineContentId,
  isMailAddress,
  type TComposeAddress,
  type TComposeAttachment,
  type TComposeDraft,
  type TComposeMode,
  type TIdentity,
  type TMessageRef,
  type TUidRef,
  ZComposeSource,
} from "@ferry/protocol";
import type {
  FetchMessageObject,
  ImapFlow,
  MessageAddressObject,
  MessageStructureObject,
} from "imapflow";
import { type AddressObject, simpleParser } from "mailparser";
import { BridgeError } from "../errors";
import { assertUidValidity, withMailbox } from "../imap/mailbox-access";
import { cleanName } from "./contacts";
import {
  forwardSubject,
  parseMessageIds,
  replyReferences,
  replySubject,
  sanitizeFilename,
  sanitizeMimeType,
} from "./headers";
import { downloadBytes, downloadText } from "./imap";
import {
  attributionLine,
  escapeHtml,
  formatAddress,
  formatQuoteDate,
  htmlToPlain,
  plainToHtml,
  quotePlain,
} from "./text";

/** Most of an original's text that is quoted. */
export const MAX_QUOTED_BYTES = 512 * 1024;

/** Header on saved drafts naming the message they answer or forward. */
export const SOURCE_HEADER = "X-Ferry-Source";

export type ContextMode = TComposeMode | "draft";

export interface ContextInput {
  ref: TMessageRef;
  mode: ContextMode;
  /** The signed-in address. */
  email: string;
  /** Identities of the user (address + name), for From and for leaving them out of reply all. */
  identities: TIdentity[];
  timeZone?: string | undefined;
  /** The Drafts mailbox path (a resumed draft there gets a draftUid). */
  draftsMailbox: string | null;
  /** Largest message source read when resuming a draft. */
  maxDraftBytes: number;
  /** Stores a resumed draft's attachment as a new upload. */
  storeAttachment: (filename: string, type: string, data: Buffer) => Promise<TComposeAttachment>;
}

export interface ContextResult {
  draft: TComposeDraft;
  draftUid: TUidRef | null;
  /** A resumed draft's inline images: new upload id → the part of `ref` it was copied from. */
  inlineParts?: Record<string, string>;
}

/** A header value as X-Ferry-Source: "<mode> <uidValidity> <uid> <base64url mailbox>". */
export function encodeSourceHeader(source: NonNullable<TComposeDraft["source"]>): string {
  const { ref, mode } = source;
  return `${mode} ${ref.uidValidity} ${ref.uid} ${Buffer.from(ref.mailbox, "utf8").toString("base64url")}`;
}

export function decodeSourceHeader(value: string | undefined): TComposeDraft["source"] {
  const parts = (value ?? "").trim().split(/\s+/);
  if (parts.length !== 4) return null;
  const [mode, uidValidity, uid, mailbox] = parts as [string, string, string, string];
  const parsed = ZComposeSource.safeParse({
    mode,
    ref: {
      mailbox: Buffer.from(mailbox, "base64url").toString("utf8"),
      uidValidity: Number(uidValidity),
      uid: Number(uid),
    },
  });
  return parsed.success ? parsed.data : null;
}

/** Envelope addresses as composer addresses: invalid ones (groups, junk) are dropped. */
export function toComposeAddresses(list: MessageAddressObject[] | undefined): TComposeAddress[] {
  const out: TComposeAddress[] = [];
  for (const a of list ?? []) {
    const address = (a.address ?? "").trim();
    if (isMailAddress(address)) out.push({ name: cleanName(a.name), address });
  }
  return out;
}

function dedupe(list: TComposeAddress[], seen: Set<string>): TComposeAddress[] {
  const out: TComposeAddress[] = [];
  for (const a of list) {
    const key = a.address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(a);
  }
  return out;
}

/**
 * To and Cc of a reply. Reply: Reply-To, else From. Reply all: that plus the original To
 * (as To) and Cc (as Cc), without the user's own addresses. Answering one's own message
 * (from Sent) goes to its original recipients.
 */
export function replyRecipients(
  env: {
    from: TComposeAddress[];
    replyTo: TComposeAddress[];
    to: TComposeAddress[];
    cc: TComposeAddress[];
  },
  all: boolean,
  own: Set<string>,
): { to: TComposeAddress[]; cc: TComposeAddress[] } {
  const isOwn = (a: TComposeAddress) => own.has(a.address.toLowerCase());
  const fromSelf = env.from.length > 0 && env.from.every(isOwn);
  const author = env.replyTo.length > 0 ? env.replyTo : env.from;
  if (!all) {
    const to = fromSelf ? env.to : author;
    return { to: dedupe(to.length > 0 ? to : env.from, new Set()), cc: [] };
  }
  const seen = new Set(own);
  let to = dedupe(fromSelf ? env.to : [...author, ...env.to], seen);
  let cc = dedupe(env.cc, seen);
  if (to.length === 0 && cc.length > 0) {
    to = cc;
    cc = [];
  }
  if (to.length === 0) to = dedupe(fromSelf ? env.to : author, new Set());
  return { to, cc };
}

interface BodyChoice {
  part: string;
  type: "text/plain" | "text/html";
}

function isAttachment(node: MessageStructureObject): boolean {
  return (node.disposition ?? "").toLowerCase() === "attachment";
}

/** The part whose text is quoted: the first text/plain of the body, else its text/html. */
export function pickBodyPart(root: MessageStructureObject): BodyChoice | null {
  let html: BodyChoice | null = null;
  const walk = (node: MessageStructureObject): BodyChoice | null => {
    const type = node.type.toLowerCase();
    if (type === "message/rfc822" || isAttachment(node)) return null;
    if (type.startsWith("multipart/")) {
      for (const child of node.childNodes ?? []) {
        const found = walk(child);
        if (found) return found;
      }
      return null;
    }
    const part = node.part ?? "1";
    if (type === "text/plain") return { part, type };
    if (type === "text/html" && !html) html = { part, type };
    return null;
  };
  return walk(root) ?? html;
}

export interface ForwardablePart {
  part: string;
  filename: string;
  type: string;
  size: number;
}

function decodedSize(node: MessageStructureObject): number {
  const size = node.size ?? 0;
  return (node.encoding ?? "").toLowerCase() === "base64" ? Math.floor((size * 3) / 4) : size;
}

/** The parts an inline forward carries along: every leaf that is not the quoted body text. */
export function forwardableParts(
  root: MessageStructureObject,
  body: BodyChoice | null,
): ForwardablePart[] {
  const out: ForwardablePart[] = [];
  const walk = (node: MessageStructureObject) => {
    const type = node.type.toLowerCase();
    if (type.startsWith("multipart/")) {
      for (const child of node.childNodes ?? []) walk(child);
      return;
    }
    const part = node.part ?? "1";
    if (body && part === body.part) return;
    const filename = node.dispositionParameters?.filename ?? node.parameters?.name ?? null;
    // The other alternative of the body (text/html next to the quoted text/plain) is not an attachment.
    if (!filename && !isAttachment(node) && (type === "text/plain" || type === "text/html")) return;
    const fallback = type === "message/rfc822" ? "message.eml" : "attachment";
    out.push({
      part,
      filename: sanitizeFilename(filename ?? fallback, fallback),
      type: sanitizeMimeType(type),
      size: decodedSize(node),
    });
  };
  walk(root);
  return out;
}

function dateOf(value: Date | string | undefined): Date | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isFinite(d.getTime()) ? d : null;
}

/** The identity to answer from: the first own address the original was sent to, else the sign-in one. */
function pickFrom(
  input: ContextInput,
  recipients: TComposeAddress[],
): { from: TComposeAddress; identityId: string | null } {
  const byAddress = new Map(input.identities.map((i) => [i.address.toLowerCase(), i] as const));
  for (const r of recipients) {
    const identity = byAddress.get(r.address.toLowerCase());
    if (identity) {
      return { from: { name: identity.name, address: identity.address }, identityId: identity.id };
    }
  }
  const self = byAddress.get(input.email.toLowerCase());
  return { from: { name: self?.name ?? "", address: input.email }, identityId: null };
}

async function fetchOriginal(client: ImapFlow, ref: TMessageRef): Promise<FetchMessageObject> {
  return withMailbox(client, ref.mailbox, {}, async (mb) => {
    assertUidValidity(mb, ref.uidValidity);
    const message = await client.fetchOne(
      String(ref.uid),
      { uid: true, envelope: true, bodyStructure: true, size: true, headers: ["references"] },
      { uid: true },
    );
    if (!message) throw new BridgeError("message_not_found", "The message no longer exists.");
    return message;
  });
}

/** The prefilled draft for `input.mode`. */
export async function composeContext(
  client: ImapFlow,
  input: ContextInput,
): Promise<ContextResult> {
  if (input.mode === "draft") return resumeDraft(client, input);
  const { ref, mode } = input;
  const original = await fetchOriginal(client, ref);
  const envelope = original.envelope ?? {};
  const env = {
    from: toComposeAddresses(envelope.from),
    replyTo: toComposeAddresses(envelope.replyTo),
    to: toComposeAddresses(envelope.to),
    cc: toComposeAddresses(envelope.cc),
  };
  const own = new Set([
    input.email.toLowerCase(),
    ...input.identities.map((i) => i.address.toLowerCase()),
  ]);
  const { from, identityId } = pickFrom(input, [...env.to, ...env.cc]);
  const draft = emptyDraft(from, identityId);
  const subject = cleanName(envelope.subject ?? "");
  const date = dateOf(envelope.date);
  const messageId = parseMessageIds(envelope.messageId)[0] ?? null;
  draft.source = { ref, mode };

  if (mode === "forwardAttachment") {
    draft.subject = forwardSubject(subject);
    draft.attachments = [
      {
        forwardOf: ref,
        filename: sanitizeFilename(`${subject || "message"}.eml`, "message.eml"),
        size: original.size ?? 0,
      },
    ];
    return { draft, draftUid: null };
  }

  const structure = original.bodyStructure;
  const body = structure ? pickBodyPart(structure) : null;
  let text = "";
  if (body) {
    const raw = await downloadText(client, ref, body.part, MAX_QUOTED_BYTES);
    text = body.type === "text/html" ? await htmlToPlain(raw) : raw.replace(/\r\n?/g, "\n");
  }
  text = text.replace(/\n+$/, "");

  if (mode === "forward") {
    draft.subject = forwardSubject(subject);
    const lines = [
      "---------- Forwarded message ---------",
      `From: ${env.from.map(formatAddress).join(", ")}`,
      ...(date ? [`Date: ${formatQuoteDate(date, input.timeZone)}`] : []),
      `Subject: ${subject}`,
      ...(env.to.length > 0 ? [`To: ${env.to.map(formatAddress).join(", ")}`] : []),
      ...(env.cc.length > 0 ? [`Cc: ${env.cc.map(formatAddress).join(", ")}`] : []),
    ];
    draft.text = `\n\n${lines.join("\n")}\n\n${text}\n`;
    draft.html = `<p><br></p>\n<div class="ferry-forward">${lines.map(escapeHtml).join("<br>\n")}<br>\n<br>\n${plainToHtml(text)}</div>`;
    draft.attachments = structure
      ? forwardableParts(structure, body).map((p) => ({
          partOf: ref,
          part: p.part,
          filename: p.filename,
          size: p.size,
          type: p.type,
        }))
      : [];
    return { draft, draftUid: null };
  }

  const recipients = replyRecipients(env, mode === "replyAll", own);
  draft.to = recipients.to;
  draft.cc = recipients.cc;
  draft.subject = replySubject(subject);
  draft.inReplyTo = messageId;
  const refs = parseMessageIds(original.headers?.toString("utf8"));
  draft.references = replyReferences(refs, envelope.inReplyTo ?? null, messageId);
  const attribution = attributionLine(date, env.from[0], input.timeZone);
  draft.text = `\n\n${attribution}\n${quotePlain(text)}\n`;
  draft.html = `<p><br></p>\n<p>${escapeHtml(attribution)}</p>\n<blockquote type="cite">${plainToHtml(text)}</blockquote>`;
  return { draft, draftUid: null };
}

function addressesOf(value: AddressObject | AddressObject[] | undefined): TComposeAddress[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const out: TComposeAddress[] = [];
  for (const obj of objects) {
    for (const a of obj.value) {
      for (const member of a.group ?? [a]) {
        const address = (member.address ?? "").trim();
        if (isMailAddress(address)) out.push({ name: cleanName(member.name), address });
      }
    }
  }
  return out;
}

/** The part of each leaf that has a Content-ID (lower case, without angle brackets). */
function partsByContentId(root: MessageStructureObject | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (node: MessageStructureObject) => {
    for (const child of node.childNodes ?? []) walk(child);
    const id = node.id?.trim().replace(/^<|>$/g, "").trim().toLowerCase();
    if (id && !node.childNodes?.length) out.set(id, node.part ?? "1");
  };
  if (root) walk(root);
  return out;
}

/** `cid:<contentId>` as an attribute value in HTML (case-insensitive, up to its end). */
function cidPattern(contentId: string): RegExp {
  const escaped = contentId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`cid:${escaped}(?=["'\\s>)]|$)`, "gi");
}

/** `html` showing `from` (a Content-ID) as `to` instead; null when it does not show it. */
export function renameContentId(html: string, from: string, to: string): string | null {
  const pattern = cidPattern(from);
  if (!pattern.test(html)) return null;
  pattern.lastIndex = 0;
  return html.replace(pattern, `cid:${to}`);
}

/** A saved draft back in the composer; its attachments become new uploads. */
async function resumeDraft(client: ImapFlow, input: ContextInput): Promise<ContextResult> {
  const { ref } = input;
  const structure = (await fetchOriginal(client, ref)).bodyStructure;
  const source = await downloadBytes(client, ref, undefined, input.maxDraftBytes);
  const parsed = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true });
  const fromList = addressesOf(parsed.from);
  const sender = fromList[0] ?? { name: "", address: input.email };
  const identity = input.identities.find(
    (i) => i.address.toLowerCase() === sender.address.toLowerCase(),
  );
  const draft = emptyDraft(sender, identity?.id ?? null);
  draft.to = addressesOf(parsed.to);
  draft.cc = addressesOf(parsed.cc);
  draft.bcc = addressesOf(parsed.bcc);
  draft.subject = cleanName(parsed.subject ?? "");
  draft.html = typeof parsed.html === "string" ? parsed.html : null;
  draft.text = parsed.text ?? "";
  draft.inReplyTo = parseMessageIds(parsed.inReplyTo)[0] ?? null;
  const references = parsed.references;
  draft.references = parseMessageIds(Array.isArray(references) ? references.join(" ") : references);
  const sourceHeader = parsed.headers.get(SOURCE_HEADER.toLowerCase());
  draft.source = decodeSourceHeader(typeof sourceHeader === "string" ? sourceHeader : undefined);
  const parts = partsByContentId(structure);
  const inlineParts: Record<string, string> = {};
  for (const att of parsed.attachments) {
    const type = sanitizeMimeType(att.contentType);
    const fallback = type === "message/rfc822" ? "message.eml" : "attachment";
    let stored = await input.storeAttachment(
      sanitizeFilename(att.filename ?? fallback, fallback),
      type,
      att.content,
    );
    const cid = att.cid?.trim();
    if (cid && draft.html && type.startsWith("image/") && "uploadId" in stored) {
      const html = renameContentId(draft.html, cid, inlineContentId(stored.uploadId));
      if (html !== null) {
        draft.html = html;
        stored = { ...stored, inline: true };
        const part = parts.get(cid.toLowerCase());
        if (part) inlineParts[stored.uploadId] = part;
      }
    }
    draft.attachments.push(stored);
  }
  const inDrafts = input.draftsMailbox !== null && ref.mailbox === input.draftsMailbox;
  return {
    draft,
    draftUid: inDrafts ? { uidValidity: ref.uidValidity, uid: ref.uid } : null,
    inlineParts,
  };
}
