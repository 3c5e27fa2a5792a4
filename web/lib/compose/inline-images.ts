/**
 * Images shown in the composer's body: which pasted or dropped files go there (and are sent as
 * inline cid: parts) rather than to the attachment list, the upload an inline `cid:` names, and
 * the blob: URLs the editor shows them from, each revoked when the composer closes; and the
 * bytes of each inline image uploaded in this page, by upload id, so that a draft that comes
 * back to the composer (Undo, a failed send, a draft kept on this device, which stores them with
 * it) shows its images again.
 */
import { inlineContentId, type TComposeAttachment } from "@ferry/protocol";

/** Images of these types are shown in the body; other files are attached. */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set([
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
]);

/** `files` split into images for the body and files for the attachment list. */
export function splitInlineImages(files: readonly File[]): { images: File[]; others: File[] } {
  const images: File[] = [];
  const others: File[] = [];
  for (const f of files) (INLINE_IMAGE_TYPES.has(f.type) ? images : others).push(f);
  return { images, others };
}

const SUFFIX = inlineContentId("");

/** The upload an image's `src` shows as an inline part (`cid:<uploadId>@…`), or null. */
export function inlineUploadId(src: string): string | null {
  if (!src.startsWith("cid:") || !src.endsWith(SUFFIX)) return null;
  const id = src.slice(4, -SUFFIX.length);
  return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : null;
}

/** What makes and frees blob: URLs (the browser's URL, or a fake in tests). */
export interface ObjectUrlApi {
  createObjectURL(blob: Blob): string;
  revokeObjectURL(url: string): void;
}

/** The blob: URLs one composer made; `revokeAll` frees them when it closes. */
export class ObjectUrls {
  readonly #api: ObjectUrlApi;
  readonly #urls = new Set<string>();
  #closed = false;

  constructor(api: ObjectUrlApi = URL) {
    this.#api = api;
  }

  /** A URL for `blob`, freed with the rest (at once if the composer already closed). */
  create(blob: Blob): string {
    const url = this.#api.createObjectURL(blob);
    if (this.#closed) this.#api.revokeObjectURL(url);
    else this.#urls.add(url);
    return url;
  }

  revokeAll(): void {
    this.#closed = true;
    for (const url of this.#urls) this.#api.revokeObjectURL(url);
    this.#urls.clear();
  }

  get size(): number {
    return this.#urls.size;
  }

  get closed(): boolean {
    return this.#closed;
  }
}

/** Inline images' bytes by upload id, for this page's life (bounded: the oldest go first). */
const imageBytes = new Map<string, { blob: Blob; url: string | null }>();
const IMAGES_REMEMBERED = 200;

/** The bytes of the inline image uploaded as `uploadId`. */
export function rememberInlineImage(uploadId: string, blob: Blob): void {
  if (imageBytes.has(uploadId)) return;
  imageBytes.set(uploadId, { blob, url: null });
  for (const [id, entry] of imageBytes) {
    if (imageBytes.size <= IMAGES_REMEMBERED) break;
    if (entry.url) URL.revokeObjectURL(entry.url);
    imageBytes.delete(id);
  }
}

/** The bytes of the inline images among `uploadIds` that this page knows. */
export function inlineImageBytes(uploadIds: readonly string[]): Record<string, Blob> {
  const out: Record<string, Blob> = {};
  for (const id of uploadIds) {
    const entry = imageBytes.get(id);
    if (entry) out[id] = entry.blob;
  }
  return out;
}

/** Where the editor can read each known inline image among `uploadIds` (upload id → blob: URL). */
export function inlineImageSources(uploadIds: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of uploadIds) {
    const entry = imageBytes.get(id);
    if (!entry) continue;
    entry.url ??= URL.createObjectURL(entry.blob);
    out[id] = entry.url;
  }
  return out;
}

/** The upload ids of a draft's inline images. */
export function inlineUploadIds(attachments: readonly TComposeAttachment[] | undefined): string[] {
  return (attachments ?? []).flatMap((a) =>
    "uploadId" in a && a.inline === true ? [a.uploadId] : [],
  );
}
