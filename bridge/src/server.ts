/**
 * The bridge: one HTTP server on one port for the static web app, the /api endpoints and the
 * /ws socket upgrade. `createBridge` wires configuration, logging, the state store (what outlives
 * the process: SQLite or Redis, state/), the session store on it, the live registry and the
 * socket server together and starts listening.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { ComposeService } from "./compose/service";
import type { Config } from "./config";
import { type ApiDeps, handleApi } from "./http/api";
import { OriginPolicy } from "./http/origin";
import { handlePartRequest } from "./http/parts";
import { handleProxyRequest } from "./http/proxy";
import { API_CSP, applySecurityHeaders, fail, requestContext } from "./http/respond";
import { SessionRequestLimiter } from "./http/session-limits";
import { StaticSite } from "./http/static";
import { rowsForUids } from "./imap/window";
import { type Clock, JobRunner } from "./jobs/runner";
import { MailSession } from "./live";
import { createLogger, type Logger } from "./log";
import { LiveRegistry, type MailSessionFactory } from "./session/live";
import { SessionManager } from "./session/manager";
import { type SessionStore, StateSessionStore } from "./session/store";
import { SettingsService } from "./settings/service";
import { RulesService } from "./sieve/service";
import { SnoozeService } from "./snooze/service";
import { openStateStore } from "./state/open";
import type { StateStore } from "./state/store";
import type { RulesFrameDeps } from "./ws/rules-frames";
import { SocketServer } from "./ws/socket-server";

export interface BridgeOptions {
  /** Logger to use (tests pass one writing to a captured stream); default: pino on stdout. */
  log?: Logger;
  /** Session records; default: in the state store. */
  store?: SessionStore;
  /**
   * The state store; default: the one the configuration names (FERRY_REDIS_URL, else the SQLite
   * file in FERRY_DATA_DIR), opened here and closed with the bridge. One passed in stays open.
   */
  state?: StateStore;
  /** Builds a session's MailSession; default: bridge/src/live's MailSession. */
  createMailSession?: MailSessionFactory;
  /** Validate every outgoing socket frame against the protocol (default: true). */
  checkOutgoingFrames?: boolean;
  /** The clock of session lifetimes (tests); default Date.now. */
  now?: () => number;
  /**
   * Test-only: the clock of jobs (due times, leases) and of the state store the bridge opens
   * (one passed in as `state` must be opened with the same clock). Bridge tests and the e2e
   * fixture pass a TestClock (jobs/test-clock.ts) to reach a due time without sleeping; there is
   * no environment variable for it. Default Date.now.
   */
  clock?: Clock;
  /** How often the job runner asks the store for due jobs (tests); default 1 s. */
  jobPollMs?: number;
  /**
   * The protocol version the socket speaks and announces; default PROTOCOL_VERSION. Only the
   * version-skew tests set another, to play a bridge of another release.
   */
  protocolVersion?: number;
}

export interface Bridge {
  /** Base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  /** The Origin allow-list in force (the loopback default once the port is known). */
  origins: OriginPolicy;
  sessions: { manager: SessionManager; live: LiveRegistry; store: SessionStore };
  /** What outlives the process: sessions, settings, counters, jobs. */
  state: StateStore;
  /** Runs the store's due jobs in this bridge (jobs/runner.ts): held and scheduled mail, snoozes. */
  jobs: JobRunner;
  sockets: SocketServer;
  /** Writing mail: the outbox, drafts, uploads, identities. */
  compose: ComposeService;
  /** Settings that follow the user across browsers, pushed live to their tabs. */
  settings: SettingsService;
  log: Logger;
  /**
   * Stops listening, lets the requests being answered finish (ANSWERING_GRACE_MS at most),
   * closes every socket and every session's IMAP connections, then the state store.
   */
  close(): Promise<void>;
}

/** How long close() waits for the requests being answered before it closes what they use. */
const ANSWERING_GRACE_MS = 2_000;

/** Builds the MailSession of each session (tests wrap it to observe the IMAP connections). */
export const defaultMailSession: MailSessionFactory = (opts) =>
  new MailSession({ ...opts, rowsFetcher: rowsForUids });

/** The per-session limits of one of /api/parts and /api/proxy. */
function sessionLimiter(config: Config): SessionRequestLimiter {
  return new SessionRequestLimiter({
    concurrent: config.sessionHttpConcurrency,
    // a message with many images asks for them all at once: they wait rather than fail
    queued: 16 * config.sessionHttpConcurrency,
    perMinute: config.sessionHttpPerMinute,
  });
}

/** Starts a bridge listening on config.host:config.port (0 picks a free port). */
export async function createBridge(config: Config, opts: BridgeOptions = {}): Promise<Bridge> {
  const log = opts.log ?? createLogger(config.logLevel);
  for (const warning of config.warnings) log.warn(warning);

  // A store that cannot be used stops the start here, with a message naming its setting.
  const state =
    opts.state ?? (await openStateStore(config, log, opts.clock ? { now: opts.clock } : {}));
  const jobs = new JobRunner(state, {
    log,
    ...(opts.clock ? { now: opts.clock } : {}),
    ...(opts.jobPollMs === undefined ? {} : { pollMs: opts.jobPollMs }),
  });
  const store: SessionStore = opts.store ?? new StateSessionStore(state);
  const live = new LiveRegistry(log, { detachMs: config.sessionDetachMs });
  const manager = new SessionManager({
    config,
    store,
    state,
    live,
    log,
    createMailSession: opts.createMailSession ?? defaultMailSession,
    ...(opts.now ? { now: opts.now } : {}),
  });
  let origins = new OriginPolicy(config.allowedOrigins ?? []);
  const site = new StaticSite(config.webDir, log);
  const compose = new ComposeService({
    config,
    log,
    state,
    jobs,
    mailAccess: (key) => manager.mailAccess(key),
    // detached sessions (IMAP closed for want of use) are still signed in: keep their uploads
    isLive: (key) => manager.isActive(key),
    // a sent message's outcome reaches every socket of its session that is still open
    push: (key, frame) => {
      const session = manager.liveIfPresent(key);
      if (session) sockets.broadcast(session, frame);
    },
  });
  manager.onSessionEnd((key) => compose.endSession(key));
  const settings: SettingsService = new SettingsService({
    state,
    log,
    push: (account, frame) => sockets.toAccount(account, frame),
    accounts: (): Set<string> => sockets.accounts(),
  });
  const snooze: SnoozeService = new SnoozeService({
    config,
    state,
    runner: jobs,
    log,
    record: (key) => store.get(key),
    push: (account, frame) => sockets.toAccount(account, frame),
  });
  const rules: RulesFrameDeps = {
    service: new RulesService({ config, access: (key) => manager.mailAccess(key), log }),
    unsubscribe: { allowPrivate: config.proxyAllowPrivateHosts },
  };
  const sockets = new SocketServer({
    rules,
    manager,
    origins: () => origins,
    log,
    heartbeatMs: config.heartbeatMs,
    checkOutgoing: opts.checkOutgoingFrames ?? true,
    compose,
    settings,
    snooze,
    ...(opts.protocolVersion === undefined ? {} : { protocolVersion: opts.protocolVersion }),
  });
  const api: ApiDeps = {
    config,
    manager,
    origins: () => origins,
    log,
    parts: (req, res, session) => handlePartRequest(req, res, (fn) => session.downloads.run(fn)),
    // the proxy needs a signed-in session, not its IMAP connections
    proxy: (req, res) =>
      handleProxyRequest(req, res, { allowPrivate: config.proxyAllowPrivateHosts }),
    uploads: compose,
    limits: { parts: sessionLimiter(config), proxy: sessionLimiter(config) },
    settings,
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const ctx = requestContext(req, config.trustProxy);
    const path = new URL(req.url ?? "/", "http://x").pathname;
    res.on("finish", () => {
      log.debug(
        {
          method: req.method,
          path,
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        },
        "http",
      );
    });
    if (path === "/api" || path.startsWith("/api/")) return handleApi(req, res, ctx, api);
    if (path === "/ws") {
      applySecurityHeaders(res, API_CSP, ctx.secure);
      res.setHeader("Upgrade", "websocket");
      return fail(res, "bad_request", "This endpoint only speaks WebSocket.", 426);
    }
    return site.serve(req, res, ctx.secure);
  };

  // Requests being answered when close() starts finish (for a while) before the store closes;
  // one that comes in after it (on a kept-alive connection) is told to try again.
  const answering = new Set<Promise<void>>();
  let shuttingDown = false;
  const server = createServer((req, res) => {
    if (shuttingDown) {
      res.setHeader("Connection", "close");
      fail(res, "store_unavailable", "The bridge is shutting down: try again in a moment.", 503);
      return;
    }
    const done = onRequest(req, res).catch((err: unknown) => {
      log.error({ err }, "request failed");
      if (!res.headersSent) fail(res, "internal", "Something went wrong in the bridge.");
      else res.destroy();
    });
    answering.add(done);
    void done.finally(() => answering.delete(done));
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.on("upgrade", (req, socket, head) => {
    void sockets.handleUpgrade(req, socket, head);
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch(async (err: unknown) => {
    await manager.close();
    if (!opts.state) await state.close();
    throw err;
  });
  const port = (server.address() as AddressInfo).port;
  if (config.allowedOrigins === null) origins = OriginPolicy.loopback(port);
  const shownHost =
    config.host === "0.0.0.0" || config.host === "::"
      ? "127.0.0.1"
      : config.host.includes(":")
        ? `[${config.host}]`
        : config.host;
  const url = `http://${shownHost}:${port}`;
  jobs.start();
  log.info(
    { url, imapPinned: config.imap !== null, webDir: config.webDir, origins: origins.origins },
    "bridge listening",
  );

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    get origins() {
      return origins;
    },
    sessions: { manager, live, store },
    state,
    jobs,
    sockets,
    compose,
    settings,
    log,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.race([
          Promise.allSettled([...answering]),
          delay(ANSWERING_GRACE_MS, undefined, { ref: false }),
        ]);
        await sockets.close();
        settings.close();
        await jobs.stop(); // what is held or scheduled stays in the store for the next bridge
        await compose.close(); // with a random session secret, undo-held mail goes now
        await manager.close();
        if (!opts.store) await store.close?.(); // a store passed in belongs to the caller
        if (!opts.state) await state.close();
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
        await stopped;
      })();
      return closing;
    },
  };
}
