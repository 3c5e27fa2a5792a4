/**
 * Serving the built web app (Next.js static export) from FERRY_WEB_DIR: clean paths to .html,
 * the app shell for unknown app paths (deep links), immutable caching of /_next/static, gzip/br,
 * and a strict CSP per HTML document whose script-src lists the SHA-256 of that document's
 * inline scripts (Next.js inlines its RSC payload) instead of 'unsafe-inline'. A file is
 * compressed once per encoding, off the event loop (zlib on the thread pool, two files at once),
 * and requests that arrive meanwhile wait for that one compression.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, gzip, constants as zlibConstants } from "node:zlib";
import type { Logger } from "../log";
import { applySecurityHeaders, header } from "./respond";

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".otf": "font/otf",
  ".wasm": "application/wasm",
};

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

type Encoding = "br" | "gzip";

/**
 * Compressions running at once on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says
 * otherwise): the rest wait, so that file reads and DNS lookups (IMAP connects) still find a free
 * thread while a page's first load asks for all of its chunks.
 */
const COMPRESSIONS_AT_ONCE = 2;
let compressing = 0;
const waitingToCompress: (() => void)[] = [];

/** Compresses on the thread pool, so the event loop keeps answering meanwhile. */
async function compress(body: Buffer, encoding: Encoding): Promise<Buffer> {
  if (compressing < COMPRESSIONS_AT_ONCE) compressing++;
  else await new Promise<void>((resolve) => waitingToCompress.push(resolve)); // handed its slot
  try {
    return await (encoding === "br"
      ? brotliAsync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9 } })
      : gzipAsync(body, { level: 9 }));
  } finally {
    const next = waitingToCompress.shift();
    if (next) next();
    else compressing--;
  }
}

const COMPRESSIBLE = /^(text\/|application\/(json|manifest\+json|xml|wasm)|image\/svg\+xml)/;

/** Files up to this size are kept in memory (with their compressed forms). */
const CACHE_MAX_FILE = 2 * 1024 * 1024;

/**
 * The app's CSP. `scriptHashes` are 'sha256-…' sources for the document's inline scripts;
 * `host` (validated) adds explicit ws:/wss: sources for browsers where 'self' does not cover them.
 */
export function appCsp(scriptHashes: readonly string[], host: string | undefined): string {
  const ws = host !== undefined && isSafeHost(host) ? ` ws://${host} wss://${host}` : "";
  return [
    "default-src 'self'",
    `script-src 'self'${scriptHashes.map((h) => ` '${h}'`).join("")}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${ws}`,
    "frame-src 'self' blob: about:",
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** A Host header fit to echo into a header: a name or IP literal with an optional port. */
function isSafeHost(host: string): boolean {
  return /^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/i.test(host);
}

/** SHA-256 sources of every inline (src-less, JavaScript) script in an HTML document. */
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const attrs = match[1] ?? "";
    if (/\bsrc\s*=/i.test(attrs)) continue;
    const type = /\btype\s*=\s*["']?([^"'\s>]+)/i.exec(attrs)?.[1]?.toLowerCase();
    if (type !== undefined && !/^(text\/javascript|application\/javascript|module)$/.test(type)) {
      continue; // data blocks (JSON, ld+json) are not scripts
    }
    hashes.add(
      `sha256-${createHash("sha256")
        .update(match[2] ?? "", "utf8")
        .digest("base64")}`,
    );
  }
  return [...hashes];
}

interface CachedFile {
  mtimeMs: number;
  size: number;
  body: Buffer;
  /** Each encoding's one compression, shared by the requests that ask while it runs. */
  compressed: Partial<Record<Encoding, Promise<Buffer>>>;
  scriptHashes: string[];
}

interface Found {
  path: string;
  size: number;
  mtimeMs: number;
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ferry</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>Ferry's web app is not built</h1>
<p>The bridge is running, but it found no built web app to serve. Build it with
<code>pnpm --filter @ferry/web build</code>, or point <code>FERRY_WEB_DIR</code> at the
directory that holds it.</p>
</body></html>
`;

export class StaticSite {
  readonly #root: string;
  readonly #log: Logger;
  readonly #cache = new Map<
    string,
    { mtimeMs: number; size: number; entry: Promise<CachedFile> }
  >();

  constructor(root: string, log: Logger) {
    this.#root = resolve(root);
    this.#log = log;
  }

  get root(): string {
    return this.#root;
  }

  /** Answers a GET/HEAD for a non-API path. */
  async serve(req: IncomingMessage, res: ServerResponse, secure: boolean): Promise<void> {
    const host = header(req, "host");
    if (req.method !== "GET" && req.method !== "HEAD") {
      applySecurityHeaders(res, appCsp([], host), secure);
      res.setHeader("Allow", "GET, HEAD");
      return this.#plain(res, 405, "Method not allowed");
    }
    const pathname = new URL(req.url ?? "/", "http://x").pathname;
    if (!(await this.#isBuilt())) {
      applySecurityHeaders(res, appCsp([], host), secure);
      res.statusCode = 503;
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.setHeader("Cache-Control", "no-store");
      res.end(req.method === "HEAD" ? undefined : NOT_BUILT_PAGE);
      return;
    }
    const rel = this.#relative(pathname);
    if (rel === null) {
      applySecurityHeaders(res, appCsp([], host), secure);
      return this.#plain(res, 404, "Not found");
    }
    let found = await this.#find(rel);
    let status = 200;
    if (!found && this.#wantsShell(req, rel)) found = await this.#file("index.html");
    if (!found) {
      status = 404;
      const accept = header(req, "accept") ?? "";
      found = accept.includes("text/html") ? await this.#file("404.html") : null;
      if (!found) {
        applySecurityHeaders(res, appCsp([], host), secure);
        return this.#plain(res, 404, "Not found");
      }
    }
    await this.#send(req, res, found, status, secure, rel);
  }

  async #isBuilt(): Promise<boolean> {
    try {
      return (await stat(resolve(this.#root, "index.html"))).isFile();
    } catch {
      return false;
    }
  }

  /**
   * The request path as a path relative to the root, or null when it could escape the root or
   * names a hidden file. Percent-decoding happens before the checks.
   */
  #relative(pathname: string): string | null {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (decoded.includes("\0") || decoded.includes("\\")) return null;
    const segments = decoded.split("/").filter((s) => s !== "");
    if (segments.some((s) => s.startsWith("."))) return null;
    const rel = segments.join("/");
    const full = resolve(this.#root, rel);
    if (full !== this.#root && !full.startsWith(this.#root + sep)) return null;
    return decoded.endsWith("/") && rel !== "" ? `${rel}/` : rel;
  }

  async #file(rel: string): Promise<Found | null> {
    const full = resolve(this.#root, rel);
    if (full !== this.#root && !full.startsWith(this.#root + sep)) return null;
    try {
      const s = await stat(full);
      return s.isFile() ? { path: full, size: s.size, mtimeMs: s.mtimeMs } : null;
    } catch {
      return null;
    }
  }

  /** `/x` → x, x.html, x/index.html; `/x/` → x/index.html; `/` → index.html. */
  async #find(rel: string): Promise<Found | null> {
    if (rel === "") return this.#file("index.html");
    if (rel.endsWith("/")) return this.#file(`${rel}index.html`);
    return (
      (await this.#file(rel)) ??
      (extname(rel) === "" || !(extname(rel) in MIME) ? await this.#file(`${rel}.html`) : null) ??
      (await this.#file(`${rel}/index.html`))
    );
  }

  /** A GET for an app route (not a file, not the API): answered with the app shell. */
  #wantsShell(req: IncomingMessage, rel: string): boolean {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (rel.startsWith("_next/") || extname(rel) !== "") return false;
    return (header(req, "accept") ?? "").includes("text/html");
  }

  async #cached(found: Found): Promise<CachedFile | null> {
    if (found.size > CACHE_MAX_FILE) return null;
    const hit = this.#cache.get(found.path);
    if (hit && hit.mtimeMs === found.mtimeMs && hit.size === found.size) return hit.entry;
    const entry = readFile(found.path).then(
      (body): CachedFile => ({
        mtimeMs: found.mtimeMs,
        size: found.size,
        body,
        compressed: {},
        scriptHashes: found.path.endsWith(".html") ? inlineScriptHashes(body.toString("utf8")) : [],
      }),
    );
    const slot = { mtimeMs: found.mtimeMs, size: found.size, entry };
    this.#cache.set(found.path, slot);
    entry.catch(() => {
      if (this.#cache.get(found.path) === slot) this.#cache.delete(found.path);
    });
    return entry;
  }

  /**
   * The file in `encoding`, compressed once; null (send it as it is) when the compression
   * failed, which is logged and tried again by a later request.
   */
  async #encoded(cached: CachedFile, encoding: Encoding, rel: string): Promise<Buffer | null> {
    let pending = cached.compressed[encoding];
    if (!pending) {
      pending = compress(cached.body, encoding);
      cached.compressed[encoding] = pending;
    }
    try {
      return await pending;
    } catch (err) {
      if (cached.compressed[encoding] === pending) delete cached.compressed[encoding];
      this.#log.warn({ err, path: rel, encoding }, "static file compression failed");
      return null;
    }
  }

  async #send(
    req: IncomingMessage,
    res: ServerResponse,
    found: Found,
    status: number,
    secure: boolean,
    rel: string,
  ): Promise<void> {
    const type = MIME[extname(found.path).toLowerCase()] ?? "application/octet-stream";
    let cached: CachedFile | null;
    try {
      cached = await this.#cached(found);
    } catch (err) {
      this.#log.warn({ err, path: rel }, "static file read failed");
      applySecurityHeaders(res, appCsp([], header(req, "host")), secure);
      return this.#plain(res, 500, "Could not read the file");
    }
    applySecurityHeaders(res, appCsp(cached?.scriptHashes ?? [], header(req, "host")), secure);
    res.setHeader("Content-Type", type);
    res.setHeader(
      "Cache-Control",
      rel.startsWith("_next/static/") && status === 200
        ? "public, max-age=31536000, immutable"
        : "no-cache",
    );
    const etag = `W/"${found.size.toString(16)}-${Math.floor(found.mtimeMs).toString(16)}"`;
    res.setHeader("ETag", etag);
    if (status === 200 && header(req, "if-none-match") === etag) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.statusCode = status;
    const head = req.method === "HEAD";
    if (!cached) {
      res.setHeader("Content-Length", found.size);
      if (head) return void res.end();
      const stream = createReadStream(found.path);
      stream.on("error", (err) => {
        this.#log.warn({ err, path: rel }, "static file read failed");
        res.destroy();
      });
      stream.pipe(res);
      return;
    }
    let body = cached.body;
    if (COMPRESSIBLE.test(type) && cached.body.length > 512) {
      res.setHeader("Vary", "Accept-Encoding");
      const accept = header(req, "accept-encoding") ?? "";
      const encoding: Encoding | null = /\bbr\b/.test(accept)
        ? "br"
        : /\bgzip\b/.test(accept)
          ? "gzip"
          : null;
      const encoded = encoding ? await this.#encoded(cached, encoding, rel) : null;
      if (encoding && encoded) {
        body = encoded;
        res.setHeader("Content-Encoding", encoding);
      }
    }
    res.setHeader("Content-Length", body.length);
    res.end(head ? undefined : body);
  }

  #plain(res: ServerResponse, status: number, text: string): void {
    res.statusCode = status;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.setHeader("Cache-Control", "no-store");
    res.end(text);
  }
}
