/**
 * The socket's life outside its frames: the URL it is opened at, the protocol version the
 * client names there, and the close codes either side uses and what the other side does then.
 *
 * Version handshake: the client opens `/ws?v=<PROTOCOL_VERSION>`; the bridge answers with its
 * `hello` (which names the bridge's version) in any case, and when the versions differ it then
 * closes the socket with `CloseCode.versionMismatch`. A client that gets that close, or a hello
 * of another version, stops using the socket: the page is out of date and reloads.
 */

/** Path of the WebSocket endpoint, on the same origin as the web app. */
export const SOCKET_PATH = "/ws";
/** Query parameter of the socket URL naming the protocol version the client speaks. */
export const SOCKET_VERSION_PARAM = "v";
/** The version of a client that names none: the clients from before the parameter existed. */
const UNNAMED_CLIENT_VERSION = 1;

/** The socket URL's path and query for a client speaking `version`. */
export function socketPath(version: number): string {
  return `${SOCKET_PATH}?${SOCKET_VERSION_PARAM}=${version}`;
}

/**
 * The protocol version a client named in the socket URL's query, or null when what it named is
 * not a version.
 */
export function clientVersionOf(query: URLSearchParams): number | null {
  const named = query.get(SOCKET_VERSION_PARAM);
  if (named === null) return UNNAMED_CLIENT_VERSION;
  return /^[1-9]\d{0,5}$/.test(named) ? Number(named) : null;
}

/** Every close code of the socket, with who uses it and what the other side does. */
export const CloseCode = {
  /** Bridge: shutting down or restarting. The client reconnects with back-off. */
  goingAway: 1001,
  /**
   * Bridge: too many sockets for one session, or sustained abuse of the rate cap. The client
   * reconnects with back-off.
   */
  policyViolation: 1008,
  /** Bridge (`ws` itself): a frame past the hard size cap. The client reconnects. */
  messageTooBig: 1009,
  /** Client: the socket was silent for two heartbeats; it opens a new one. */
  dead: 4000,
  /** Bridge: the session is gone (signed out elsewhere, expired). The client signs out. */
  signedOut: 4001,
  /**
   * Bridge or client: the two speak different protocol versions (the bridge was updated, or the
   * page is newer than the bridge). The page tells the user and reloads once.
   */
  versionMismatch: 4002,
  /**
   * Bridge: the client did not read what it was sent (its unsent output passed the bridge's
   * cap, e.g. a frozen tab). The client reconnects with back-off.
   */
  notReading: 4003,
} as const;
export type TCloseCode = (typeof CloseCode)[keyof typeof CloseCode];
