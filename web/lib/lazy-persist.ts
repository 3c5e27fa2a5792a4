/**
 * The persisted cache's module (lib/persist.ts, with the list model and the protocol it brings)
 * as a chunk of its own: the start-up session check needs it only when a session ends, and the
 * mailbox, which imports it directly, has it loaded by then.
 */
import { chunk } from "./chunk";

const persistChunk = chunk(() => import("./persist"));

/** `clearPersisted` of lib/persist.ts, loading that module first if the mailbox has not. */
export async function clearPersisted(): Promise<void> {
  const persist = await persistChunk.preload();
  await persist.clearPersisted();
}
