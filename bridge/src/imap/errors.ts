/**
 * What an imapflow failure means to the user: the one place that reads imapflow's error shapes
 * (its `code`, `responseStatus`, `serverResponseCode`, `authenticationFailed`, `tlsFailed`,
 * `mailboxMissing`, the wrapped `_err`/`cause`) and turns them into a BridgeError with a code
 * from the protocol's enum and a message of our own, never the server's text.
 *
 * Two moments read the same shapes differently:
 * - connecting and logging in (connectError): a dropped or refused socket means the server
 *   could not be reached (host_unreachable), a certificate problem is tls_failed;
 * - a command on a connection that was working (commandError, reconnectError): a dropped socket
 *   means the connection was lost (connection_lost), a NO or BAD means the server refused.
 */
import { BridgeError, isBridgeError } from "../errors";

/** The fields of an imapflow (or Node) error this module reads; all of them optional. */
interface ImapErrorLike {
  code?: unknown;
  message?: unknown;
  responseStatus?: unknown;
  serverResponseCode?: unknown;
  authenticationFailed?: unknown;
  tlsFailed?: unknown;
  mailboxMissing?: unknown;
  _err?: unknown;
  cause?: unknown;
}

function fields(err: unknown): ImapErrorLike {
  return typeof err === "object" && err !== null ? (err as ImapErrorLike) : {};
}

function codeOf(e: ImapErrorLike): string {
  return typeof e.code === "string" ? e.code : "";
}

/**
 * imapflow and Node codes of a connection that is gone, as opposed to a command the server
 * refused: imapflow's own (a closed or logged-out client, a socket closed under a command), a
 * reset or broken socket, and the timeouts of the socket and of connecting.
 */
const CONNECTION_GONE_CODES: ReadonlySet<string> = new Set([
  "NoConnection",
  "EConnectionClosed",
  "StateLogout",
  "ClosedAfterConnectText",
  "ClosedAfterConnectTLS",
  "ECONNRESET",
  "EPIPE",
  "ETIMEOUT",
  "CONNECT_TIMEOUT",
  "SocketTimeout",
]);

/**
 * imapflow's codes for a response over one of the parser limits (imap/connect.ts IMAP_LIMITS):
 * the connection is closed for it, so the command's connection is lost.
 */
const OVER_LIMIT_CODES: ReadonlySet<string> = new Set([
  "LiteralTooLarge",
  "LineTooLarge",
  "ResponseTooLarge",
  "TooManyTokens",
]);

/** Node, OpenSSL and imapflow codes of a TLS handshake or STARTTLS upgrade that failed. */
const TLS_CODES: ReadonlySet<string> = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "HOSTNAME_MISMATCH",
  "STARTTLS_INJECTION",
  "ClosedAfterConnectTLS",
  "UPGRADE_TIMEOUT",
]);

/** Response codes of a refused LOGIN that mean "right credentials, but not now / not here". */
const LOGIN_REFUSAL_CODES: ReadonlySet<string> = new Set([
  "UNAVAILABLE",
  "PRIVACYREQUIRED",
  "CONTACTADMIN",
  "EXPIRED",
  "LIMIT",
  "INUSE",
  "ALERT",
]);

/** The error and the errors it wraps (imapflow's `_err`, standard `cause`), outermost first. */
function chain(err: unknown): ImapErrorLike[] {
  const out: ImapErrorLike[] = [];
  let cur: unknown = err;
  while (typeof cur === "object" && cur !== null && out.length < 5) {
    const e = cur as ImapErrorLike;
    out.push(e);
    cur = e._err ?? e.cause;
  }
  return out;
}

/** The connection this error came from is gone (closed, reset, timed out), not just refused. */
export function isConnectionGone(err: unknown): boolean {
  return CONNECTION_GONE_CODES.has(codeOf(fields(err)));
}

/** imapflow refused a server response over one of the parser limits. */
export function isOverLimit(err: unknown): boolean {
  return OVER_LIMIT_CODES.has(codeOf(fields(err)));
}

/**
 * The server refused these credentials: imapflow's AuthenticationFailure (a failed LOGIN or
 * AUTHENTICATE), or the auth_failed / login_refused a connect factory made of it. Retrying
 * cannot help.
 */
export function isLoginFailure(err: unknown): boolean {
  if (isBridgeError(err)) return err.code === "auth_failed" || err.code === "login_refused";
  return fields(err).authenticationFailed === true;
}

/** The mailbox a command named does not exist (SELECT of a missing folder, NONEXISTENT, TRYCREATE). */
export function isMailboxMissing(err: unknown): boolean {
  const e = fields(err);
  const responseCode =
    typeof e.serverResponseCode === "string" ? e.serverResponseCode.toUpperCase() : "";
  return (
    e.mailboxMissing === true || responseCode === "NONEXISTENT" || responseCode === "TRYCREATE"
  );
}

/** connection_lost, for a connection that dropped or was closed under a request. */
export function connectionLost(cause?: unknown): BridgeError {
  return new BridgeError(
    "connection_lost",
    "The connection to the mail server was lost.",
    cause === undefined ? {} : { cause },
  );
}

/**
 * connection_lost for a command the bridge gave up on and whose connection it closed: the
 * server sent more than a limit allows or stopped answering (imap/connect.ts's watchdog).
 */
export function commandAbandoned(cause: unknown): BridgeError {
  return new BridgeError(
    "connection_lost",
    "The mail server sent too much or stopped answering; the connection was closed.",
    { cause },
  );
}

/**
 * What a failed IMAP command means to the user. `refused` is the message for a NO/BAD answer,
 * so the user learns what failed without the server's words. A BridgeError passes unchanged;
 * anything not from imapflow is internal.
 */
export function commandError(
  err: unknown,
  refused = "The mail server refused the request.",
): BridgeError {
  if (isBridgeError(err)) return err;
  const e = fields(err);
  const code = codeOf(e);
  if (isMailboxMissing(err)) {
    return new BridgeError("mailbox_not_found", "This folder does not exist.", { cause: err });
  }
  if (code === "InvalidStringValue") {
    // imapflow refuses, before sending, a value an IMAP string cannot carry (CR, LF, NUL), e.g. a
    // folder name or a quoted search term from a client: the request is bad, the connection fine.
    return new BridgeError(
      "bad_request",
      "The request holds a line break or NUL character, which the mail server cannot take.",
      { cause: err },
    );
  }
  if (CONNECTION_GONE_CODES.has(code)) return connectionLost(err);
  if (OVER_LIMIT_CODES.has(code)) return commandAbandoned(err);
  if (e.responseStatus === "NO" || e.responseStatus === "BAD") {
    const responseCode =
      typeof e.serverResponseCode === "string" ? e.serverResponseCode.toUpperCase() : "";
    if (responseCode === "READ-ONLY" || responseCode === "NOPERM") {
      return new BridgeError("read_only", "This folder cannot be changed.", { cause: err });
    }
    return new BridgeError("server_refused", refused, { cause: err });
  }
  return new BridgeError("internal", "Something went wrong while talking to the mail server.", {
    cause: err,
  });
}

/** auth_failed or login_refused for a refused login, by the response code the server gave. */
function loginError(e: ImapErrorLike, cause: unknown): BridgeError {
  const response = typeof e.serverResponseCode === "string" ? e.serverResponseCode : "";
  const refused =
    LOGIN_REFUSAL_CODES.has(response.toUpperCase()) ||
    (response === "" && e.message === "Login is disabled");
  return refused
    ? new BridgeError("login_refused", "The mail server refused the sign-in.", { cause })
    : new BridgeError("auth_failed", "Wrong email address or password.", { cause });
}

/**
 * What a failure to connect and log in means to the user: auth_failed | login_refused |
 * tls_failed | host_unreachable (a BridgeError, e.g. the watchdog's, passes unchanged). With
 * `userNamed` (the user typed the server's address) every failure other than a refused login is
 * one host_unreachable, so the answers do not tell a closed port from a TLS failure from
 * something that is not IMAP (no port scanning through the bridge).
 */
export function connectError(err: unknown, opts: { userNamed?: boolean } = {}): BridgeError {
  const detailed = connectErrorDetailed(err);
  if (opts.userNamed !== true) return detailed;
  if (detailed.code !== "host_unreachable" && detailed.code !== "tls_failed") return detailed;
  return new BridgeError("host_unreachable", "Could not reach a mail server at that address.", {
    cause: err,
  });
}

/** The code of a connect failure as the administrator would want it (pinned servers, logs). */
function connectErrorDetailed(err: unknown): BridgeError {
  if (isBridgeError(err)) return err;
  for (const e of chain(err)) {
    if (e.authenticationFailed === true) return loginError(e, err);
    const code = codeOf(e);
    if (
      e.tlsFailed === true ||
      TLS_CODES.has(code) ||
      code.startsWith("CERT_") ||
      code.startsWith("ERR_SSL_") ||
      code.startsWith("ERR_TLS_")
    ) {
      return new BridgeError(
        "tls_failed",
        "A secure connection to the mail server could not be established.",
        { cause: err },
      );
    }
  }
  // Refused, reset, no such host, timed out, closed before the greeting, not IMAP at all.
  return new BridgeError("host_unreachable", "The mail server could not be reached.", {
    cause: err,
  });
}

/**
 * What a failure to open another connection for a session that is signed in means: a refused
 * login (the password changed meanwhile) is auth_failed or login_refused, anything else means
 * the mail server is out of reach for now (connection_lost). A BridgeError passes unchanged.
 */
export function reconnectError(err: unknown): BridgeError {
  if (isBridgeError(err)) return err;
  if (isLoginFailure(err)) return loginError(fields(err), err);
  return connectionLost(err);
}

/** The detailed code behind a failure, for logs: the imapflow or Node code it carries. */
export function failureDetail(err: unknown): string | undefined {
  for (const e of chain(err)) {
    const code = codeOf(e);
    if (code !== "") return code;
  }
  return undefined;
}
