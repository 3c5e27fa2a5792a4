/**
 * Size limits the composer enforces before anything is uploaded or sent. They mirror the
 * bridge's defaults (FERRY_UPLOAD_MAX_MB = 25, FERRY_MESSAGE_MAX_MB = 35, both in MiB); the
 * bridge checks again and answers `too_large`, which the composer reports the same way.
 */
import { MAX_ATTACHMENTS, MAX_CLIENT_FRAME_BYTES } from "@ferry/protocol";

const MIB = 1024 * 1024;

/** Largest single attachment. */
export const MAX_FILE_BYTES = 25 * MIB;
/** All attachments of one message together. */
export const MAX_MESSAGE_BYTES = 35 * MIB;
/** Attachments of one message. */
export const MAX_FILES = MAX_ATTACHMENTS;
/**
 * Largest compose frame (draft.save, compose.send) the bridge reads; the id and the envelope
 * of the frame need a little room.
 */
export const MAX_FRAME_BYTES = MAX_CLIENT_FRAME_BYTES - 512;

/**
 * A size the way the limits are counted (1 MB = 1024 × 1024 bytes, as the bridge counts), so a
 * file shown as "25 MB" is one the 25 MB limit accepts.
 */
export function formatBinarySize(bytes: number, locale?: string): string {
  const [value, unit] =
    bytes >= MIB
      ? [bytes / MIB, "megabyte"]
      : bytes >= 1024
        ? [bytes / 1024, "kilobyte"]
        : [bytes, "byte"];
  return new Intl.NumberFormat(locale, {
    style: "unit",
    unit,
    unitDisplay: unit === "byte" ? "long" : "short",
    maximumFractionDigits: unit === "byte" || value >= 10 ? 0 : 1,
  }).format(value);
}
