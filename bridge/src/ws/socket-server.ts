/**
 * The WebSocket endpoint /ws. The upgrade is authenticated before it happens (allowed Origin,
 * valid session cookie, a live MailSession), otherwise the HTTP request is answered 403/401/503
 * (429 past MAX_SOCKETS_PER_SESSION) and the socket destroyed. Each socket then gets `hello`,
 * the connection state, the session's pushed events, a ping/terminate heartbeat, a size cap and
 * a rate cap; every frame is validated and a bad one gets a typed error frame, never a crash.
 *
 * Size cap: a frame over MAX_CLIENT_FRAME_BYTES (and up to HARD_MAX_FRAME_BYTES) is answered with
 * an `error` frame `frame_too_large` and the socket stays open. A frame beyond the hard cap is
 * not read at all: `ws` closes the socket with code 1009 (message too big).
 * Rate cap: a token bucket per socket (FRAMES_PER_SECOND, burst FRAME_BURST) and at most
 * MAX_IN_FLIGHT requests being worked on at once; a frame over either is answered `rate_limited`
 * (with its id when it has one); more than ABUSE_LIMIT such frames in 10 s close the socket with
 * 1008 (policy violation).
 * Close codes (the protocol's CloseCode): signedOut (4001) session gone, versionMismatch (4002)
 * the client named another protocol version than `protocolVersion` (sent right after the hello,
 * nothing else is), goingAway (1001) bridge shutting down, policyViolation (1008) abuse,
 * messageTooBig (1009) frame past the hard cap, notReading (4003) the client does not read what
 * it is sent; 1006 (no close frame) heartbeat timeout.
 * Output cap: a client that does not read cannot make the bridge hold its output. A socket
 * whose unsent output (ws bufferedAmount) passes MAX_BUFFERED_BYTES_PER_SOCKET, or the socket
 * holding the most when a session's open sockets together pass MAX_BUFFERED_BYTES_PER_SESSION,
 * is closed with notReading and sent nothing more (`ws` destroys it if the close is not
 * answered); with at most MAX_SOCKETS_PER_SESSION sockets, a session holds at most about
 * MAX_BUFFERED_BYTES_PER_SESSION plus one frame per socket.
 *
 * Each socket holds its session in use (a lease: the session's IMAP connections stay open while
 * any socket is open), and is the owner of its own open mailbox: `mailbox.open` on one tab does
 * not change what another tab has open or its read-only mode. A closing socket lets go of both.
 * A change a socket makes to the folder tree is pushed (`mailboxes.changed`) to every open
 * socket of the same account on this bridge, whichever session it belongs to.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  CloseCode,
  clientVersionOf,
  MAX_CLIENT_FRAME_BYTES,
  PROTOCOL_VERSION,
  parseClientFrame,
  type THello,
  type TServerFrame,
  ZServerFrame,
} from "@ferry/protocol";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import type { ComposeService } from "../compose/service";
import { type BridgeError, errorCodeOf, isBridgeError } from "../errors";
import { readCookie } from "../http/cookies";
import type { OriginPolicy } from "../http/origin";
import { header } from "../http/respond";
import { commandError } from "../imap/errors";
import type { Logger } from "../log";
import type { LiveLease, LiveSession } from "../session/live";
import type { SessionManager } from "../session/manager";
import type { SettingsService } from "../settings/service";
import type { SnoozeService } from "../snooze/service";
import { dispatch } from "./dispatch";
import { TokenBucket } from "./rate";
import type { RulesFrameDeps } from "./rules-frames";

/** Frames beyond this are refused by `ws` itself (close 1009) without being buffered. */
export const HARD_MAX_FRAME_BYTES = 4 * MAX_CLIENT_FRAME_BYTES;
/** Rate cap: sustained frames per second, and burst. */
export const FRAMES_PER_SECOND = 50;
export const FRAME_BURST = 100;
/** Rejected frames within ABUSE_WINDOW_MS after which the socket is closed (policyViolation). */
export const ABUSE_LIMIT = 200;
const ABUSE_WINDOW_MS = 10_000;
/** Requests of one socket being worked on at once; more are answered `rate_limited`. */
export const MAX_IN_FLIGHT = 32;
/**
 * Open sockets one session may hold (one per browser tab); past it the upgrade is refused with
 * 429, so a signed-in client cannot multiply the per-socket caps or pile up subscribers.
 */
export const MAX_SOCKETS_PER_SESSION = 16;
/** A socket whose unsent output exceeds this is not reading: it is closed with notReading. */
export const MAX_BUFFERED_BYTES_PER_SOCKET = 4 * 1024 * 1024;
/** Unsent output of all of one session's open sockets together, past which one is closed. */
export const MAX_BUFFERED_BYTES_PER_SESSION = 8 * 1024 * 1024;

export interface SocketServerDeps {
  manager: SessionManager;
  origins: () => OriginPolicy;
  log: Logger;
  heartbeatMs: number;
  /** Validate every outgoing frame against the protocol (development and tests). */
  checkOutgoing: boolean;
  /** Answers the compose frames (bridge/src/compose). */
  compose?: ComposeService | undefined;
  /** Answers the rules frames (ws/rules-frames.ts). */
  rules?: RulesFrameDeps | undefined;
  /** Settings that follow the user (bridge/src/settings). */
  settings?: SettingsService | undefined;
  /** Snoozing messages (bridge/src/snooze). */
  snooze?: SnoozeService | undefined;
  /**
   * The protocol version this bridge speaks and announces (default PROTOCOL_VERSION). Only the
   * version-skew tests set another, to play a bridge of another release.
   */
  protocolVersion?: number;
}

interface SocketState {
  alive: boolean;
  bucket: TokenBucket;
  rejected: number;
  rejectedSince: number;
  inFlight: number;
}

const STATUS_TEXT: Record<number, string> = {
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  429: "Too Many Requests",
  503: "Service Unavailable",
};

export class SocketServer {
  readonly #wss: WebSocketServer;
  readonly #deps: SocketServerDeps;
  readonly #state = new WeakMap<WebSocket, SocketState>();
  /** The session of each open socket, for what goes to all of an account's sockets. */
  readonly #sessionOf = new WeakMap<WebSocket, LiveSession>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor(deps: SocketServerDeps) {
    this.#deps = deps;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: HARD_MAX_FRAME_BYTES,
      perMessageDeflate: false,
      clientTracking: true,
    });
    this.#wss.on("error", (err) => deps.log.warn({ err }, "websocket server error"));
    this.#heartbeat = setInterval(() => this.#beat(), deps.heartbeatMs);
    this.#heartbeat.unref();
  }

  get clients(): Set<WebSocket> {
    return this.#wss.clients;
  }

  /** Handles the HTTP `upgrade` event for /ws: authenticate, then upgrade or refuse. */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const log = this.#deps.log;
    socket.on("error", (err) => log.debug({ err }, "upgrade socket error"));
    try {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (path !== "/ws") return refuse(socket, 404);
      if (!this.#deps.origins().allows(header(req, "origin"))) return refuse(socket, 403);
      const session = await this.#deps.manager.resolve(readCookie(req));
      if (!session) return refuse(socket, 401);
      const query = new URL(req.url ?? "/", "http://x").searchParams;
      if (clientVersionOf(query) !== this.#protocolVersion) {
        // Upgraded only to say so: a refused upgrade has no close code the page could read.
        this.#wss.handleUpgrade(req, socket, head, (ws) => {
          ws.on("error", (err) => log.debug({ err }, "socket error"));
          ws.send(JSON.stringify(this.#hello(session.record.email)));
          ws.close(CloseCode.versionMismatch, "protocol version mismatch");
        });
        return;
      }
      let lease: LiveLease;
      try {
        lease = await this.#deps.manager.acquire(session);
      } catch (err) {
        if (isBridgeError(err) && err.code === "unauthorized") return refuse(socket, 401);
        log.info({ err: errorCodeOf(err) }, "socket refused: mail session could not be started");
        return refuse(socket, 503);
      }
      // The lease passes to the socket when it is accepted, else it is released here. (`ws`
      // calls back synchronously, or not at all when the client went away meanwhile.)
      let handedOver = false;
      try {
        const live = lease.session;
        if (socket.destroyed) return;
        if (live.sockets.size >= MAX_SOCKETS_PER_SESSION) {
          log.warn("socket refused: too many open sockets for one session");
          return refuse(socket, 429);
        }
        this.#wss.handleUpgrade(req, socket, head, (ws) => {
          if (this.#deps.manager.liveIfPresent(live.key) !== live) {
            // signed out while upgrading
            ws.close(CloseCode.signedOut, "signed out");
            return;
          }
          if (live.sockets.size >= MAX_SOCKETS_PER_SESSION) {
            // several upgrades of one session raced past the check above
            ws.close(CloseCode.policyViolation, "too many sockets");
            return;
          }
          handedOver = true;
          this.#accept(ws, lease);
        });
      } finally {
        if (!handedOver) lease.release();
      }
    } catch (err) {
      log.error({ err }, "upgrade failed");
      refuse(socket, 503);
    }
  }

  get #protocolVersion(): number {
    return this.#deps.protocolVersion ?? PROTOCOL_VERSION;
  }

  #hello(email: string): THello {
    return {
      type: "hello",
      version: this.#protocolVersion,
      email,
      heartbeatMs: this.#deps.heartbeatMs,
    };
  }

  #accept(ws: WebSocket, lease: LiveLease): void {
    const live = lease.session;
    const log = this.#deps.log.child({ session: live.key.slice(0, 12) });
    const state: SocketState = {
      alive: true,
      bucket: new TokenBucket(FRAMES_PER_SECOND, FRAME_BURST),
      rejected: 0,
      rejectedSince: Date.now(),
      inFlight: 0,
    };
    this.#state.set(ws, state);
    this.#sessionOf.set(ws, live);
    live.sockets.add(ws);

    const send = (frame: TServerFrame): void => this.#send(ws, frame, log, live);
    ws.on("error", (err) => log.debug({ err }, "socket error"));
    ws.on("pong", () => {
      state.alive = true;
    });
    const unsubscribe = live.mail.subscribe(send);
    ws.on("close", () => {
      live.sockets.delete(ws);
      unsubscribe();
      // the socket is the owner of its open mailbox
      void live.mail.releaseMailbox(ws);
      lease.release();
    });

    send(this.#hello(live.email));
    // While the MailSession is still starting its state says "reconnecting"; the browser learns
    // the state once start is over (and every change after that as an event).
    void live.ready.then(() => send({ type: "state", imap: live.mail.state }));

    ws.on("message", (data, isBinary) => {
      void this.#onMessage(ws, state, live, data, isBinary, send, log);
    });
  }

  async #onMessage(
    ws: WebSocket,
    state: SocketState,
    live: LiveSession,
    data: RawData,
    isBinary: boolean,
    send: (frame: TServerFrame) => void,
    log: Logger,
  ): Promise<void> {
    const size = Array.isArray(data)
      ? data.reduce((n, b) => n + b.length, 0)
      : (data as Buffer | ArrayBuffer).byteLength;
    if (!state.bucket.take() || state.inFlight >= MAX_IN_FLIGHT) {
      const id = size <= MAX_CLIENT_FRAME_BYTES && !isBinary ? peekId(data) : undefined;
      send(errorFrame("rate_limited", "Too many requests; slow down.", id));
      this.#strike(ws, state, log);
      return;
    }
    if (isBinary) {
      return send(errorFrame("bad_request", "Binary frames are not part of the protocol."));
    }
    if (size > MAX_CLIENT_FRAME_BYTES) {
      return send(
        errorFrame(
          "frame_too_large",
          `Frames are limited to ${MAX_CLIENT_FRAME_BYTES} bytes.`,
          peekLeadingId(data),
        ),
      );
    }
    const parsed = parseClientFrame(rawText(data));
    if (!parsed.ok) {
      return send(errorFrame("bad_request", parsed.message, parsed.id));
    }
    const frame = parsed.frame;
    if (frame.type === "ping") return send({ type: "pong", id: frame.id });
    state.inFlight += 1;
    try {
      await dispatch(frame, {
        live,
        owner: ws,
        reply: send,
        log,
        compose: this.#deps.compose,
        rules: this.#deps.rules,
        settings: this.#deps.settings,
        snooze: this.#deps.snooze,
        announceFolders: () => this.#toAccount(live.account, { type: "mailboxes.changed" }),
      });
    } catch (err) {
      const bridgeError = commandError(err);
      if (!isBridgeError(err) || bridgeError.code === "internal") {
        log.error({ err, frame: frame.type }, "request failed");
      }
      send({
        ...errorFrame(bridgeError.code, bridgeError.message, frame.id),
        ...(bridgeError.position === undefined ? {} : { position: bridgeError.position }),
      });
    } finally {
      state.inFlight -= 1;
    }
  }

  #strike(ws: WebSocket, state: SocketState, log: Logger): void {
    const now = Date.now();
    if (now - state.rejectedSince > ABUSE_WINDOW_MS) {
      state.rejected = 0;
      state.rejectedSince = now;
    }
    state.rejected += 1;
    if (state.rejected > ABUSE_LIMIT && ws.readyState === WebSocket.OPEN) {
      log.warn("socket closed for sustained abuse of the rate cap");
      ws.close(CloseCode.policyViolation, "rate limit");
    }
  }

  #send(ws: WebSocket, frame: TServerFrame, log: Logger, live: LiveSession): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    let out: TServerFrame = frame;
    if (this.#deps.checkOutgoing) {
      const checked = ZServerFrame.safeParse(frame);
      if (!checked.success) {
        log.error(
          { frame: frame.type, issues: checked.error.issues.slice(0, 3) },
          "outgoing frame does not match the protocol",
        );
        const id = "id" in frame && typeof frame.id === "string" ? frame.id : undefined;
        out = errorFrame("internal", "Something went wrong in the bridge.", id);
      }
    }
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES_PER_SOCKET) {
      closeNotReading(ws, log);
      return;
    }
    ws.send(frameBytes(out), { binary: false });
    this.#capSessionOutput(live, log);
  }

  /** Closes the sockets holding the most unsent output until the session is under its cap. */
  #capSessionOutput(live: LiveSession, log: Logger): void {
    const open = [...live.sockets].filter((s) => s.readyState === WebSocket.OPEN);
    let total = open.reduce((sum, s) => sum + s.bufferedAmount, 0);
    if (total <= MAX_BUFFERED_BYTES_PER_SESSION) return;
    open.sort((a, b) => b.bufferedAmount - a.bufferedAmount);
    for (const socket of open) {
      if (total <= MAX_BUFFERED_BYTES_PER_SESSION) break;
      total -= socket.bufferedAmount;
      closeNotReading(socket, log);
    }
  }

  /** Sends an event to every open socket of a session (e.g. a sent message's outcome). */
  broadcast(live: LiveSession, frame: TServerFrame): void {
    const log = this.#deps.log.child({ session: live.key.slice(0, 12) });
    for (const ws of live.sockets) this.#send(ws, frame, log, live);
  }

  /** Sends an event to every open socket of every session of `account` on this bridge. */
  toAccount(account: string, frame: TServerFrame): void {
    this.#toAccount(account, frame);
  }

  /** The accounts with an open socket on this bridge. */
  accounts(): Set<string> {
    const out = new Set<string>();
    for (const ws of this.#wss.clients) {
      const live = this.#sessionOf.get(ws);
      if (live) out.add(live.account);
    }
    return out;
  }

  /** Sends an event to every open socket of every session of `account` on this bridge. */
  #toAccount(account: string, frame: TServerFrame): void {
    for (const ws of this.#wss.clients) {
      const live = this.#sessionOf.get(ws);
      if (!live || live.account !== account) continue;
      this.#send(ws, frame, this.#deps.log.child({ session: live.key.slice(0, 12) }), live);
    }
  }

  #beat(): void {
    for (const ws of this.#wss.clients) {
      const state = this.#state.get(ws);
      if (!state) continue;
      if (!state.alive) {
        ws.terminate();
        continue;
      }
      state.alive = false;
      ws.ping();
    }
  }

  /** Closes every socket (goingAway) and stops the heartbeat. */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    for (const ws of this.#wss.clients) ws.close(CloseCode.goingAway, "bridge shutting down");
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    for (const ws of this.#wss.clients) ws.terminate();
  }
}

/**
 * Events already serialised, by identity: an event pushed to every socket of an account (the
 * same frame object: live/account-watch.ts) is encoded once. Replies are encoded each time.
 */
const encodedEvents = new WeakMap<TServerFrame, Buffer>();

/** `frame` as the UTF-8 JSON text a socket sends. */
function frameBytes(frame: TServerFrame): Buffer {
  if ("id" in frame) return Buffer.from(JSON.stringify(frame));
  let bytes = encodedEvents.get(frame);
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify(frame));
    encodedEvents.set(frame, bytes);
  }
  return bytes;
}

function errorFrame(
  code: BridgeError["code"],
  message: string,
  id?: string,
): Extract<TServerFrame, { type: "error" }> {
  return { type: "error", code, message, ...(id === undefined ? {} : { id }) };
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}

/** The request id of a frame that is not going to be processed, when it has one. */
function peekId(data: RawData): string | undefined {
  const parsed = parseClientFrame(rawText(data));
  return parsed.ok ? parsed.frame.id : parsed.id;
}

/**
 * The id of an oversized frame without parsing all of it: clients write `type` and `id` first,
 * so the id, when there is one, sits in the first few hundred bytes.
 */
function peekLeadingId(data: RawData): string | undefined {
  const head = Buffer.isBuffer(data)
    ? data.subarray(0, 512).toString("utf8")
    : rawText(data).slice(0, 512);
  return /"id"\s*:\s*"([^"\\]{1,64})"/.exec(head)?.[1];
}

/** Closes a socket whose client does not read; nothing more is sent to it. */
function closeNotReading(ws: WebSocket, log: Logger): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  log.warn({ buffered: ws.bufferedAmount }, "socket closed: the client is not reading");
  ws.close(CloseCode.notReading, "not reading");
}

/** Answers an upgrade request with an HTTP error and drops the connection. */
function refuse(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  const text = STATUS_TEXT[status] ?? "Error";
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}
