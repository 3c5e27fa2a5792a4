/**
 * Opening an IMAP connection for a user: a new, connected, logged-in ImapFlow with TLS verified
 * (plus an optional extra CA), STARTTLS required when chosen, and every failure classified into
 * one of the protocol's error codes. No server text ever reaches the error message.
 */
import { ImapFlow, type ImapFlowOptions } from "imapflow";
import { BridgeError } from "../errors";
import { imapLogger, type Logger } from "../log";
import { trustContext } from "../net/trust";

export interface ImapTarget {
  host: string;
  port: number;
  security: "tls" | "starttls";
}

export interface ImapCredentials {
  user: string;
  password: string;
}

/** imapflow options a caller (the live session) may choose; never the TLS or auth ones. */
export type ImapClientOptions = Pick<
  ImapFlowOptions,
  "disableAutoIdle" | "qresync" | "maxIdleTime" | "socketTimeout" | "disableCompression" | "id"
>;

export interface ConnectOptions {
  /** Extra PEM CA to trust besides the system store. */
  ca?: string | undefined;
  /** Budget for TCP + TLS handshake (default 15 s); the greeting gets the same again. */
  connectTimeoutMs?: number;
  /**
   * Connect to this resolved IP address instead of resolving `target.host` again (so a checked
   * address cannot be swapped by DNS rebinding). The certificate is still verified for the host.
   */
  address?: string | undefined;
  /** Where imapflow's connection-level messages go (at debug); omitted = imapflow logging off. */
  log?: Logger | undefined;
  client?: ImapClientOptions;
}

const TLS_CODES = new Set([
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

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "EAI_NODATA",
  "EAI_NONAME",
  "ETIMEDOUT",
  "ETIMEOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "EPIPE",
  "EADDRNOTAVAIL",
  "CONNECT_TIMEOUT",
  "GREETING_TIMEOUT",
  "NoConnection",
  "EConnectionClosed",
  "ClosedAfterConnectText",
]);

/** Response codes of a refused LOGIN that mean "right credentials, but not now / not here". */
const REFUSAL_CODES = new Set([
  "UNAVAILABLE",
  "PRIVACYREQUIRED",
  "CONTACTADMIN",
  "EXPIRED",
  "LIMIT",
  "INUSE",
  "ALERT",
]);

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  authenticationFailed?: unknown;
  tlsFailed?: unknown;
  serverResponseCode?: unknown;
  _err?: unknown;
  cause?: unknown;
}

/** The error and the errors it wraps (imapflow's `_err`, standard `cause`), outermost first. */
function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let cur: unknown = err;
  while (typeof cur === "object" && cur !== null && out.length < 5) {
    const e = cur as ErrorLike;
    out.push(e);
    cur = e._err ?? e.cause;
  }
  return out;
}

/**
 * Maps an error from connecting or logging in to the BridgeError the user sees. Exported for
 * the live session, which reconnects with the same rules.
 */
export function classifyImapError(err: unknown): BridgeError {
  if (err instanceof BridgeError) return err;
  const errors = chain(err);
  for (const e of errors) {
    const code = typeof e.code === "string" ? e.code : "";
    if (e.authenticationFailed === true) {
      const response = typeof e.serverResponseCode === "string" ? e.serverResponseCode : "";
      const refused =
        REFUSAL_CODES.has(response.toUpperCase()) ||
        (response === "" && e.message === "Login is disabled");
      return refused
        ? new BridgeError("login_refused", "The mail server refused the sign-in.", { cause: err })
        : new BridgeError("auth_failed", "Wrong email address or password.", { cause: err });
    }
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
  for (const e of errors) {
    const code = typeof e.code === "string" ? e.code : "";
    if (UNREACHABLE_CODES.has(code)) {
      return new BridgeError("host_unreachable", "The mail server could not be reached.", {
        cause: err,
      });
    }
  }
  return new BridgeError("host_unreachable", "The mail server could not be reached.", {
    cause: err,
  });
}

/**
 * A new, connected, logged-in ImapFlow. Its error listener is attached before connect(); TLS
 * is verified (with `opts.ca` added to the trusted roots); STARTTLS is required when chosen.
 * Throws BridgeError auth_failed | login_refused | host_unreachable | tls_failed.
 */
export async function connectImap(
  target: ImapTarget,
  creds: ImapCredentials,
  opts: ConnectOptions = {},
): Promise<ImapFlow> {
  const timeout = opts.connectTimeoutMs ?? 15_000;
  const tls: NonNullable<ImapFlowOptions["tls"]> = { minVersion: "TLSv1.2" };
  if (opts.ca !== undefined) tls.secureContext = trustContext(opts.ca);
  const viaAddress = opts.address !== undefined && opts.address !== target.host;
  const client = new ImapFlow({
    ...opts.client,
    host: viaAddress ? (opts.address as string) : target.host,
    ...(viaAddress ? { servername: target.host } : {}),
    port: target.port,
    secure: target.security === "tls",
    ...(target.security === "starttls" ? { doSTARTTLS: true } : {}),
    auth: { user: creds.user, pass: creds.password },
    tls,
    logger: opts.log ? imapLogger(opts.log) : false,
    clientInfo: { name: "Ferry" },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
  });
  client.on("error", (err: unknown) => {
    opts.log?.debug({ err: { code: (err as { code?: unknown }).code } }, "imap client error");
  });
  try {
    await client.connect();
  } catch (err) {
    client.close();
    throw classifyImapError(err);
  }
  return client;
}
