/**
 * Small HTTP helpers shared by the API and static serving: security headers on every response,
 * JSON answers, typed error bodies, the client's address and scheme (honouring a trusted proxy).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { THttpError } from "@ferry/protocol";
import { BridgeError, httpStatusOf } from "../errors";

/** Headers every response carries, whatever it is. */
export const BASE_SECURITY_HEADERS: Record<string, string> = {
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Permissions-Policy":
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), midi=(), display-capture=(), browsing-topics=()",
};

/** CSP of responses that are data, not documents (API answers). */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

export interface RequestContext {
  /** The request came over https (directly, or per X-Forwarded-Proto from a trusted proxy). */
  secure: boolean;
  /** Client IP (the proxy's X-Forwarded-For entry when trusted). */
  ip: string;
}

export function requestContext(req: IncomingMessage, trustProxy: boolean): RequestContext {
  const direct = "encrypted" in req.socket && req.socket.encrypted === true;
  let secure = direct;
  let ip = req.socket.remoteAddress ?? "unknown";
  if (trustProxy) {
    const proto = header(req, "x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
    if (proto === "https") secure = true;
    else if (proto === "http") secure = direct;
    // The last entry is the one our proxy appended; earlier ones are client-controlled.
    const forwarded = header(req, "x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) ip = forwarded;
  }
  return { secure, ip };
}

/** A single-valued request header (first value when repeated). */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function applySecurityHeaders(res: ServerResponse, csp: string, secure: boolean): void {
  for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) res.setHeader(name, value);
  res.setHeader("Content-Security-Policy", csp);
  if (secure) res.setHeader("Strict-Transport-Security", "max-age=31536000");
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}

/** Answers with the error's status and a ZHttpError body. */
export function sendError(
  res: ServerResponse,
  err: BridgeError,
  extra: { retryAfter?: number; status?: number } = {},
): void {
  const body: THttpError = { error: { code: err.code, message: err.message } };
  if (err.position !== undefined) body.error.position = err.position;
  if (extra.retryAfter !== undefined) {
    body.error.retryAfter = extra.retryAfter;
    res.setHeader("Retry-After", String(extra.retryAfter));
  }
  sendJson(res, extra.status ?? httpStatusOf(err.code), body);
}

/** Shorthand for a typed error answer. */
export function fail(
  res: ServerResponse,
  code: BridgeError["code"],
  message: string,
  status?: number,
): void {
  sendError(res, new BridgeError(code, message), status === undefined ? {} : { status });
}
