/**
 * The image proxy, `GET /api/proxy?url=<encoded>`: fetches remote images a user chose to load
 * in a message, so the sender sees the bridge rather than the user, and so the bridge's own
 * network stays out of reach.
 *
 * - Only http: and https: URLs, without credentials, at most 4096 characters, on ports 80, 443,
 *   8080 or 8443 (the default; `allowedPorts` changes it): the proxy is no port scanner.
 * - The host is resolved here and refused when any address is not public (net/address.ts),
 *   unless `allowPrivate`. The request then goes to that checked address (a `lookup` that
 *   returns it), keeping the name for the Host header, SNI and certificate checks, so a second
 *   DNS answer cannot point it elsewhere (DNS rebinding). TLS is verified as usual.
 * - Redirects are followed here, at most 5, each hop checked like the first.
 * - Only a 200 answer with an `image/*` type other than SVG (which can carry script) passes,
 *   and only when its first bytes are PNG, JPEG, GIF, WebP, AVIF, BMP or ICO; it is served with
 *   the sniffed type. The size is capped (10 MB by default; refused up front when announced,
 *   cut off when the stream exceeds it) and the whole fetch has a deadline.
 * - Nothing of the user's request is forwarded: no cookies, Authorization, Referer or client
 *   address; a generic User-Agent and Accept are sent.
 *
 * Errors are ZHttpError JSON: 400 bad_request for a malformed request, 403 proxy_refused for
 * a target refused by the rules above, 502 proxy_refused when fetching failed or the answer is
 * not an acceptable image. Messages are the bridge's own; upstream text is never passed on.
 * Once an image has started streaming, a failure can only cut the response short.
 */
import { once } from "node:events";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { TErrorCode } from "@ferry/protocol";
import { BridgeError } from "../errors";
import { type ResolvedAddress, type Resolver, resolvePublicHost } from "../net/address";
import { sendError } from "./respond";

/** Options of {@link handleProxyRequest}. */
export interface ProxyOptions {
  /** Let targets resolve to private, loopback, link-local… addresses (administrator choice). */
  allowPrivate: boolean;
  /** Largest image passed, in bytes. Default {@link DEFAULT_MAX_BYTES}. */
  maxBytes?: number;
  /** Deadline for the whole fetch (DNS, redirects, body), in ms. Default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Name resolution; defaults to the system resolver (`dns.lookup`). */
  resolver?: Resolver;
  /** Ports a target may use, or "any". Default {@link DEFAULT_ALLOWED_PORTS}. */
  allowedPorts?: readonly number[] | "any";
}

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_ALLOWED_PORTS: readonly number[] = [80, 443, 8080, 8443];
export const MAX_URL_LENGTH = 4096;
export const MAX_REDIRECTS = 5;

/** What the proxy says about itself upstream: nothing about the user. */
const UPSTREAM_HEADERS = {
  "User-Agent": "Mozilla/5.0 (compatible; Ferry image proxy)",
  Accept: "image/avif,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8",
  "Accept-Encoding": "identity",
};
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Bytes held back before answering, enough to recognise every accepted format. */
const SNIFF_BYTES = 32;

/** A refusal with the HTTP status it is answered with. */
class ProxyRefusal extends Error {
  constructor(
    readonly status: 400 | 403 | 405 | 502,
    readonly code: TErrorCode,
    message: string,
  ) {
    super(message);
  }
}
const badRequest = (message: string) => new ProxyRefusal(400, "bad_request", message);
const refused = (message: string) => new ProxyRefusal(403, "proxy_refused", message);
const failed = (message: string) => new ProxyRefusal(502, "proxy_refused", message);

/**
 * Answers `GET /api/proxy?url=…` with the remote image or a typed JSON error. Never throws;
 * mount it behind the session check.
 */
export async function handleProxyRequest(
  req: IncomingMessage,
  res: ServerResponse,
  opts: ProxyOptions,
): Promise<void> {
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(failed("The image took too long to load.")),
    opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  );
  // The user went away: stop fetching.
  const onClose = () => deadline.abort(failed("The request was cancelled."));
  res.once("close", onClose);
  try {
    if (req.method !== "GET") {
      res.setHeader("Allow", "GET");
      throw new ProxyRefusal(405, "bad_request", "Only GET is supported.");
    }
    const target = targetOf(req);
    const upstream = await fetchFollowingRedirects(target, opts, deadline.signal);
    await relayImage(upstream, res, opts.maxBytes ?? DEFAULT_MAX_BYTES, deadline.signal);
  } catch (err) {
    // A timeout or disconnect surfaces as whatever the aborted operation threw.
    const reason: unknown = deadline.signal.aborted ? deadline.signal.reason : err;
    if (res.headersSent) {
      res.destroy();
    } else if (!res.destroyed) {
      const refusal =
        reason instanceof ProxyRefusal ? reason : failed("The image could not be loaded.");
      sendError(res, new BridgeError(refusal.code, refusal.message), { status: refusal.status });
    }
  } finally {
    clearTimeout(timer);
    res.off("close", onClose);
  }
}

/** The `url` parameter, parsed. */
function targetOf(req: IncomingMessage): URL {
  const params = new URL(req.url ?? "/", "http://bridge.invalid").searchParams.getAll("url");
  const [text] = params;
  if (params.length !== 1 || text === undefined || text === "") {
    throw badRequest("Give the image address as exactly one url parameter.");
  }
  if (text.length > MAX_URL_LENGTH) {
    throw badRequest(`The image address is too long (at most ${MAX_URL_LENGTH} characters).`);
  }
  try {
    return new URL(text);
  } catch {
    throw badRequest("The image address is not a valid URL.");
  }
}

/** Refuses what no hop may be: another scheme, credentials, a port not allowed. */
function checkTarget(url: URL, opts: ProxyOptions): void {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw refused("Only http and https images can be loaded.");
  }
  if (url.username !== "" || url.password !== "") {
    throw refused("Image addresses with a user name or password are not loaded.");
  }
  const allowed = opts.allowedPorts ?? DEFAULT_ALLOWED_PORTS;
  if (allowed !== "any" && !allowed.includes(portOf(url))) {
    throw refused("Images are only loaded from the usual web ports.");
  }
}

function portOf(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

/** GETs `start`, following up to MAX_REDIRECTS redirects, each checked; the final response. */
async function fetchFollowingRedirects(
  start: URL,
  opts: ProxyOptions,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  let url = start;
  for (let hop = 0; ; hop++) {
    checkTarget(url, opts);
    const address = await checkedAddress(url, opts, signal);
    const response = await get(url, address, signal);
    const status = response.statusCode ?? 0;
    if (!REDIRECTS.has(status)) return response;
    response.destroy();
    if (hop >= MAX_REDIRECTS)
      throw failed(`The image address redirects more than ${MAX_REDIRECTS} times.`);
    const location = response.headers.location;
    if (location === undefined) throw failed("The image address redirects nowhere.");
    try {
      url = new URL(location, url);
    } catch {
      throw failed("The image address redirects to an invalid URL.");
    }
  }
}

/** Resolves the URL's host and returns the address to connect to, refusing non-public ones. */
async function checkedAddress(
  url: URL,
  opts: ProxyOptions,
  signal: AbortSignal,
): Promise<ResolvedAddress> {
  const resolution = await abortable(
    resolvePublicHost(url.hostname, {
      allowPrivate: opts.allowPrivate,
      ...(opts.resolver === undefined ? {} : { resolver: opts.resolver }),
    }),
    signal,
  );
  if (resolution.ok) return resolution.address;
  if (resolution.reason === "not_found") throw failed("The image's server could not be found.");
  throw refused("Images on private or local networks are not loaded.");
}

/** One GET to `url`, connected to the already checked `address`. */
function get(url: URL, address: ResolvedAddress, signal: AbortSignal): Promise<IncomingMessage> {
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [address]);
    else callback(null, address.address, address.family);
  };
  const options: http.RequestOptions = {
    method: "GET",
    hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
    port: portOf(url),
    path: `${url.pathname}${url.search}`,
    headers: UPSTREAM_HEADERS,
    // A fresh connection each time: a pooled socket could have been opened under other rules.
    agent: false,
    lookup: pinned,
    signal,
  };
  return new Promise((resolve, reject) => {
    const request = url.protocol === "https:" ? https.request(options) : http.request(options);
    request.once("response", resolve);
    request.on("error", reject);
    request.end();
  });
}

/** Checks the final response and streams it to `res`, capped at `maxBytes`. */
async function relayImage(
  upstream: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  signal: AbortSignal,
): Promise<void> {
  try {
    const status = upstream.statusCode ?? 0;
    if (status !== 200)
      throw failed(`The image's server did not return an image (HTTP ${status}).`);
    const encoding = upstream.headers["content-encoding"]?.trim().toLowerCase();
    if (encoding !== undefined && encoding !== "" && encoding !== "identity") {
      throw failed("The image's server sent it compressed, which is not supported.");
    }
    const type = upstream.headers["content-type"]?.split(";")[0]?.trim().toLowerCase() ?? "";
    if (type === "image/svg+xml")
      throw failed("SVG images are not loaded: they can carry scripts.");
    if (!type.startsWith("image/")) throw failed("The address does not point to an image.");
    const declared = contentLength(upstream);
    if (declared !== undefined && declared > maxBytes) throw failed(tooLargeMessage(maxBytes));

    let head = Buffer.alloc(0);
    let total = 0;
    let started = false;
    const start = () => {
      const sniffed = sniffImageType(head);
      if (sniffed === undefined)
        throw failed("The address does not point to an image in a supported format.");
      res.statusCode = 200;
      res.setHeader("Content-Type", sniffed);
      if (declared !== undefined) res.setHeader("Content-Length", declared);
      res.setHeader("X-Content-Type-Options", "nosniff");
      res.setHeader("Content-Security-Policy", "default-src 'none'; sandbox");
      res.setHeader("Cache-Control", "private, no-store");
      res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
      started = true;
      res.write(head);
    };
    for await (const chunk of upstream) {
      if (!Buffer.isBuffer(chunk)) throw failed("The image could not be loaded.");
      total += chunk.length;
      if (total > maxBytes) throw failed(tooLargeMessage(maxBytes));
      if (!started) {
        head = Buffer.concat([head, chunk]);
        if (head.length >= SNIFF_BYTES) start();
      } else if (!res.write(chunk)) {
        await once(res, "drain", { signal });
      }
    }
    if (!started) {
      if (head.length === 0) throw failed("The image is empty.");
      start();
    }
    res.end();
  } finally {
    upstream.destroy();
  }
}

function contentLength(response: IncomingMessage): number | undefined {
  const text = response.headers["content-length"];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

function tooLargeMessage(maxBytes: number): string {
  const [size, unit] =
    maxBytes >= 1024 * 1024
      ? [maxBytes / 1024 / 1024, "MB"]
      : maxBytes >= 1024
        ? [maxBytes / 1024, "KB"]
        : [maxBytes, "bytes"];
  return `The image is larger than the limit of ${Math.round(size * 10) / 10} ${unit}.`;
}

/** Rejects with the signal's reason when it aborts first. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

const startsWith = (bytes: Buffer, prefix: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + prefix.length && prefix.every((b, i) => bytes[offset + i] === b);
const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/**
 * The image type the first bytes of a file show, among those passed: PNG, JPEG, GIF, WebP,
 * AVIF, BMP and ICO. Undefined for anything else (SVG, HTML, …).
 */
export function sniffImageType(bytes: Buffer): string | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "image/gif";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp";
  if (isAvif(bytes)) return "image/avif";
  if (startsWith(bytes, ascii("BM")) && bytes.length >= 14) return "image/bmp";
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00]) && bytes.length >= 6 && bytes[4] !== 0) {
    return "image/x-icon";
  }
  return undefined;
}

/** An ISO-BMFF `ftyp` box whose major or a compatible brand is avif/avis. */
function isAvif(bytes: Buffer): boolean {
  if (bytes.length < 16 || !startsWith(bytes, ascii("ftyp"), 4)) return false;
  const boxEnd = Math.min(bytes.readUInt32BE(0), bytes.length);
  for (let at = 8; at + 4 <= boxEnd; at += at === 8 ? 8 : 4) {
    // Major brand at 8, minor version at 12, compatible brands from 16.
    const brand = bytes.toString("latin1", at, at + 4);
    if (brand === "avif" || brand === "avis") return true;
  }
  return false;
}
