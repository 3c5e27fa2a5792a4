/**
 * English catalog (put together in en.ts): what the user sees for each error
 * code (socket and HTTP).
 */
import type { Message } from "../en";

const errors = {
  // Errors by code (socket and HTTP)
  "error.bad_request": "the request was not understood",
  "error.frame_too_large": "the request was too large",
  "error.rate_limited": "too many requests; slow down a little",
  "error.unsupported_version": "this page is out of date; reload it",
  "error.unauthorized": "you are signed out",
  "error.auth_failed": "wrong email address or password",
  "error.login_refused": "the mail server refused the sign-in",
  "error.host_unreachable": "the mail server could not be reached",
  "error.tls_failed": "the mail server's certificate could not be verified",
  "error.server_not_allowed": "that server is not allowed",
  "error.too_many_attempts": "too many tries",
  "error.too_many_sessions": "too many sessions are signed in; sign out of one first",
  "error.mailbox_not_found": "the folder no longer exists",
  "error.message_not_found": "the message no longer exists",
  "error.uidvalidity_changed": "the folder changed on the server",
  "error.read_only": "this folder is read-only",
  "error.search_syntax": "the search could not be read",
  "error.server_refused": "the mail server refused",
  "error.connection_lost": "the connection was lost",
  "error.malformed_message": "the message is damaged",
  "error.too_large": "it is too large",
  "error.proxy_refused": "remote content could not be loaded",
  "error.recipient_refused": "the mail server refused a recipient",
  "error.smtp_unavailable": "the outgoing mail server could not be reached",
  "error.smtp_auth_failed": "the outgoing mail server refused the sign-in",
  "error.smtp_not_configured": "no outgoing mail server is set up",
  "error.already_sent": "it was already sent",
  "error.sieve_unavailable": "the server's filters could not be reached",
  "error.script_rejected": "the mail server did not accept these rules",
  "error.folder_name_invalid": "that folder name cannot be used",
  "error.folder_exists": "a folder of that name already exists there",
  "error.folder_protected": "this folder cannot be renamed or deleted",
  "error.store_unavailable":
    "Ferry's server cannot reach its storage right now; nothing is lost, try again in a moment",
  "error.internal": "something went wrong on the server",
  "error.network": "there is no connection to Ferry's server; try again when connected",
  "error.timeout": "the server took too long to answer",
  "error.aborted": "it was cancelled",
} as const satisfies Record<string, Message>;

export default errors;
