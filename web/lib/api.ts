/**
 * The bridge's HTTP API as the browser uses it: public config, sign-in, session check and
 * sign-out. Responses are validated with the protocol's schemas (a chunk of their own, see
 * lazy-protocol.ts); failures become `FerryError`s carrying the protocol's error code and the
 * HTTP status.
 */
import type { TErrorCode, TPublicConfig, TSessionInfo, TSessionRequest } from "@ferry/protocol";
import { FerryError } from "./errors";
import { type Protocol, protocolChunk } from "./lazy-protocol";

/** A failed call: the answer's code and status, or `network` (status 0) when none came. */
function failure(code: TErrorCode, status: number, message: string, retryAfter?: number) {
  return new FerryError(code, message, { status, retryAfter });
}

const UNREACHABLE = "The Ferry server could not be reached";

/** The schemas answers are checked with (a chunk of their own, fetched alongside the request). */
async function schemas(): Promise<Protocol> {
  try {
    return await protocolChunk.preload();
  } catch {
    throw failure("network", 0, UNREACHABLE);
  }
}

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  protocolChunk.preload().catch(() => undefined);
  let res: Response;
  try {
    res = await fetch(path, {
      credentials: "same-origin",
      cache: "no-store",
      ...init,
      headers: { Accept: "application/json", ...(init.headers ?? {}) },
    });
  } catch {
    throw failure("network", 0, UNREACHABLE);
  }
  if (res.ok) return res;
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: fall through with a code from the status
  }
  const parsed = (await schemas()).ZHttpError.safeParse(body);
  if (parsed.success) {
    const e = parsed.data.error;
    const header = Number(res.headers.get("Retry-After"));
    const retryAfter = e.retryAfter ?? (Number.isFinite(header) && header > 0 ? header : undefined);
    throw failure(e.code, res.status, e.message, retryAfter);
  }
  const code: TErrorCode =
    res.status === 401 ? "unauthorized" : res.status === 429 ? "too_many_attempts" : "internal";
  throw failure(code, res.status, `HTTP ${res.status}`);
}

async function json(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    throw failure("internal", res.status, "The server's answer was not JSON");
  }
}

/** The query key /api/config is cached under. */
export const PUBLIC_CONFIG_KEY = ["public-config"] as const;

export async function fetchPublicConfig(): Promise<TPublicConfig> {
  const body = await json(await call("/api/config"));
  const parsed = (await schemas()).ZPublicConfig.safeParse(body);
  if (!parsed.success) throw failure("unsupported_version", 200, "Unexpected config");
  return parsed.data;
}

/** The current session, or null when signed out. Throws a `network` FerryError when offline. */
export async function fetchSession(): Promise<TSessionInfo | null> {
  try {
    const body = await json(await call("/api/session"));
    const parsed = (await schemas()).ZSessionInfo.safeParse(body);
    if (!parsed.success) throw failure("unsupported_version", 200, "Unexpected session");
    return parsed.data;
  } catch (err) {
    if (err instanceof FerryError && err.status === 401) return null;
    throw err;
  }
}

export async function signIn(request: TSessionRequest): Promise<TSessionInfo> {
  const res = await call("/api/session", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(request),
  });
  const body = await json(res);
  const parsed = (await schemas()).ZSessionInfo.safeParse(body);
  if (!parsed.success) throw failure("unsupported_version", res.status, "Unexpected session");
  return parsed.data;
}

/**
 * Ends the session on the bridge. True once the bridge has heard it (or the session was already
 * over); false when it could not be reached, so the caller can tell it later.
 */
export async function signOut(): Promise<boolean> {
  try {
    await call("/api/session", { method: "DELETE" });
    return true;
  } catch (err) {
    if (!(err instanceof FerryError)) throw err;
    return err.code !== "network";
  }
}
