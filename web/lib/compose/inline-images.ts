/**
 * Images shown in the composer's body: which pasted or dropped files go there (and are sent as
 * inline cid: parts) rather than to the attachment list, the upload an inline `cid:` names, and
 * the blob: URLs the editor shows them from, each revoked when the composer closes.
 */
import { inlineContentId } from "@ferry/protocol";

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
