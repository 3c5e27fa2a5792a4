/**
 * Every error code Ferry sends, over HTTP and over the socket, and the few the browser makes
 * itself (the last ones: the bridge never sends them). The browser maps each code to a message
 * from its catalog; raw IMAP/SMTP server text never reaches the browser.
 */
import { z } from "zod";

export const ErrorCode = z.enum([
  /** The frame or request body is not valid JSON or does not match its schema. */
  "bad_request",
  /** A socket frame exceeded the size cap. */
  "frame_too_large",
  /** Too many frames in a short time on this socket. */
  "rate_limited",
  /** The client speaks a protocol version the bridge does not. */
  "unsupported_version",
  /** No valid session: sign in again. */
  "unauthorized",
  /** The server rejected the email address or password. */
  "auth_failed",
  /** The server refused the login for another reason (disabled account, login not allowed). */
  "login_refused",
  /** The IMAP or SMTP host could not be reached (DNS, refused, timed out). */
  "host_unreachable",
  /** The TLS handshake failed: untrusted or mismatched certificate, or no STARTTLS offered. */
  "tls_failed",
  /** The named server is not allowed here (pinned server, private address, plain IMAP). */
  "server_not_allowed",
  /** Too many failed sign-ins; wait before trying again. */
  "too_many_attempts",
  /** Too many sessions at once for this account or from this client address: sign out elsewhere. */
  "too_many_sessions",
  "mailbox_not_found",
  "message_not_found",
  /** The mailbox's UIDVALIDITY changed: everything cached for it must be dropped. */
  "uidvalidity_changed",
  /** The mailbox is open read-only or the server does not allow the change. */
  "read_only",
  /** A search query could not be parsed; the message says where. */
  "search_syntax",
  /** The mail server refused a command. */
  "server_refused",
  /** The connection to the mail server dropped and could not be restored in time. */
  "connection_lost",
  /** The message could not be parsed or the part does not exist. */
  "malformed_message",
  /** An upload or message exceeded a size limit. */
  "too_large",
  /** Remote content could not be fetched through the proxy. */
  "proxy_refused",
  /** The SMTP server refused one or more recipients; nothing was sent. */
  "recipient_refused",
  /** The SMTP server could not be reached (refused, timed out, dropped); nothing was sent. */
  "smtp_unavailable",
  /** The SMTP server did not accept the sign-in credentials for sending. */
  "smtp_auth_failed",
  /** No SMTP server is configured for this account (none pinned, none named at sign-in). */
  "smtp_not_configured",
  /** Undo came too late: the message is being sent or was sent. */
  "already_sent",
  /**
   * Rules are off here, or the ManageSieve server could not be reached, refused STARTTLS or its
   * certificate, or the sign-in: nothing was changed.
   */
  "sieve_unavailable",
  /** The ManageSieve server rejected the generated script; the message holds its reason. */
  "script_rejected",
  /** A folder name that cannot be used (empty, too long, a control character, the delimiter). */
  "folder_name_invalid",
  /** A folder of that name already exists there. */
  "folder_exists",
  /** Inbox and the special-use folders (Sent, Drafts, Trash, Junk, Archive) are kept as they are. */
  "folder_protected",
  /**
   * The bridge's state store (Redis) cannot be reached right now: nothing was changed and
   * nothing held is lost; try again in a moment. The session is still signed in.
   */
  "store_unavailable",
  "internal",
  // Made by the browser itself, never sent by the bridge:
  /** The browser could not reach the bridge at all (offline, bridge down, upload cut off). */
  "network",
  /** No answer from the bridge in time; the request may still have been carried out. */
  "timeout",
  /** The user cancelled the request (e.g. removed an attachment while it was uploading). */
  "aborted",
]);
export type TErrorCode = z.infer<typeof ErrorCode>;

/** The JSON body of every failed HTTP API response. */
export const ZHttpError = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    /** For search_syntax: the 0-based character offset of the problem. */
    position: z.number().int().nonnegative().optional(),
    /** For too_many_attempts: seconds until another try is accepted. */
    retryAfter: z.number().int().nonnegative().optional(),
  }),
});
export type THttpError = z.infer<typeof ZHttpError>;
