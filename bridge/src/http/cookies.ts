/**
 * The session cookie: `ferry_session`, HttpOnly, SameSite=Strict, Path=/, Secure over https.
 * No Max-Age: it is a browser-session cookie; the server side expires after idle time.
 */
import type { IncomingMessage } from "node:http";

export const SESSION_COOKIE = "ferry_session";

/** The value of cookie `name` in the request, or undefined. */
export function readCookie(req: IncomingMessage, name = SESSION_COOKIE): string | undefined {
  const raw = req.headers.cookie;
  if (!raw) return undefined;
  for (const part of raw.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(id: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? "; Secure" : ""}`;
}
