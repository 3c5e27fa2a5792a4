/**
 * The browser's one WebSocket to the bridge: connecting and reconnecting (capped exponential
 * back-off with jitter), the application-level ping that detects a dead link, requests and their
 * promise-based replies (the multi-frame reply of `message.open` too), and pushed events. Beside
 * it: the requests in flight (socket-requests.ts), its listeners (socket-listeners.ts), its types
 * and options (socket-options.ts). Which frames answer which request comes from the protocol's
 * REPLIES. Every inbound frame is validated with `parseServerFrame`; frames arriving on a socket
 * that was already abandoned are ignored.
 *
 * Version skew: the socket names this build's PROTOCOL_VERSION in its URL. When the bridge speaks
 * another version (its hello says so, or it closes with `CloseCode.versionMismatch`), the status
 * is "outdated" until a hello of this version, `onVersionMismatch` listeners hear it
 * (lib/version-skew.ts reloads the page), and reconnecting goes on at back-off.
 */
import {
  CloseCode,
  helloVersionOf,
  isPushedEvent,
  isReplyTo,
  PROTOCOL_VERSION,
  parseServerFrame,
  type TConnectionState,
  type TMessageRef,
  type TRequestOf,
  type TServerFrame,
  type TServerFrameOf,
} from "@ferry/protocol";
import { FerryError } from "./errors";
import { SocketListeners } from "./socket-listeners";
import {
  backoffDelay,
  type MessageStreamHandlers,
  type ReplyOf,
  type RequestType,
  type ResolvedSocketOptions,
  type SocketOptions,
  type SocketStatus,
  withDefaults,
} from "./socket-options";
import { RequestTable } from "./socket-requests";

export {
  backoffDelay,
  type MessageStreamHandlers,
  type PushedEvent,
  type ReplyOf,
  type RequestType,
  type SocketOptions,
  type SocketStatus,
} from "./socket-options";

export class FerrySocket extends SocketListeners {
  private readonly opts: ResolvedSocketOptions;
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

  constructor(opts: SocketOptions = {}) {
    super();
    this.opts = withDefaults(opts);
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
    this.emitSignedOut();
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
    this.emitMismatch(this.skew.bridgeVersion);
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
    this.emitOpen(reconnect);
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
   * A request for an action the user waits on that the offline queue does not keep (cancel a
   * scheduled send, wake a snooze, a folder or settings change): refused at once with `network`
   * while not connected (offline, or still connecting), so the user hears why in the moment
   * rather than after the request timeout, and nothing is left to go out unseen later.
   */
  requestNow<K extends RequestType>(
    frame: TRequestOf<K> & { type: K },
    opts: { timeoutMs?: number } = {},
  ): Promise<ReplyOf<K>> {
    const offline = typeof navigator !== "undefined" && navigator.onLine === false;
    if (offline || this.status !== "online") {
      return Promise.reject(new FerryError("network", "Not connected"));
    }
    return this.request(frame, opts);
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
}
