/**
 * The reader's code chunk. The first paint of the list doesn't wait for it: it is fetched once
 * the list has painted and the page is idle, or sooner when the user reaches for a message
 * (hover, focus, a key) or opens one; it renders without a Suspense boundary (lib/chunk.ts).
 */
import { chunk } from "@/lib/chunk";

export const readerChunk = chunk(() => import("./reader"));

export function preloadReader(): void {
  void readerChunk.preload().catch(() => undefined);
}
