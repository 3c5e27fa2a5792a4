/**
 * The frames of the socket itself: the bridge's hello (and the version part of it any client can
 * read), ping and pong, the plain `ok` and `error` replies, and the IMAP connection's state event.
 */
import { z } from "zod";
import { ErrorCode } from "./errors";
import { ZConnectionState } from "./model";

const ZId = z.string().min(1).max(64);

// ---------------------------------------------------------------------------------------------
// Client → bridge requests
// ---------------------------------------------------------------------------------------------

export const ZPing = z.object({ type: z.literal("ping"), id: ZId });

// ---------------------------------------------------------------------------------------------
// Bridge → client: replies (carry the request id) and events (no id)
// ---------------------------------------------------------------------------------------------

/**
 * The part of the hello that no protocol version changes, so that a client of any version can
 * tell which version the bridge speaks (`helloVersionOf`).
 */
export const ZHelloVersion = z.object({
  type: z.literal("hello"),
  /** The protocol version the bridge speaks (PROTOCOL_VERSION of its build). */
  version: z.number().int().positive(),
});

/**
 * First frame on every socket. A client that speaks another `version` stops using the socket
 * (the bridge closes it with `CloseCode.versionMismatch` when the client named its version).
 */
export const ZHello = ZHelloVersion.extend({
  email: z.string(),
  /** Milliseconds between the bridge's heartbeats; the client may treat 2× silence as dead. */
  heartbeatMs: z.number().int().positive(),
});
export type THello = z.infer<typeof ZHello>;

export const ZPong = z.object({ type: z.literal("pong"), id: ZId });

/** A request that needs no data back succeeded. */
export const ZOk = z.object({ type: z.literal("ok"), id: ZId });

export const ZError = z.object({
  type: z.literal("error"),
  id: ZId.optional(),
  code: ErrorCode,
  message: z.string(),
  /** For search_syntax: 0-based offset in the query. */
  position: z.number().int().nonnegative().optional(),
});
export type TError = z.infer<typeof ZError>;

// Pushed events --------------------------------------------------------------------------------

export const ZStateEvent = z.object({ type: z.literal("state"), imap: ZConnectionState });
