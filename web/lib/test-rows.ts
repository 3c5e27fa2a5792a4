/**
 * Test data for the list's unit tests: a message row that is its UID and flags, every other
 * field fixed.
 */
import type { TMessageRow } from "@ferry/protocol";

/** A row with no date, sender or preview, subject `Subject <uid>`. */
export function plainRow(uid: number, flags: string[] = []): TMessageRow {
  return {
    uid,
    flags,
    date: null,
    subject: `Subject ${uid}`,
    from: [],
    to: [],
    size: 100,
    hasAttachments: false,
    preview: "",
    messageId: null,
  };
}
