/**
 * A draft's attachments, checked and resolved. Checked before a message is queued or saved:
 * every upload it names must still be there, and the whole message must stay within the
 * message limit. Resolved into bytes for building it: an upload streams from disk, a forwarded
 * message or a part of one is downloaded over the session's own IMAP connection.
 */
import {
  inlineContentId,
  type TComposeAttachment,
  type TComposeDraft,
  type TMessageRef,
} from "@ferry/protocol";
import { BridgeError } from "../errors";
import type { ResolvedAttachment } from "./build";
import { sanitizeFilename, sanitizeMimeType } from "./headers";
import { downloadBytes } from "./imap";
import type { ComposeSession } from "./session";
import type { StoredUpload, UploadStore } from "./uploads";

/**
 * The uploads `draft` names (each must still exist), its body and attachments together checked
 * against `limit` bytes.
 */
export function checkAttachments(
  uploads: UploadStore,
  sessionKey: string,
  draft: TComposeDraft,
  limit: number,
): StoredUpload[] {
  const files: StoredUpload[] = [];
  let total = Buffer.byteLength(draft.text) + Buffer.byteLength(draft.html ?? "");
  for (const att of draft.attachments) {
    if ("uploadId" in att) {
      const file = uploads.get(sessionKey, att.uploadId);
      if (!file) {
        throw new BridgeError(
          "bad_request",
          `The attachment "${sanitizeFilename(att.filename)}" is no longer available; attach it again.`,
        );
      }
      files.push(file);
      total += file.size;
    } else {
      total += att.size;
    }
  }
  assertWithinLimit(total, limit);
  return files;
}

function assertWithinLimit(total: number, limit: number): void {
  if (total > limit) {
    throw new BridgeError(
      "too_large",
      `A message may carry at most ${Math.round(limit / (1024 * 1024))} MB of attachments.`,
    );
  }
}

/** Bytes of every attachment of `draft`, within `limit` bytes together. */
export async function resolveAttachments(
  uploads: UploadStore,
  session: ComposeSession,
  draft: TComposeDraft,
  limit: number,
): Promise<ResolvedAttachment[]> {
  let total = 0;
  const out: ResolvedAttachment[] = [];
  const download = (ref: TMessageRef, part: string | undefined) =>
    session.imap.run((client) => downloadBytes(client, ref, part, Math.max(0, limit - total)));
  for (const att of draft.attachments) {
    const resolved = await resolveAttachment(uploads, session.key, att, download);
    total += resolved.size;
    assertWithinLimit(total, limit);
    out.push(resolved);
  }
  return out;
}

async function resolveAttachment(
  uploads: UploadStore,
  sessionKey: string,
  att: TComposeAttachment,
  download: (ref: TMessageRef, part: string | undefined) => Promise<Buffer>,
): Promise<ResolvedAttachment> {
  if ("uploadId" in att) {
    const file = uploads.get(sessionKey, att.uploadId);
    if (!file) {
      throw new BridgeError(
        "bad_request",
        "An attachment is no longer available; attach it again.",
      );
    }
    return {
      filename: sanitizeFilename(att.filename || file.filename),
      type: file.type,
      size: file.size,
      content: () => uploads.open(file),
      ...(att.inline === true && file.type.startsWith("image/")
        ? { contentId: inlineContentId(file.id) }
        : {}),
    };
  }
  if ("forwardOf" in att) {
    const bytes = await download(att.forwardOf, undefined);
    let filename = sanitizeFilename(att.filename, "message.eml");
    if (!/\.eml$/i.test(filename)) filename = `${filename}.eml`;
    return { filename, type: "message/rfc822", size: bytes.length, content: bytes };
  }
  const bytes = await download(att.partOf, att.part);
  return {
    filename: sanitizeFilename(att.filename),
    type: sanitizeMimeType(att.type),
    size: bytes.length,
    content: bytes,
  };
}
