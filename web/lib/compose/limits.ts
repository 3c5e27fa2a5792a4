/**
 * Size limits the composer enforces before anything is uploaded or sent: the bridge's
 * (`uploadMaxBytes` and `messageMaxBytes` in /api/config, from FERRY_UPLOAD_MAX_MB and
 * FERRY_MESSAGE_MAX_MB), with its defaults (25 and 35 MiB) until that answers or from a bridge
 * too old to say. The bridge checks again and answers `too_large`, which the composer reports
 * the same way.
 */
import { MAX_ATTACHMENTS, MAX_CLIENT_FRAME_BYTES, type TPublicConfig } from "@ferry/protocol";

const MIB = 1024 * 1024;

export interface UploadLimits {
  /** Largest single attachment, in bytes. */
  file: number;
  /** All attachments of one message together, in bytes. */
  message: number;
}

/** The bridge's defaults, used until /api/config says otherwise. */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { file: 25 * MIB, message: 35 * MIB };

let limits: UploadLimits = DEFAULT_UPLOAD_LIMITS;
const listeners = new Set<() => void>();

/** The limits in force now. */
export function uploadLimits(): UploadLimits {
  return limits;
}

/** Takes the limits a bridge published (absent fields keep the defaults). */
export function applyUploadLimits(
  config: Pick<TPublicConfig, "uploadMaxBytes" | "messageMaxBytes">,
): void {
  const next = {
    file: config.uploadMaxBytes ?? DEFAULT_UPLOAD_LIMITS.file,
    message: config.messageMaxBytes ?? DEFAULT_UPLOAD_LIMITS.message,
  };
  if (next.file === limits.file && next.message === limits.message) return;
  limits = next;
  for (const l of listeners) l();
}

/** Calls `listener` whenever the limits change. */
export function subscribeUploadLimits(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

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
