/**
 * The reader's code chunk. The first paint of the list doesn't wait for it: it is fetched once
 * the list has painted and the page is idle, or sooner when the user reaches for a message
 * (hover, focus, a key) or opens one, with the sanitizer HTML mail needs; it renders without a
 * Suspense boundary (lib/chunk.ts).
 */
import { chunk } from "@/lib/chunk";

export const readerChunk = chunk(() => import("./reader"));

export function preloadReader(): void {
  void readerChunk.preload().catch(() => undefined);
  // The sanitizer too (lib/sanitize, DOMPurify), so that the first HTML message opened does not
  // wait for its code before its frame can be filled.
  void import("@/lib/sanitize").catch(() => undefined);
}
