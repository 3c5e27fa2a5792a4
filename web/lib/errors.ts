/**
 * The web app's one error type. Whatever failed (a socket request, an HTTP API call, an
 * upload), it carries a code from the protocol's ErrorCode enum: the bridge's code, or one the
 * browser makes itself (`network`, `timeout`, `aborted`). What the user reads comes from the
 * catalog by that code, never from `message`.
 */
import type { TErrorCode } from "@ferry/protocol";

export interface FerryErrorDetails {
  /** The HTTP status of the answer that carried the error; 0 when there was none. */
  status?: number;
  /** For search_syntax: the 0-based character offset of the problem. */
  position?: number | undefined;
  /** For too_many_attempts: seconds until another try is accepted. */
  retryAfter?: number | undefined;
}

export class FerryError extends Error {
  override readonly name = "FerryError";
  readonly code: TErrorCode;
  readonly status: number;
  readonly position: number | undefined;
  readonly retryAfter: number | undefined;

  constructor(code: TErrorCode, message: string, details: FerryErrorDetails = {}) {
    super(message);
    this.code = code;
    this.status = details.status ?? 0;
    this.position = details.position;
    this.retryAfter = details.retryAfter;
  }
}
