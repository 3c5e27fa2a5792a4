/** Test double for the offline queue's IndexedDB store: the same entries kept in a Map. */
import type { QueuedDraft, QueuedOp, QueueStore } from "./offline-queue";

/** A queue store holding `initial`, its Map open to the test as `map`. */
export function memoryQueueStore(
  initial: Array<[string, QueuedOp | QueuedDraft]> = [],
): QueueStore & { map: Map<string, QueuedOp | QueuedDraft> } {
  const map = new Map(initial);
  return {
    map,
    async all() {
      return [...map.entries()];
    },
    async put(key, op) {
      map.set(key, op);
    },
    async remove(key) {
      map.delete(key);
    },
  };
}
