/**
 * What the composer says when something stands in the way: a send that failed (per error
 * code, refused recipients named), what blocks Send, files refused before uploading.
 */
import type { TErrorCode } from "@ferry/protocol";
import { reasonOf } from "../actions";
import { FerryError } from "../errors";
import { formatList, t } from "../i18n";
import type { ComposeProblem, FileRefusal, SendBlocker } from "./draft";
import { formatBinarySize, MAX_FILES, uploadLimits } from "./limits";

/** Why a queued message came back (compose.failed), or a send the bridge refused at once. */
export function problemText(p: ComposeProblem): string {
  switch (p.code) {
    case "recipient_refused":
      return p.rejected.length > 0
        ? t("compose.problem.recipient_refused", {
            addresses: formatList(p.rejected),
            count: p.rejected.length,
          })
        : t("compose.problem.recipient_refused.unnamed");
    case "too_large":
      return t("compose.problem.too_large", { limit: formatBinarySize(uploadLimits().message) });
    case "smtp_unavailable":
      return t("compose.problem.smtp_unavailable");
    case "smtp_auth_failed":
      return t("compose.problem.smtp_auth_failed");
    case "smtp_not_configured":
      return t("compose.problem.smtp_not_configured");
    case "frame_too_large":
      return t("compose.problem.frame_too_large");
    case "bad_request":
      return p.detail
        ? t("compose.problem.bad_request", { detail: p.detail })
        : t("compose.problem.other", { reason: t("error.bad_request") });
    default:
      return t("compose.problem.other", {
        reason: reasonOf(new FerryError(p.code as TErrorCode, "")),
      });
  }
}

/** A send request the bridge answered with an error (nothing was queued). */
export function sendErrorProblem(err: unknown): ComposeProblem {
  if (err instanceof FerryError) {
    return {
      code: err.code,
      rejected: [],
      detail: err.code === "bad_request" ? err.message : null,
    };
  }
  return { code: "internal", rejected: [], detail: null };
}

export function blockerText(b: SendBlocker): string {
  switch (b.kind) {
    case "invalidRecipients":
      return t("compose.block.invalid", {
        addresses: formatList(b.addresses),
        count: b.addresses.length,
      });
    case "noRecipients":
      return t("compose.block.noRecipients");
    case "subjectLineBreak":
      return t("compose.block.subjectLineBreak");
    case "uploading":
      return t("compose.block.uploading");
    case "failedUploads":
      return t("compose.block.failedUploads", {
        names: formatList(b.names),
        count: b.names.length,
      });
    case "tooLarge":
      return t("compose.block.tooLarge", {
        size: formatBinarySize(b.total),
        limit: formatBinarySize(uploadLimits().message),
      });
  }
}

export function refusalText(name: string, r: FileRefusal): string {
  switch (r.kind) {
    case "fileTooLarge":
      return t("compose.file.tooLarge", { name, limit: formatBinarySize(uploadLimits().file) });
    case "messageTooLarge":
      return t("compose.file.messageTooLarge", {
        name,
        limit: formatBinarySize(uploadLimits().message),
      });
    case "tooManyFiles":
      return t("compose.file.tooMany", { name, count: MAX_FILES });
  }
}

/** Why an upload failed, for the attachment's row. */
export function uploadErrorText(err: unknown): string {
  if (err instanceof FerryError) {
    if (err.code === "too_large") {
      return t("compose.upload.tooLarge", { limit: formatBinarySize(uploadLimits().file) });
    }
    if (err.code === "network") return t("compose.upload.network");
    if (err.code === "aborted") return t("compose.upload.aborted");
  }
  return t("compose.upload.failed", { reason: reasonOf(err) });
}
