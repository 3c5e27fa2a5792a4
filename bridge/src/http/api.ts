/**
 * The HTTP API under /api: public config, sign-in/out and session info (the sign-in answer
 * carries INBOX's first window when asked, session/inbox-head.ts, of the kind the account's
 * saved setting says rather than the browser's guess); the parts and proxy
 * endpoints are delegated to their modules once a session is established. Every answer is JSON
 * (or a stream from the delegates) with typed ZHttpError bodies on failure.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  PROTOCOL_VERSION,
  type TPublicConfig,
  type TSessionInfo,
  type TSessionRequest,
  type TSignInWindow,
  ZSessionRequest,
} from "@ferry/protocol";
import type { Config } from "../config";
import { BridgeError, isBridgeError } from "../errors";
import type { Logger } from "../log";
import { accountKey } from "../session/account";
import { inboxHeadForSignIn, prefetchInboxHead } from "../session/inbox-head";
import type { LiveSession } from "../session/live";
import { type SessionManager, TooManyAttempts } from "../session/manager";
import { signInTargets } from "../session/sign-in-targets";
import { readJsonBody } from "./body";
import { clearedSessionCookie, readCookie, sessionCookie } from "./cookies";
import type { OriginPolicy } from "./origin";
import {
  API_CSP,
  applySecurityHeaders,
  fail,
  header,
  type RequestContext,
  sendError,
  sendJson,
} from "./respond";
import { SessionLimited, type SessionRequestLimiter } from "./session-limits";
import { deleteUpload, receiveUpload, type SessionUploads } from "./uploads";

/**
 * Handler of an authenticated API route delegated to another module that uses the session's
 * IMAP side (parts). The session is held in use (not detached) until the returned promise
 * settles.
 */
export type SessionRouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  session: LiveSession,
) => Promise<void>;

export interface ApiDeps {
  config: Config;
  manager: SessionManager;
  origins: () => OriginPolicy;
  log: Logger;
  /** GET /api/parts (bridge/src/http/parts.ts), when available. */
  parts?: SessionRouteHandler | undefined;
  /** GET /api/proxy (bridge/src/http/proxy.ts), when available; it needs a session, not IMAP. */
  proxy?: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  /** The uploads behind POST /api/uploads and DELETE /api/uploads/<id>, when available. */
  uploads?: SessionUploads | undefined;
  /** Per-session limits of /api/parts and /api/proxy (http/session-limits.ts); none when unset. */
  limits?: { parts: SessionRequestLimiter; proxy: SessionRequestLimiter } | undefined;
  /** The users' settings: whether the sign-in's first window is of conversations. */
  settings?:
    | { get(account: string): Promise<{ settings: { conversations?: boolean } }> }
    | undefined;
}

export async function handleApi(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  deps: ApiDeps,
): Promise<void> {
  applySecurityHeaders(res, API_CSP, ctx.secure);
  const path = new URL(req.url ?? "/", "http://x").pathname;
  try {
    switch (path) {
      case "/api/config":
        return only(req, res, ["GET"], () => publicConfig(res, deps.config));
      case "/api/session":
        return await only(req, res, ["GET", "POST", "DELETE"], () => {
          if (req.method === "POST") return signIn(req, res, ctx, deps);
          if (req.method === "DELETE") return signOut(req, res, ctx, deps);
          return sessionInfo(req, res, ctx, deps);
        });
      case "/api/parts":
        return await only(req, res, ["GET", "HEAD"], () =>
          withLive(
            req,
            deps,
            async (live) => {
              if (!deps.parts) return fail(res, "internal", "Not available yet.", 501);
              await deps.parts(req, res, live);
            },
            { limiter: deps.limits?.parts, res },
          ),
        );
      case "/api/proxy":
        return await only(req, res, ["GET", "HEAD"], async () => {
          const session = await deps.manager.resolve(readCookie(req));
          if (!session) throw new BridgeError("unauthorized", "Not signed in.");
          const proxy = deps.proxy;
          if (!proxy) return fail(res, "internal", "Not available yet.", 501);
          await limited(deps.limits?.proxy, session.key, res, () => proxy(req, res));
        });
      case "/api/uploads":
        return await only(req, res, ["POST"], async () => {
          if (refuseForeignOrigin(req, res, deps)) return;
          await withLive(req, deps, async (live) => {
            if (!deps.uploads) return fail(res, "internal", "Not available yet.", 501);
            await receiveUpload(req, res, live, deps.uploads);
          });
        });
      default:
        if (path.startsWith("/api/uploads/")) {
          const uploadId = path.slice("/api/uploads/".length);
          return await only(req, res, ["DELETE"], async () => {
            if (refuseForeignOrigin(req, res, deps)) return;
            await withLive(req, deps, async (live) => {
              if (!deps.uploads) return fail(res, "internal", "Not available yet.", 501);
              await deleteUpload(res, live, uploadId, deps.uploads);
            });
          });
        }
        return fail(res, "bad_request", "No such API endpoint.", 404);
    }
  } catch (err) {
    if (res.headersSent) {
      deps.log.warn({ err, path }, "API request failed after the answer started");
      res.destroy();
      return;
    }
    if (err instanceof TooManyAttempts || err instanceof SessionLimited) {
      return sendError(res, err, { retryAfter: err.retryAfter });
    }
    if (isBridgeError(err)) {
      if (err.code === "too_large") res.setHeader("Connection", "close");
      return sendError(res, err);
    }
    deps.log.error({ err, path }, "API request failed");
    return fail(res, "internal", "Something went wrong in the bridge.");
  }
}

async function only(
  req: IncomingMessage,
  res: ServerResponse,
  methods: string[],
  fn: () => void | Promise<void>,
): Promise<void> {
  if (!methods.includes(req.method ?? "")) {
    res.setHeader("Allow", methods.join(", "));
    return fail(res, "bad_request", "Method not allowed.", 405);
  }
  await fn();
}

/** State-changing requests must come from an allowed Origin (CSRF defence). */
function refuseForeignOrigin(req: IncomingMessage, res: ServerResponse, deps: ApiDeps): boolean {
  if (deps.origins().allows(header(req, "origin"))) return false;
  fail(res, "bad_request", "Requests from this origin are not allowed.", 403);
  return true;
}

function publicConfig(res: ServerResponse, config: Config): void {
  const body: TPublicConfig = {
    protocolVersion: PROTOCOL_VERSION,
    imapPinned: config.imap !== null,
    smtpPinned: config.smtp !== null,
    demo: config.demo,
    rules: config.sieve !== null,
    uploadMaxBytes: config.uploadMaxBytes,
    messageMaxBytes: config.messageMaxBytes,
  };
  sendJson(res, 200, body);
}

async function signIn(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  deps: ApiDeps,
): Promise<void> {
  if (refuseForeignOrigin(req, res, deps)) return;
  const parsed = ZSessionRequest.safeParse(await readJsonBody(req));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` (${issue.path.join(".")})` : "";
    return fail(res, "bad_request", `The sign-in request is not valid${where}.`);
  }
  // Read beside the IMAP login, so the answer waits for no more than it did.
  const saved = savedConversations(parsed.data, deps);
  // The session's command connection logs in once the answer is sent (or the sign-in failed):
  // the answer's read has the server and this process to itself.
  let answer = () => {};
  const answered = new Promise<void>((resolve) => {
    answer = resolve;
  });
  try {
    const { id, info, live } = await deps.manager.signIn(parsed.data, {
      ip: ctx.ip,
      previousId: readCookie(req),
      answered,
    });
    // Asked for, the answer carries INBOX's first window when it is read in time: the browser
    // paints the rows without waiting for its socket. Else the browser asks for it as soon as
    // its socket is up: it is read from now. The window is of the kind the user chose, which a
    // browser new to the account can only guess: the answer says which, and the page shows it.
    const wanted = parsed.data.inbox;
    const conversations = await saved;
    let inbox: TSignInWindow | null = null;
    if (wanted) {
      inbox = await inboxHeadForSignIn(live.mail, {
        conversations: conversations ?? wanted.conversations,
        me: live.email,
        rows: wanted.rows,
        sort: wanted.sort,
      });
    } else {
      prefetchInboxHead(
        live.mail,
        conversations === true ? { account: live.account, me: live.email } : undefined,
      );
    }
    res.setHeader("Set-Cookie", sessionCookie(id, ctx.secure));
    const body: TSessionInfo = {
      ...info,
      ...(inbox ? { inbox } : {}),
      ...(conversations === undefined ? {} : { conversations }),
    };
    sendJson(res, 200, body);
  } finally {
    answer();
  }
}

/**
 * The account's saved list view (conversations or one row per message), or undefined when there
 * is no settings store, the request names no server it may reach (the sign-in then fails on
 * that itself) or the store cannot be read (the browser's guess stands, as before). Read before
 * the credentials are checked, it is told only in a successful sign-in's answer.
 */
function savedConversations(request: TSessionRequest, deps: ApiDeps): Promise<boolean | undefined> {
  const settings = deps.settings;
  if (!settings) return Promise.resolve(undefined);
  let account: string;
  try {
    account = accountKey(signInTargets(deps.config, request).imap, request.email.trim());
  } catch {
    return Promise.resolve(undefined);
  }
  return settings.get(account).then(
    (stored) => stored.settings.conversations,
    (err: unknown) => {
      deps.log.warn(
        { err },
        "settings unreadable at sign-in: the browser's guess of the list view",
      );
      return undefined;
    },
  );
}

/**
 * Sent when a session ends: the browser drops its HTTP cache and this origin's storage (IndexedDB,
 * Cache Storage, localStorage). Not "cookies": that clears every cookie of the whole registrable
 * domain (other apps on sibling subdomains too); the session cookie is expired by name instead.
 */
const CLEAR_SITE_DATA = '"cache", "storage"';

async function signOut(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  deps: ApiDeps,
): Promise<void> {
  if (refuseForeignOrigin(req, res, deps)) return;
  const id = readCookie(req);
  if (id !== undefined) await deps.manager.signOut(id);
  res.setHeader("Set-Cookie", clearedSessionCookie(ctx.secure));
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Clear-Site-Data", CLEAR_SITE_DATA);
  res.statusCode = 204;
  res.end();
}

async function sessionInfo(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  deps: ApiDeps,
): Promise<void> {
  const cookie = readCookie(req);
  const session = await deps.manager.resolve(cookie);
  if (!session) {
    // A cookie of a session that ended (expired, signed out elsewhere): whatever the browser kept
    // of that session goes too, even if the page's own clean-up never runs.
    if (cookie !== undefined) {
      res.setHeader("Set-Cookie", clearedSessionCookie(ctx.secure));
      res.setHeader("Clear-Site-Data", CLEAR_SITE_DATA);
    }
    return fail(res, "unauthorized", "Not signed in.");
  }
  const body: TSessionInfo = { email: session.record.email, protocolVersion: PROTOCOL_VERSION };
  sendJson(res, 200, body);
}

/**
 * Runs `fn` with the live session of the request's cookie (rebuilt when it was detached), held
 * in use until `fn` settles; with `limits`, only once the session's limiter lets it run.
 */
async function withLive(
  req: IncomingMessage,
  deps: ApiDeps,
  fn: (live: LiveSession) => Promise<void>,
  limits?: { limiter: SessionRequestLimiter | undefined; res: ServerResponse },
): Promise<void> {
  const session = await deps.manager.resolve(readCookie(req));
  if (!session) throw new BridgeError("unauthorized", "Not signed in.");
  const run = async () => {
    const lease = await deps.manager.acquire(session);
    try {
      await fn(lease.session);
    } finally {
      lease.release();
    }
  };
  if (!limits) return run();
  await limited(limits.limiter, session.key, limits.res, run);
}

/** Runs `fn` under `limiter` for session `key`; a wait ends when the browser goes away. */
async function limited(
  limiter: SessionRequestLimiter | undefined,
  key: string,
  res: ServerResponse,
  fn: () => Promise<void>,
): Promise<void> {
  if (!limiter) return fn();
  const gone = new AbortController();
  const onClose = () => gone.abort();
  res.once("close", onClose);
  try {
    await limiter.run(key, fn, gone.signal);
  } finally {
    res.off("close", onClose);
  }
}
