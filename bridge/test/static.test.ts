/**
 * Static serving of the web app by a real bridge (no mail server needed): security headers, the
 * per-document CSP hashes, clean paths, the app shell for deep links, caching, compression, and
 * traversal refused.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBridge, type TestBridge } from "./harness";

let b: TestBridge;
let webDir: string;

beforeAll(async () => {
  b = await startBridge(null);
  webDir = b.config.webDir;
  // a file next to the web dir that no request may reach
  writeFileSync(join(dirname(webDir), "secret.txt"), "TOP-SECRET");
  writeFileSync(join(webDir, ".env"), "HIDDEN=1");
});

afterAll(async () => {
  await b?.close();
});

const sha = (s: string) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;

/** A GET with the path sent exactly as given (fetch would normalise `..`). */
function rawGet(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const url = new URL(b.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: "GET", headers },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const html = { accept: "text/html,application/xhtml+xml" };

describe("static web app", () => {
  it("serves the app with a strict CSP and the security headers", async () => {
    const res = await fetch(`${b.url}/`, { headers: html });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await res.text()).toContain('id="shell"');
    const csp = res.headers.get("content-security-policy") ?? "";
    const directives = Object.fromEntries(
      csp.split(";").map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(" ")];
      }),
    );
    expect(directives["default-src"]).toBe("'self'");
    expect(directives["script-src"]).toBe(
      `'self' ${sha("self.__next_f=self.__next_f||[];self.__next_f.push([0])")}`,
    );
    expect(directives["object-src"]).toBe("'none'");
    expect(directives["base-uri"]).toBe("'none'");
    expect(directives["frame-ancestors"]).toBe("'none'");
    expect(directives["form-action"]).toBe("'self'");
    expect(directives["connect-src"]).toMatch(/^'self'/);
    expect(directives["img-src"]).toBe("'self' data: blob:");
    expect(csp).not.toMatch(/unsafe-eval|'unsafe-inline'[^;]*;?\s*$/);
    expect(directives["script-src"]).not.toContain("unsafe-inline");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(res.headers.get("permissions-policy")).toContain("camera=()");
    expect(res.headers.get("cache-control")).toBe("no-cache");
  });

  it("maps clean paths to .html and folder index pages, each with its own script hashes", async () => {
    const settings = await fetch(`${b.url}/settings`, { headers: html });
    expect(await settings.text()).toContain("settings");
    expect(settings.headers.get("content-security-policy")).toContain(
      sha('self.__page="settings"'),
    );
    expect(settings.headers.get("content-security-policy")).not.toContain(
      sha("self.__next_f=self.__next_f||[];self.__next_f.push([0])"),
    );
    expect(await (await fetch(`${b.url}/about`, { headers: html })).text()).toContain("about");
    expect(await (await fetch(`${b.url}/about/`, { headers: html })).text()).toContain("about");
  });

  it("answers unknown app paths with the app shell, so deep links work", async () => {
    for (const path of ["/mail/INBOX", "/mail/Archive%2F2024/4711?q=from%3Abob", "/m/x/y/z"]) {
      const res = await fetch(`${b.url}${path}`, { headers: html });
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('id="shell"');
    }
    // not for files, not for scripts asking, not for the API
    const asset = await fetch(`${b.url}/_next/static/chunks/missing.js`, { headers: html });
    expect(asset.status).toBe(404);
    const js = await fetch(`${b.url}/mail/INBOX`, { headers: { accept: "*/*" } });
    expect(js.status).toBe(404);
    const page404 = await fetch(`${b.url}/nope.png`, { headers: html });
    expect(page404.status).toBe(404);
    expect(await page404.text()).toContain("not found page");
    const api = await fetch(`${b.url}/api/unknown`, { headers: html });
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toContain("application/json");
  });

  it("caches hashed assets for good, compresses them, and answers revalidation with 304", async () => {
    const res = await fetch(`${b.url}/_next/static/chunks/app.js`, {
      headers: { "accept-encoding": "gzip" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(await res.text()).toContain("console.log");
    const etag = res.headers.get("etag") ?? "";
    expect(etag).not.toBe("");
    const again = await fetch(`${b.url}/_next/static/chunks/app.js`, {
      headers: { "if-none-match": etag },
    });
    expect(again.status).toBe(304);
    const svg = await fetch(`${b.url}/favicon.svg`);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
  });

  it("refuses directory traversal and hidden files", async () => {
    for (const path of [
      "/../secret.txt",
      "/..%2fsecret.txt",
      "/%2e%2e/secret.txt",
      "/%2e%2e%2fsecret.txt",
      "/_next/../../secret.txt",
      "/..\\secret.txt",
      "/%5c..%5csecret.txt",
      "/.env",
      "/%2eenv",
      "/index.html%00.png",
      "/%E0%A4%A",
    ]) {
      const res = await rawGet(path, html);
      expect(res.body, path).not.toContain("TOP-SECRET");
      expect(res.body, path).not.toContain("HIDDEN");
      expect([200, 400, 404], path).toContain(res.status);
    }
    expect((await rawGet("/../secret.txt")).status).toBe(404);
  });

  it("only serves GET and HEAD", async () => {
    const post = await fetch(`${b.url}/`, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("x-frame-options")).toBe("DENY");
    const head = await fetch(`${b.url}/`, { method: "HEAD", headers: html });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("says so when the web app is not built", async () => {
    const empty = await startBridge(null, {
      env: { FERRY_WEB_DIR: mkdtempSync(join(tmpdir(), "ferry-empty-")) },
    });
    try {
      const res = await fetch(`${empty.url}/`, { headers: html });
      expect(res.status).toBe(503);
      expect(await res.text()).toContain("not built");
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      // the API still works
      expect((await fetch(`${empty.url}/api/config`)).status).toBe(200);
    } finally {
      await empty.close();
    }
  });
});
