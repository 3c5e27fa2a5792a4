/**
 * The browser socket's public types (its status, the requests it sends and their replies, the
 * handlers of a streamed message) and options, the bridge's socket URL for this page, and the
 * back-off delay between reconnects.
 * lib/socket.ts re-exports them.
 */
import {
  PROTOCOL_VERSION,
  socketPath,
  type TMessageBody,
  type TMessageHeader,
  type TPushedEvent,
  type TReplyFrameOf,
  type TSingleReplyRequestType,
} from "@ferry/protocol";

/** Where the browser's link to the bridge stands. */
export type SocketStatus =
  | "idle"
  | "connecting"
  | "online"
  | "reconnecting"
  | "offline"
  | "signedOut"
  /** The bridge speaks another protocol version: this page is out of date (or too new). */
  | "outdated";

/** Requests `request()` sends: every one answered by a single frame (`openMessage` streams). */
export type RequestType = TSingleReplyRequestType;
export type ReplyOf<K extends RequestType> = TReplyFrameOf<K>;
/** Pushed frames: no id, not a reply. */
export type PushedEvent = TPushedEvent;

export interface MessageStreamHandlers {
  onHeader(frame: TMessageHeader): void;
  onBody(frame: TMessageBody): void;
}

export interface SocketOptions {
  url?: () => string;
  WebSocketImpl?: typeof WebSocket;
  random?: () => number;
  /** Asked when a socket closes before its hello: is the session still valid? */
  checkSession?: () => Promise<boolean>;
  requestTimeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export type ResolvedSocketOptions = Required<Omit<SocketOptions, "checkSession">> & {
  checkSession: (() => Promise<boolean>) | undefined;
};

/** The options with their defaults: 20 s per request, back-off from 0.5 s up to 30 s. */
export function withDefaults(opts: SocketOptions): ResolvedSocketOptions {
  return {
    url: opts.url ?? defaultSocketUrl,
    WebSocketImpl: opts.WebSocketImpl ?? globalThis.WebSocket,
    random: opts.random ?? Math.random,
    checkSession: opts.checkSession,
    requestTimeoutMs: opts.requestTimeoutMs ?? 20_000,
    minBackoffMs: opts.minBackoffMs ?? 500,
    maxBackoffMs: opts.maxBackoffMs ?? 30_000,
  };
}

/** The delay before reconnect attempt `attempt` (0-based): exponential, capped, with jitter. */
export function backoffDelay(
  attempt: number,
  min: number,
  max: number,
  random: () => number,
): number {
  const base = Math.min(max, min * 2 ** Math.min(attempt, 20));
  return Math.round(base / 2 + (random() * base) / 2);
}

/** This page's socket URL: the same host, ws or wss as the page, this build's protocol version. */
export function defaultSocketUrl(): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}${socketPath(PROTOCOL_VERSION)}`;
}
