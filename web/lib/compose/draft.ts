/**
 * The composer's model and how it becomes a protocol draft: recipients as chips, attachments
 * in their upload states, and the checks that run before a message may be sent (addresses,
 * line breaks in the subject, uploads still running, size limits, the frame cap).
 */
import {
  hasLineBreak,
  inlineContentId,
  type TComposeAttachment,
  type TComposeDraft,
  type TComposeDraftInput,
  type TComposeSource,
  type TUidRef,
} from "@ferry/protocol";
import { type Recipient, toComposeAddresses } from "./addresses";
import { MAX_FILES, MAX_FRAME_BYTES, uploadLimits } from "./limits";

/** An attachment in the composer: a file on its way up, or one the bridge already has. */
export type ComposeAttachmentItem =
  | {
      kind: "upload";
      key: string;
      filename: string;
      size: number;
      type: string;
      /** `kept`: attached offline, kept on this device (`keptId`) until it can be uploaded. */
      status: "uploading" | "done" | "failed" | "kept";
      /** 0…1 while uploading. */
      progress: number;
      uploadId: string | null;
      /** Why it failed (a message key's parameters are filled by the caller). */
      error: string | null;
      /** An image shown in the body (pasted into the editor), sent as an inline cid: part. */
      inline?: boolean;
      /** The file kept on this device (lib/compose/offline-files), while `kept`. */
      keptId?: string;
    }
  | { kind: "existing"; key: string; attachment: TComposeAttachment };

export interface ComposeFields {
  from: { name: string; address: string };
  identityId: string | null;
  to: Recipient[];
  cc: Recipient[];
  bcc: Recipient[];
  subject: string;
  attachments: ComposeAttachmentItem[];
  inReplyTo: string | null;
  references: string[];
  source: TComposeSource | null;
}

/** What opens a composer. */
export type ComposeRequest =
  | { kind: "new"; to?: Recipient[] }
  | {
      kind: "context";
      mode: "reply" | "replyAll" | "forward" | "forwardAttachment" | "draft";
      ref: { mailbox: string; uidValidity: number; uid: number };
    }
  | {
      /** A draft the composer gets back: undo, a failed send, a draft not saved on close. */
      kind: "restore";
      draft: TComposeDraft;
      draftUid: TUidRef | null;
      draftMailbox: string | null;
      problem: ComposeProblem | null;
      /** The draft kept on this device it was reopened from (lib/compose/local-drafts). */
      localId?: string;
    };

/** Why a message went back to the composer. */
export interface ComposeProblem {
  code: string;
  /** Refused recipients (recipient_refused). */
  rejected: string[];
  /** The bridge's own explanation (bad_request), shown with the catalog text. */
  detail: string | null;
}

/** The title of a composer (its accessible name too). */
export function composerTitle(source: TComposeSource | null): "new" | "reply" | "forward" {
  if (!source) return "new";
  return source.mode === "reply" || source.mode === "replyAll" ? "reply" : "forward";
}

export function attachmentSize(item: ComposeAttachmentItem): number {
  return item.kind === "upload" ? item.size : item.attachment.size;
}

export function attachmentName(item: ComposeAttachmentItem): string {
  return item.kind === "upload" ? item.filename : item.attachment.filename;
}

/** The attachments to send; an inline image only while the body still shows it. */
function readyAttachments(
  items: readonly ComposeAttachmentItem[],
  html: string,
): TComposeAttachment[] {
  const out: TComposeAttachment[] = [];
  const shown = (uploadId: string) => html.includes(`cid:${inlineContentId(uploadId)}`);
  for (const item of items) {
    if (item.kind === "existing") {
      const att = item.attachment;
      if (!("uploadId" in att) || att.inline !== true || shown(att.uploadId)) out.push(att);
    } else if (item.status === "done" && item.uploadId !== null) {
      if (item.inline === true && !shown(item.uploadId)) continue;
      out.push({
        uploadId: item.uploadId,
        filename: item.filename,
        size: item.size,
        type: safeMimeType(item.type),
        ...(item.inline === true ? { inline: true } : {}),
      });
    }
  }
  return out;
}

/** A MIME type the protocol accepts (the browser's guess, else application/octet-stream). */
export function safeMimeType(type: string): string {
  const clean = type.split(";")[0]?.trim().toLowerCase() ?? "";
  return /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(clean) &&
    clean.length <= 255
    ? clean
    : "application/octet-stream";
}

/** The protocol draft for the fields and the editor's (sanitized) HTML and text. */
export function toDraft(fields: ComposeFields, html: string, text: string): TComposeDraftInput {
  return {
    from: fields.from,
    to: toComposeAddresses(fields.to),
    cc: toComposeAddresses(fields.cc),
    bcc: toComposeAddresses(fields.bcc),
    subject: fields.subject,
    html,
    text,
    inReplyTo: fields.inReplyTo,
    references: fields.references,
    attachments: readyAttachments(fields.attachments, html),
    identityId: fields.identityId,
    source: fields.source,
  };
}

/** Reasons a message cannot be sent yet; empty when it can. */
export type SendBlocker =
  | { kind: "invalidRecipients"; addresses: string[] }
  | { kind: "noRecipients" }
  | { kind: "subjectLineBreak" }
  | { kind: "uploading" }
  | { kind: "failedUploads"; names: string[] }
  | { kind: "tooLarge"; total: number };

/**
 * `offline`: Send puts the message in the Outbox, which takes the files kept on this device
 * along; online they must be uploaded first.
 */
export function sendBlockers(fields: ComposeFields, offline = false): SendBlocker[] {
  const out: SendBlocker[] = [];
  const all = [...fields.to, ...fields.cc, ...fields.bcc];
  const invalid = all.filter((r) => !r.valid).map((r) => r.address || r.name);
  if (invalid.length > 0) out.push({ kind: "invalidRecipients", addresses: invalid });
  else if (all.length === 0) out.push({ kind: "noRecipients" });
  if (hasLineBreak(fields.subject)) out.push({ kind: "subjectLineBreak" });
  if (
    fields.attachments.some(
      (a) => a.kind === "upload" && (a.status === "uploading" || (a.status === "kept" && !offline)),
    )
  ) {
    out.push({ kind: "uploading" });
  }
  const failed = fields.attachments.filter((a) => a.kind === "upload" && a.status === "failed");
  if (failed.length > 0) out.push({ kind: "failedUploads", names: failed.map(attachmentName) });
  const total = totalAttachmentBytes(fields.attachments);
  if (total > uploadLimits().message) out.push({ kind: "tooLarge", total });
  return out;
}

export function totalAttachmentBytes(items: readonly ComposeAttachmentItem[]): number {
  return items
    .filter((a) => !(a.kind === "upload" && a.status === "failed"))
    .reduce((n, a) => n + attachmentSize(a), 0);
}

/** Why a file cannot be attached, checked before it is uploaded; null when it can. */
export type FileRefusal =
  | { kind: "fileTooLarge" }
  | { kind: "messageTooLarge" }
  | { kind: "tooManyFiles" };

/** `adding`: bytes and files accepted in the same batch, not in `items` yet. */
export function refuseFile(
  size: number,
  items: readonly ComposeAttachmentItem[],
  adding: { bytes: number; files: number } = { bytes: 0, files: 0 },
): FileRefusal | null {
  if (size > uploadLimits().file) return { kind: "fileTooLarge" };
  if (totalAttachmentBytes(items) + adding.bytes + size > uploadLimits().message) {
    return { kind: "messageTooLarge" };
  }
  if (
    items.filter((a) => !(a.kind === "upload" && a.status === "failed")).length + adding.files >=
    MAX_FILES
  ) {
    return { kind: "tooManyFiles" };
  }
  return null;
}

/** The files attached offline and kept on this device, as an Outbox entry names them. */
export function keptFiles(
  items: readonly ComposeAttachmentItem[],
): Array<{ fileId: string; filename: string; size: number; type: string }> {
  return items.flatMap((a) =>
    a.kind === "upload" && a.status === "kept" && a.keptId !== undefined
      ? [{ fileId: a.keptId, filename: a.filename, size: a.size, type: safeMimeType(a.type) }]
      : [],
  );
}

/** True when there is nothing worth saving as a draft. */
export function isEmptyDraft(fields: ComposeFields, bodyBlank: boolean): boolean {
  return (
    bodyBlank &&
    fields.subject.trim() === "" &&
    fields.to.length + fields.cc.length + fields.bcc.length === 0 &&
    fields.attachments.length === 0
  );
}

const encoder = new TextEncoder();

/** Bytes of a frame as the socket would send it. */
export function frameBytes(frame: unknown): number {
  return encoder.encode(JSON.stringify(frame)).length;
}

/**
 * A draft that fits a socket frame of `type` (with `extra` fields): the plain-text alternative
 * is left for the bridge to derive when both would not fit; null when even the HTML alone is too
 * long.
 */
export function fitDraft(
  draft: TComposeDraftInput,
  extra: Record<string, unknown>,
): TComposeDraftInput | null {
  if (frameBytes({ ...extra, draft }) <= MAX_FRAME_BYTES) return draft;
  const withoutText = { ...draft, text: "" };
  if (frameBytes({ ...extra, draft: withoutText }) <= MAX_FRAME_BYTES) return withoutText;
  return null;
}
