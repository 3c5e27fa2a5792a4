/**
 * A held message's attachment bytes (outbox.ts HeldPart) and the session's uploads: read from
 * the uploads at Send (they live in this process only), given back as uploads of the session
 * when its draft comes back (undo, edit from Scheduled, a failed send), and the uploads removed
 * once the message has gone.
 */
import type { Readable } from "node:stream";
import { inlineContentId, type TComposeAttachment, type TComposeDraft } from "@ferry/protocol";
import { resolveAttachments } from "./attachments";
import type { HeldPart } from "./outbox";
import type { ComposeSession } from "./session";
import type { UploadStore } from "./uploads";

/** The bytes of every attachment of `draft`, read now (uploads live in this process only). */
export async function readHeldParts(
  uploads: UploadStore,
  session: ComposeSession,
  draft: TComposeDraft,
  messageMaxBytes: number,
): Promise<HeldPart[]> {
  const resolved = await resolveAttachments(uploads, session, draft, messageMaxBytes);
  const parts: HeldPart[] = [];
  for (const att of resolved) {
    const content = typeof att.content === "function" ? await readAll(att.content()) : att.content;
    parts.push({
      filename: att.filename,
      type: att.type,
      content,
      ...(att.contentId === undefined ? {} : { contentId: att.contentId }),
    });
  }
  return parts;
}

/** `draft` with its attachments as uploads of the session (held bytes stored again). */
export async function restoreDraft(
  uploads: UploadStore,
  sessionKey: string,
  draft: TComposeDraft,
  parts: HeldPart[],
): Promise<TComposeDraft> {
  const attachments: TComposeAttachment[] = [];
  let html = draft.html;
  for (const [n, att] of draft.attachments.entries()) {
    if ("uploadId" in att && uploads.get(sessionKey, att.uploadId)) {
      attachments.push(att);
      continue;
    }
    const part = parts[n];
    if (!part) continue;
    const info = await uploads.add(sessionKey, part.filename, part.type, part.content);
    attachments.push({
      uploadId: info.uploadId,
      filename: info.filename,
      size: info.size,
      type: info.type,
      ...(part.contentId === undefined ? {} : { inline: true }),
    });
    // An inline image stored again has a new Content-ID: the body follows it.
    if (part.contentId !== undefined && html !== null) {
      html = html.replaceAll(`cid:${part.contentId}`, `cid:${inlineContentId(info.uploadId)}`);
    }
  }
  return { ...draft, html, attachments };
}

/** Removes the uploads a sent draft named (its bytes went with the message). */
export function removeUploads(
  uploads: UploadStore,
  sessionKey: string,
  draft: TComposeDraft,
): void {
  for (const att of draft.attachments) {
    if ("uploadId" in att) void uploads.remove(sessionKey, att.uploadId);
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
