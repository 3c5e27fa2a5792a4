/**
 * The browser's one WebSocket to the bridge. It owns connecting and reconnecting (capped
 * exponential back-off with jitter), the application-level ping that detects a dead link,
 * requests and their promise-based replies (the multi-frame reply of `message.open` too; the
 * requests in flight, their ids and timeouts are lib/socket-requests.ts), and pushed events. Which frames answer which request comes from the protocol's
 * REPLIES. Every inbound frame is validated with `parseServerFrame`; frames arriving on a socket
 * that was already abandoned are ignored.
 *
 * Version skew: the socket names this build's PROTOCOL_VERSION in its URL. When the bridge
 * speaks another version (its hello says so, or it closes with `CloseCode.versionMismatch`),
 * the status becomes "outdated" until a hello of this version, `onVersionMismatch` listeners
 * hear it (lib/version-skew.ts reloads the page), and reconnecting goes on at back-off.
 */
import {
  CloseCode,
  helloVersionOf,
  isPushedEvent,
  isReplyTo,
  PROTOCOL_VERSION,
  parseServerFrame,
  socketPath,
  type TConnectionState,
  type TMessageBody,
  type TMessageHeader,
  type TMessageRef,
  type TPushedEvent,
  type TReplyFrameOf,
  type TRequestOf,
  type TServerFrame,
  type TServerFrameOf,
  type TSingleReplyRequestType,
} from "@ferry/protocol";
import { FerryError } from "./errors";
import { RequestTable } from "./socket-requests";

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

type Listener<T> = (value: T) => void;

function defaultUrl(): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}${socketPath(PROTOCOL_VERSION)}`;
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

export class FerrySocket {
  private readonly opts: Required<Omit<SocketOptions, "checkSession">> & {
    checkSession: (() => Promise<boolean>) | undefined;
  };
  private ws: WebSocket | null = null;
  private helloSeen = false;
  private everOnline = false;
  private wanted = false;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  private heartbeatMs = 25_000;
  private readonly requests = new RequestTable((text) => {
    const ws = this.ws;
    if (!ws || !this.helloSeen || ws.readyState !== 1) return false;
    try {
      ws.send(text);
      return true;
    } catch {
      return false;
    }
  });
  private status: SocketStatus = "idle";
  private imapState: TConnectionState = "online";
  private email: string | null = null;
  /** The other protocol version the bridge speaks (null: unknown), while it does. */
  private skew: { bridgeVersion: number | null } | null = null;
  private readonly statusListeners = new Set<() => void>();
  private readonly eventListeners = new Set<Listener<PushedEvent>>();
  private readonly openListeners = new Set<Listener<{ reconnect: boolean }>>();
  private readonly signedOutListeners = new Set<() => void>();
  private readonly mismatchListeners = new Set<Listener<{ bridgeVersion: number | null }>>();

  constructor(opts: SocketOptions = {}) {
    this.opts = {
      url: opts.url ?? defaultUrl,
      WebSocketImpl: opts.WebSocketImpl ?? globalThis.WebSocket,
      random: opts.random ?? Math.random,
      checkSession: opts.checkSession,
      requestTimeoutMs: opts.requestTimeoutMs ?? 20_000,
      minBackoffMs: opts.minBackoffMs ?? 500,
      maxBackoffMs: opts.maxBackoffMs ?? 30_000,
    };
  }

  // ----- lifecycle ------------------------------------------------------------------------------

  /** Start connecting (and keep reconnecting) until `stop()`. */
  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.attempt = 0;
    if (typeof window !== "undefined") {
      window.addEventListener("online", this.onBrowserOnline);
      window.addEventListener("offline", this.onBrowserOffline);
    }
    this.connect();
  }

  /** Close for good: pending requests fail, no reconnect. */
  stop(): void {
    this.wanted = false;
    if (typeof window !== "undefined") {
      window.removeEventListener("online", this.onBrowserOnline);
      window.removeEventListener("offline", this.onBrowserOffline);
    }
    clearTimeout(this.reconnectTimer);
    this.abandon(1000);
    this.requests.failAll(new FerryError("connection_lost", "Socket closed"));
    this.skew = null;
    this.setStatus("idle");
  }

  /** Try to connect now instead of waiting for the back-off. */
  retryNow(): void {
    if (!this.wanted || this.status === "online" || this.status === "signedOut") return;
    if (this.skew) return; // an outdated page keeps to its back-off
    clearTimeout(this.reconnectTimer);
    this.attempt = 0;
    this.abandon(1000);
    this.connect();
  }

  private readonly onBrowserOnline = (): void => this.retryNow();
  private readonly onBrowserOffline = (): void => {
    if (this.status !== "online") this.setStatus("offline");
  };

  private connect(): void {
    if (!this.wanted) return;
    this.setStatus(this.skew ? "outdated" : this.everOnline ? "reconnecting" : "connecting");
    let ws: WebSocket;
    try {
      ws = new this.opts.WebSocketImpl(this.opts.url());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.helloSeen = false;
    ws.onmessage = (ev: MessageEvent) => {
      if (ws !== this.ws) return; // a late frame from an abandoned socket
      if (typeof ev.data === "string") this.onText(ev.data);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (ws !== this.ws) return;
      this.onClosed(ev.code);
    };
    ws.onerror = () => {
      // A close event always follows; reconnecting is handled there.
    };
  }

  /** Detach and close the current socket; nothing it says afterwards is heard. */
  private abandon(code: number): void {
    const ws = this.ws;
    this.ws = null;
    this.helloSeen = false;
    clearInterval(this.pingTimer);
    if (ws) {
      ws.onmessage = null;
      ws.onclose = null;
      ws.onerror = null;
      try {
        ws.close(code);
      } catch {
        // already closing
      }
    }
  }

  private onClosed(code: number): void {
    const hadHello = this.helloSeen;
    this.abandon(1000);
    this.requests.failSent(new FerryError("connection_lost", "The connection to Ferry was lost"));
    if (code === CloseCode.signedOut) {
      this.signOut();
      return;
    }
    if (code === CloseCode.versionMismatch) {
      this.versionMismatch(null);
      return;
    }
    if (!hadHello && this.opts.checkSession) {
      // A refused upgrade looks like any other failure; ask the HTTP API whether we're signed out.
      void this.opts.checkSession().then(
        (valid) => {
          if (!valid) this.signOut();
        },
        () => undefined,
      );
    }
    this.scheduleReconnect();
  }

  private signOut(): void {
    this.wanted = false;
    clearTimeout(this.reconnectTimer);
    this.abandon(1000);
    this.requests.failAll(new FerryError("unauthorized", "Signed out"));
    this.setStatus("signedOut");
    for (const l of this.signedOutListeners) l();
  }

  private scheduleReconnect(): void {
    if (!this.wanted) return;
    const browserOffline = typeof navigator !== "undefined" && navigator.onLine === false;
    this.setStatus(
      this.skew
        ? "outdated"
        : browserOffline || this.attempt >= 3
          ? "offline"
          : this.everOnline
            ? "reconnecting"
            : "connecting",
    );
    const delay = backoffDelay(
      this.attempt,
      this.opts.minBackoffMs,
      this.opts.maxBackoffMs,
      this.opts.random,
    );
    this.attempt++;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  // ----- inbound ---------------------------------------------------------------------------------

  private onText(text: string): void {
    this.lastFrameAt = Date.now();
    const parsed = parseServerFrame(text);
    if (!parsed.ok) {
      // A hello of a bridge whose other hello fields this build does not know.
      const version = helloVersionOf(text);
      if (version !== null && version !== PROTOCOL_VERSION) {
        this.versionMismatch(version);
        return;
      }
      console.warn("ferry: ignored a frame that does not match the protocol:", parsed.message);
      return;
    }
    const frame = parsed.frame;
    if (isPushedEvent(frame)) {
      if (frame.type === "state") {
        this.imapState = frame.imap;
        this.emitStatus();
      }
      this.emitEvent(frame);
      return;
    }
    switch (frame.type) {
      case "hello":
        this.onHello(frame);
        return;
      case "error":
        if (frame.id !== undefined) {
          this.requests.dispatch(frame.id, frame);
        } else {
          console.warn(`ferry: bridge error ${frame.code}`);
          if (frame.code === "unauthorized") this.signOut();
        }
        return;
      default:
        // Every other frame answers a request (the protocol's REPLIES).
        this.requests.dispatch(frame.id, frame);
    }
  }

  /** The bridge speaks another protocol version: stop using the socket, say so, keep trying. */
  private versionMismatch(bridgeVersion: number | null): void {
    const ws = this.ws;
    this.abandon(CloseCode.versionMismatch);
    if (ws) this.requests.failSent(new FerryError("unsupported_version", "Ferry was updated"));
    this.skew = { bridgeVersion: bridgeVersion ?? this.skew?.bridgeVersion ?? null };
    this.setStatus("outdated");
    for (const l of this.mismatchListeners) l({ bridgeVersion: this.skew.bridgeVersion });
    this.scheduleReconnect();
  }

  private onHello(frame: TServerFrameOf<"hello">): void {
    if (frame.version !== PROTOCOL_VERSION) {
      this.versionMismatch(frame.version);
      return;
    }
    this.skew = null;
    const reconnect = this.everOnline;
    this.helloSeen = true;
    this.everOnline = true;
    this.attempt = 0;
    this.email = frame.email;
    this.heartbeatMs = frame.heartbeatMs;
    this.imapState = "online";
    this.setStatus("online");
    this.startHeartbeat();
    this.requests.flush();
    for (const l of this.openListeners) l({ reconnect });
  }

  // ----- heartbeat -------------------------------------------------------------------------------

  private startHeartbeat(): void {
    clearInterval(this.pingTimer);
    const every = Math.max(1000, Math.min(this.heartbeatMs, 25_000));
    this.lastFrameAt = Date.now();
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastFrameAt > every * 2 + 2000) {
        // Silent for two beats: the link is dead even if the browser hasn't noticed.
        const ws = this.ws;
        this.abandon(CloseCode.dead);
        if (ws) this.onClosed(CloseCode.dead);
        return;
      }
      this.request({ type: "ping" }, { timeoutMs: every * 2 }).catch(() => undefined);
    }, every);
  }

  // ----- outbound --------------------------------------------------------------------------------

  /**
   * Send a request and wait for its reply. Requests made while disconnected wait for the next
   * connection (within the timeout). An `error` reply rejects with a `FerryError`.
   */
  request<K extends RequestType>(
    frame: TRequestOf<K> & { type: K },
    opts: { timeoutMs?: number } = {},
  ): Promise<ReplyOf<K>> {
    const type: K = frame.type;
    return new Promise<ReplyOf<K>>((resolve, reject) => {
      const onFrame = (reply: TServerFrame) => {
        if (!isReplyTo(type, reply)) return false;
        resolve(reply);
        return true;
      };
      this.requests.add(frame, opts.timeoutMs ?? this.opts.requestTimeoutMs, onFrame, reject);
    });
  }

  /**
   * Open a message: `onHeader` at once, then `onBody` for each chunk; resolves at `message.end`.
   * The timeout counts from the last frame received, so a large body may take its time.
   * `background`: read-ahead nobody waits for, which the bridge answers after the user's requests.
   */
  openMessage(
    ref: TMessageRef,
    handlers: MessageStreamHandlers,
    opts: { timeoutMs?: number; background?: boolean } = {},
  ): Promise<void> {
    const request: TRequestOf<"message.open"> = {
      type: "message.open",
      ref,
      ...(opts.background ? { background: true } : {}),
    };
    return new Promise<void>((resolve, reject) => {
      const onFrame = (reply: TServerFrame) => {
        switch (reply.type) {
          case "message.header":
            handlers.onHeader(reply);
            return false;
          case "message.body":
            handlers.onBody(reply);
            return false;
          case "message.end":
            resolve();
            return true;
          default:
            return false;
        }
      };
      this.requests.add(request, opts.timeoutMs ?? this.opts.requestTimeoutMs, onFrame, reject);
    });
  }

  // ----- observers -------------------------------------------------------------------------------

  private setStatus(s: SocketStatus): void {
    if (this.status === s) return;
    this.status = s;
    this.emitStatus();
  }

  private emitStatus(): void {
    for (const l of this.statusListeners) l();
  }

  private emitEvent(e: PushedEvent): void {
    for (const l of this.eventListeners) {
      try {
        l(e);
      } catch (err) {
        console.error("ferry: event handler failed", err);
      }
    }
  }

  getStatus(): SocketStatus {
    return this.status;
  }

  /** The IMAP side as the bridge reports it (meaningful while `online`). */
  getImapState(): TConnectionState {
    return this.imapState;
  }

  getEmail(): string | null {
    return this.email;
  }

  onStatusChange(l: () => void): () => void {
    this.statusListeners.add(l);
    return () => this.statusListeners.delete(l);
  }

  onEvent(l: Listener<PushedEvent>): () => void {
    this.eventListeners.add(l);
    return () => this.eventListeners.delete(l);
  }

  /** Called after each hello; `reconnect` is true for every hello after the first. */
  onOpen(l: Listener<{ reconnect: boolean }>): () => void {
    this.openListeners.add(l);
    return () => this.openListeners.delete(l);
  }

  onSignedOut(l: () => void): () => void {
    this.signedOutListeners.add(l);
    return () => this.signedOutListeners.delete(l);
  }

  /** Called when the bridge turns out to speak another protocol version (its version if known). */
  onVersionMismatch(l: Listener<{ bridgeVersion: number | null }>): () => void {
    this.mismatchListeners.add(l);
    return () => this.mismatchListeners.delete(l);
  }
}
