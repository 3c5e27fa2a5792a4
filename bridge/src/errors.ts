/**
 * The bridge's one error type. Everything thrown towards a client is a BridgeError with a code
 * from the protocol's ErrorCode enum and a message safe to show: never raw IMAP/SMTP server text.
 */
import type { TErrorCode } from "@ferry/protocol";

export class BridgeError extends Error {
  override readonly name = "BridgeError";
  readonly code: TErrorCode;
  /** For search_syntax: 0-based offset in the query. */
  readonly position: number | undefined;

  constructor(
    code: TErrorCode,
    message: string,
    opts: { cause?: unknown; position?: number } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.position = opts.position;
  }
}

export function isBridgeError(err: unknown): err is BridgeError {
  return err instanceof BridgeError;
}

/** What to log of a failure: its code ("internal" when it is no BridgeError), never its text. */
export function errorCodeOf(err: unknown): TErrorCode {
  return isBridgeError(err) ? err.code : "internal";
}

/** The HTTP status each code is answered with on the HTTP API. */
export function httpStatusOf(code: TErrorCode): number {
  switch (code) {
    case "bad_request":
    case "search_syntax":
    case "malformed_message":
    case "folder_name_invalid":
      return 400;
    case "unauthorized":
    case "auth_failed":
    case "login_refused":
    case "host_unreachable":
    case "tls_failed":
      return 401;
    case "server_not_allowed":
    case "read_only":
    case "proxy_refused":
    case "folder_protected":
      return 403;
    case "mailbox_not_found":
    case "message_not_found":
      return 404;
    case "uidvalidity_changed":
    case "folder_exists":
      return 409;
    case "frame_too_large":
    case "too_large":
      return 413;
    case "too_many_attempts":
    case "too_many_sessions":
    case "rate_limited":
      return 429;
    case "unsupported_version":
      return 400;
    case "server_refused":
    case "connection_lost":
    case "recipient_refused":
    case "smtp_unavailable":
    case "smtp_auth_failed":
      return 502;
    case "smtp_not_configured":
    case "store_unavailable":
      return 503;
    case "already_sent":
      return 409;
    case "sieve_unavailable":
    case "script_rejected":
      return 502;
    case "internal":
      return 500;
    // The browser's own codes: the bridge never answers with them. These are the statuses a
    // proxy in front of it would give for the same situation.
    case "network":
      return 503;
    case "timeout":
      return 504;
    case "aborted":
      return 499; // nginx's "client closed request"
  }
}
