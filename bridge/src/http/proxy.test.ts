import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import http, { type IncomingHttpHeaders, type Server } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ZHttpError } from "@ferry/protocol";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Resolver } from "../net/address";
import { handleProxyRequest, type ProxyOptions, sniffImageType } from "./proxy";

// The network here is loopback only, so no host can really be public. `ok.test` stands in for
// one: the address check treats it as public although it resolves to the loopback test server.
// Every other name and address gets the real check.
vi.mock("../net/address", async (importOriginal) => {
  const real = await importOriginal<typeof import("../net/address")>();
  const resolvePublicHost: typeof real.resolvePublicHost = async (host, opts) =>
    host === "ok.test"
      ? { ok: true, address: { address: "127.0.0.1", family: 4 } }
      : real.resolvePublicHost(host, opts);
  return { ...real, resolvePublicHost };
});

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);
const pad = (head: readonly number[] | string, length = 64): Buffer => {
  const start = typeof head === "string" ? Buffer.from(head, "latin1") : Buffer.from(head);
  return Buffer.concat([start, Buffer.alloc(Math.max(0, length - start.length), 7)]);
};
const SAMPLES: Record<string, Buffer> = {
  "image/png": PNG,
  "image/jpeg": pad([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]),
  "image/gif": pad("GIF89a\x01\x00\x01\x00"),
  "image/webp": pad("RIFF\x24\x00\x00\x00WEBPVP8 "),
  "image/avif": pad("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf"),
  "image/bmp": pad("BM\x46\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00"),
  "image/x-icon": pad([0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x10, 0x10]),
};
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
const SECRET_PAGE = Buffer.from("<html>internal admin secret-token-123</html>");

/** One request as the upstream test server saw it. */
interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

/** A loopback HTTP server that records what reaches it. */
async function listen(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

function send(
  res: http.ServerResponse,
  type: string,
  body: Buffer,
  extra: Record<string, string> = {},
) {
  res.writeHead(200, { "Content-Type": type, "Content-Length": body.length, ...extra });
  res.end(body);
}

let upstream: Awaited<ReturnType<typeof listen>>;
let other: Awaited<ReturnType<typeof listen>>;
let bridge: Awaited<ReturnType<typeof listen>>;
let opts: ProxyOptions;
const held: http.ServerResponse[] = [];

const up = (path: string) => `http://127.0.0.1:${upstream.port}${path}`;
const resolver: Resolver = async (host) => {
  const table: Record<string, string> = {
    localhost: "127.0.0.1",
    "img.test": "127.0.0.1",
    "evil.test": "127.0.0.1",
    "ten.test": "10.0.0.1",
    "metadata.test": "169.254.169.254",
    "v6.test": "::1",
  };
  const address = table[host];
  if (address === undefined) throw new Error("ENOTFOUND");
  return [{ address, family: address.includes(":") ? 6 : 4 }];
};

beforeAll(async () => {
  upstream = await listen((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    const redirect = /^\/redirect\/(\d+)$/.exec(path);
    if (redirect) {
      const n = Number(redirect[1]);
      res.writeHead(302, { Location: n === 0 ? "/img.png" : `/redirect/${n - 1}` });
      res.end();
    } else if (path === "/redirect-to") {
      res.writeHead(307, { Location: url.searchParams.get("location") ?? "" });
      res.end();
    } else if (path === "/relative") {
      res.writeHead(301, { Location: "img.png" });
      res.end();
    } else if (path === "/img.png") {
      send(res, "image/png", PNG);
    } else if (path.startsWith("/sample/")) {
      const type = decodeURIComponent(path.slice("/sample/".length));
      send(res, type, SAMPLES[type] ?? Buffer.alloc(0));
    } else if (path === "/mislabelled") {
      send(res, "image/jpeg", PNG);
    } else if (path === "/chunked.png") {
      res.writeHead(200, { "Content-Type": "image/png; charset=binary" });
      // Smaller than the sniffing window: the proxy has to gather the first bytes.
      res.write(PNG.subarray(0, 3));
      setTimeout(() => {
        res.write(PNG.subarray(3, 20));
        setTimeout(() => res.end(PNG.subarray(20)), 5);
      }, 5);
    } else if (path === "/page.html") {
      send(res, "text/html; charset=utf-8", SECRET_PAGE);
    } else if (path === "/evil.svg") {
      send(res, "image/svg+xml", SVG);
    } else if (path === "/svg-as-png") {
      send(res, "image/png", SVG);
    } else if (path === "/html-as-png") {
      send(res, "image/png", SECRET_PAGE);
    } else if (path === "/octet") {
      send(res, "application/octet-stream", PNG);
    } else if (path === "/no-type") {
      res.end(PNG);
    } else if (path === "/missing.png") {
      res.writeHead(404, { "Content-Type": "image/png" });
      res.end(SECRET_PAGE);
    } else if (path === "/gzip.png") {
      send(res, "image/png", PNG, { "Content-Encoding": "gzip" });
    } else if (path === "/empty.png") {
      send(res, "image/png", Buffer.alloc(0));
    } else if (path === "/big-declared.png") {
      res.writeHead(200, { "Content-Type": "image/png", "Content-Length": String(1024 * 1024) });
      res.end(Buffer.concat([PNG, Buffer.alloc(1024 * 1024 - PNG.length)]));
    } else if (path === "/big-stream.png") {
      res.writeHead(200, { "Content-Type": "image/png" });
      let sent = 0;
      const pump = () => {
        while (sent < 1024 * 1024) {
          const chunk =
            sent === 0 ? pad([...PNG.subarray(0, 8)], 16 * 1024) : Buffer.alloc(16 * 1024);
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    } else if (path === "/slow.png") {
      held.push(res); // never answered
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  other = await listen((_req, res) => send(res, "image/png", PNG));
  bridge = await listen((req, res) => void handleProxyRequest(req, res, opts));
});

afterAll(async () => {
  for (const res of held) res.destroy();
  for (const { server } of [upstream, other, bridge]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

beforeEach(() => {
  upstream.seen.length = 0;
  other.seen.length = 0;
  bridge.seen.length = 0;
  opts = { allowPrivate: true, allowedPorts: "any", resolver };
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** GET /api/proxy?url=target on the test bridge. */
function proxy(target: string | string[], init: RequestInit = {}): Promise<Response> {
  const query = new URLSearchParams();
  for (const t of Array.isArray(target) ? target : [target]) query.append("url", t);
  return fetch(`http://127.0.0.1:${bridge.port}/api/proxy?${query.toString()}`, init);
}

/** The JSON error of a failed answer, after checking its status and shape. */
async function expectError(res: Response, status: number, code = "proxy_refused"): Promise<string> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const { error } = ZHttpError.parse(await res.json());
  expect(error.code).toBe(code);
  const { message } = error;
  // Nothing the upstream server said is passed on.
  expect(message).not.toMatch(/secret|alert|admin/i);
  return message;
}

describe("images pass", () => {
  it("a PNG, with the proxy's headers", async () => {
    const res = await proxy(up("/img.png"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-length")).toBe(String(PNG.length));
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect(Buffer.from(await res.arrayBuffer())).toEqual(PNG);
  });

  it.each(Object.keys(SAMPLES))("%s", async (type) => {
    const res = await proxy(up(`/sample/${encodeURIComponent(type)}`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(type);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(SAMPLES[type]);
  });

  it("streamed without Content-Length, arriving in small pieces", async () => {
    const res = await proxy(up("/chunked.png"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBeNull();
    expect(Buffer.from(await res.arrayBuffer())).toEqual(PNG);
  });

  it("served with the type its bytes show, not the one declared", async () => {
    const res = await proxy(up("/mislabelled"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
  });
});

describe("what is not an acceptable image is refused", () => {
  it.each([
    ["/page.html", "not point to an image"],
    ["/evil.svg", "SVG"],
    ["/svg-as-png", "supported format"],
    ["/html-as-png", "supported format"],
    ["/octet", "not point to an image"],
    ["/no-type", "not point to an image"],
    ["/missing.png", "HTTP 404"],
    ["/gzip.png", "compressed"],
    ["/empty.png", "empty"],
  ])("%s", async (path, fragment) => {
    const message = await expectError(await proxy(up(path)), 502);
    expect(message).toContain(fragment);
  });
});

describe("size and time limits", () => {
  it("refuses an image announced larger than the cap before reading it", async () => {
    opts.maxBytes = 512 * 1024;
    const message = await expectError(await proxy(up("/big-declared.png")), 502);
    expect(message).toContain("larger than the limit of 512 KB");
  });

  it("cuts off an image that turns out larger than the cap", async () => {
    opts.maxBytes = 64 * 1024;
    const res = await proxy(up("/big-stream.png"));
    // The answer had started; the only way to refuse now is to cut it short.
    expect(res.status).toBe(200);
    let received = 0;
    const read = async () => {
      const reader = res.body?.getReader();
      if (!reader) throw new Error("no body");
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        received += value.length;
      }
    };
    await expect(read()).rejects.toThrow();
    expect(received).toBeLessThanOrEqual(64 * 1024);
  });

  it("gives up after the deadline", async () => {
    opts.timeoutMs = 200;
    const message = await expectError(await proxy(up("/slow.png")), 502);
    expect(message).toContain("too long");
  });
});

describe("redirects", () => {
  it("follows a chain of 5", async () => {
    const res = await proxy(up("/redirect/4"));
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(PNG);
    expect(upstream.seen.map((s) => s.url)).toEqual([
      "/redirect/4",
      "/redirect/3",
      "/redirect/2",
      "/redirect/1",
      "/redirect/0",
      "/img.png",
    ]);
  });

  it("refuses a sixth", async () => {
    const message = await expectError(await proxy(up("/redirect/5")), 502);
    expect(message).toContain("more than 5");
    expect(upstream.seen).toHaveLength(6);
  });

  it("resolves a relative Location", async () => {
    const res = await proxy(up("/relative"));
    expect(res.status).toBe(200);
  });

  it("checks every hop: a public host redirecting inside is refused", async () => {
    opts = { allowPrivate: false, allowedPorts: "any", resolver };
    const okBase = `http://ok.test:${upstream.port}`;
    // The stand-in public host serves images…
    expect((await proxy(`${okBase}/img.png`)).status).toBe(200);
    upstream.seen.length = 0;

    const inside = [
      `http://evil.test:${upstream.port}/img.png`,
      `http://127.0.0.1:${upstream.port}/img.png`,
      `http://[::ffff:127.0.0.1]:${upstream.port}/img.png`,
      `http://metadata.test:${upstream.port}/latest/meta-data/`,
    ];
    for (const location of inside) {
      const res = await proxy(`${okBase}/redirect-to?location=${encodeURIComponent(location)}`);
      const message = await expectError(res, 403);
      expect(message).toContain("private or local");
    }
    // …but only the first hop of each reached it.
    expect(upstream.seen.map((s) => s.url.split("?")[0])).toEqual(inside.map(() => "/redirect-to"));
  });

  it("checks every hop: scheme, credentials and port", async () => {
    opts.allowedPorts = [upstream.port];
    const cases = [
      ["file:///etc/passwd", 403],
      ["ftp://127.0.0.1/img.png", 403],
      ["javascript:alert(1)", 403],
      [`http://user:pass@127.0.0.1:${upstream.port}/img.png`, 403],
      [`http://127.0.0.1:${other.port}/img.png`, 403],
      [`http://nowhere.test:${upstream.port}/img.png`, 502],
    ] as const;
    for (const [location, status] of cases) {
      const res = await proxy(up(`/redirect-to?location=${encodeURIComponent(location)}`));
      await expectError(res, status);
    }
    expect(other.seen).toEqual([]);
  });
});

describe("private targets are refused before any connection", () => {
  beforeEach(() => {
    opts = { allowPrivate: false, allowedPorts: "any", resolver };
    // Belt and braces: a refused target must never get as far as a request.
    const refuse = () => {
      throw new Error("no request expected");
    };
    vi.spyOn(http, "request").mockImplementation(refuse);
    vi.spyOn(https, "request").mockImplementation(refuse);
  });

  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "192.168.1.1",
    "172.16.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "[::1]",
    "[fc00::1]",
    "[fe80::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:a9fe:a9fe]",
    "localhost",
    "evil.test",
    "ten.test",
    "metadata.test",
    "v6.test",
  ])("%s", async (host) => {
    const message = await expectError(await proxy(`http://${host}:${upstream.port}/img.png`), 403);
    expect(message).toContain("private or local");
    expect(upstream.seen).toEqual([]);
    expect(http.request).not.toHaveBeenCalled();
  });

  it("over https too", async () => {
    await expectError(await proxy(`https://evil.test:${upstream.port}/img.png`), 403);
    expect(https.request).not.toHaveBeenCalled();
  });
});

describe("requests that are refused outright", () => {
  it.each([
    "file:///etc/passwd",
    "javascript:alert(document.cookie)",
    "data:image/png;base64,iVBORw0KGgo=",
    "ftp://127.0.0.1/img.png",
    "ws://127.0.0.1/img.png",
    "gopher://127.0.0.1/",
  ])("%s", async (target) => {
    const message = await expectError(await proxy(target), 403);
    expect(message).toContain("Only http and https");
  });

  it("credentials in the URL", async () => {
    const message = await expectError(await proxy(up("/img.png").replace("//", "//user:pw@")), 403);
    expect(message).toContain("user name or password");
    expect(upstream.seen).toEqual([]);
  });

  it("a port outside 80, 443, 8080 and 8443 by default", async () => {
    opts = { allowPrivate: true, resolver };
    await expectError(await proxy(up("/img.png")), 403);
    await expectError(await proxy("http://127.0.0.1:25/"), 403);
    expect(upstream.seen).toEqual([]);
  });

  it.each([
    ["no url", () => []],
    ["two urls", () => [up("/img.png"), up("/img.png")]],
    ["an empty url", () => [""]],
    ["not a URL", () => ["not a url"]],
    ["a URL too long", () => [up(`/img.png?${"a".repeat(5000)}`)]],
  ])("%s", async (_name, targets) => {
    await expectError(await proxy(targets()), 400, "bad_request");
    expect(upstream.seen).toEqual([]);
  });

  it("a method other than GET", async () => {
    const res = await proxy(up("/img.png"), { method: "POST" });
    await expectError(res, 405, "bad_request");
    expect(res.headers.get("allow")).toBe("GET");
  });

  it("a name that does not resolve", async () => {
    const message = await expectError(await proxy("http://nowhere.test/img.png"), 502);
    expect(message).toContain("could not be found");
  });

  it("a server that refuses the connection", async () => {
    const closed = await listen(() => {});
    const { port } = closed;
    await new Promise((resolve) => closed.server.close(resolve));
    await expectError(await proxy(`http://127.0.0.1:${port}/img.png`), 502);
  });
});

describe("nothing of the user is forwarded", () => {
  it("no cookies, credentials, referrer or client address; a generic agent", async () => {
    const res = await proxy(up("/img.png"), {
      headers: {
        Cookie: "ferry_session=s3cret",
        Authorization: "Bearer s3cret",
        Referer: "https://mail.example/message/42",
        "X-Forwarded-For": "203.0.113.7",
        Forwarded: "for=203.0.113.7",
        "X-Real-IP": "203.0.113.7",
        "User-Agent": "UsersOwnBrowser/1.0",
        "Accept-Language": "fr-CH",
        Origin: "https://mail.example",
      },
    });
    expect(res.status).toBe(200);
    const [request] = upstream.seen;
    expect(request).toBeDefined();
    const names = Object.keys(request?.headers ?? {}).sort();
    expect(names).toEqual(["accept", "accept-encoding", "connection", "host", "user-agent"]);
    expect(request?.headers["user-agent"]).not.toContain("UsersOwnBrowser");
    expect(JSON.stringify(request?.headers)).not.toMatch(
      /s3cret|203\.0\.113\.7|mail\.example|fr-CH/,
    );
  });

  it("connects to the address it checked and keeps the name in Host", async () => {
    const calls: string[] = [];
    opts.resolver = async (host) => {
      calls.push(host);
      return resolver(host);
    };
    const res = await proxy(`http://img.test:${upstream.port}/img.png`);
    expect(res.status).toBe(200);
    expect(upstream.seen[0]?.headers.host).toBe(`img.test:${upstream.port}`);
    // Resolved once and the connection pinned to that answer: no second lookup to rebind.
    expect(calls).toEqual(["img.test"]);
  });
});

describe("https", () => {
  let dir: string;
  let tlsServer: https.Server;
  let tlsPort: number;
  const serverNames: (string | undefined)[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-proxy-"));
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    await promisify(execFile)("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=img.test",
      "-addext",
      "subjectAltName=DNS:img.test",
    ]);
    tlsServer = https.createServer(
      {
        key: await readFile(key),
        cert: await readFile(cert),
        SNICallback: (name, done) => {
          serverNames.push(name);
          done(null);
        },
      },
      (_req, res) => send(res, "image/png", PNG),
    );
    await new Promise<void>((resolve) => tlsServer.listen(0, "127.0.0.1", resolve));
    tlsPort = (tlsServer.address() as AddressInfo).port;
  });

  afterAll(async () => {
    tlsServer.closeAllConnections();
    await new Promise((resolve) => tlsServer.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("verifies the certificate (a self-signed one fails) and sends the name as SNI", async () => {
    const message = await expectError(await proxy(`https://img.test:${tlsPort}/img.png`), 502);
    expect(message).toBe("The image could not be loaded.");
    expect(serverNames).toEqual(["img.test"]);
  });
});

describe("sniffImageType", () => {
  it.each(Object.entries(SAMPLES))("recognises %s", (type, bytes) => {
    expect(sniffImageType(bytes)).toBe(type);
  });

  it.each([
    ["SVG", SVG],
    ["HTML", SECRET_PAGE],
    ["nothing", Buffer.alloc(0)],
    ["a truncated PNG signature", PNG.subarray(0, 4)],
    ["RIFF that is not WebP", pad("RIFF\x24\x00\x00\x00WAVEfmt ")],
    ["an MP4", pad("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")],
    ["a PDF", pad("%PDF-1.7")],
  ])("refuses %s", (_name, bytes) => {
    expect(sniffImageType(bytes)).toBeUndefined();
  });
});
