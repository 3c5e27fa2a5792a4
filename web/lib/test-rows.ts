/**
 * Test data for the web's unit tests: a message row that is its UID and flags, and the header of
 * a plain-text message as `message.header` carries it, every other field fixed.
 */
import type { TMessageRef, TMessageRow } from "@ferry/protocol";

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

/** The fields of a `message.header` for `ref`: subject "Plans", one text/plain part, 10 bytes. */
export function plainHeader(ref: TMessageRef) {
  return {
    ref,
    envelope: { subject: "Plans", from: [], to: [], cc: [], date: null, messageId: null },
    flags: [],
    size: 10,
    structure: { part: "1", type: "text/plain", children: [] },
    attachments: [],
    bodyParts: [{ part: "1", type: "text/plain" }],
    references: [],
    listUnsubscribe: null,
  };
}
