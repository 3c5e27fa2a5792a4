/**
 * The static server's compression against a real bridge: a file's first brotli runs off the
 * event loop (other requests are answered meanwhile), many at once leave the thread pool room for
 * file reads, and concurrent first requests for one file share one compression (identical bodies
 * that decompress to the file).
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBridge, type TestBridge } from "./harness";

let b: TestBridge;

beforeAll(async () => {
  b = await startBridge(null);
});

afterAll(async () => {
  await b?.close();
});

/** Text of about `bytes` that compresses, but slowly: words drawn from a random vocabulary. */
function wordyText(bytes: number): string {
  const words = Array.from({ length: 4000 }, () => randomBytes(6).toString("base64url"));
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    const word = words[Math.floor(Math.random() * words.length)] ?? "x";
    parts.push(word);
    length += word.length + 1;
  }
  return parts.join(" ");
}

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET whose body is kept as sent (fetch would decode it); `onHeaders` when the head arrives. */
function rawGet(
  path: string,
  headers: Record<string, string>,
  onHeaders?: () => void,
): Promise<Raw> {
  const url = new URL(b.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: "GET", headers, agent: false },
      (res) => {
        onHeaders?.();
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("static compression", () => {
  it("answers other requests while a large file is first compressed", async () => {
    const text = wordyText(1_900_000);
    writeFileSync(join(b.config.webDir, "large.js"), text);
    writeFileSync(join(b.config.webDir, "small.txt"), "small");
    // read into the server's cache as it is, so that only the compression is left to do
    const plain = await rawGet("/large.js", {});
    expect(plain.body.toString("utf8")).toBe(text);
    expect((await rawGet("/small.txt", {})).body.toString("utf8")).toBe("small");

    const events: string[] = [];
    let largeHead = false;
    const large = rawGet("/large.js", { "accept-encoding": "br" }, () => {
      largeHead = true;
      events.push("large");
    });
    let smallsWhileLarge = 0;
    while (!largeHead) {
      const small = await rawGet("/small.txt", {});
      expect(small.body.toString("utf8")).toBe("small");
      if (largeHead) break;
      smallsWhileLarge++;
      events.push("small");
    }
    const res = await large;
    expect(res.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(res.body).toString("utf8")).toBe(text);
    // A compression on the event loop holds every request that comes after it until it ends:
    // at most the one small request already under way before it started gets through.
    expect(events.indexOf("large"), events.join(",")).toBe(smallsWhileLarge);
    expect(smallsWhileLarge).toBeGreaterThanOrEqual(5);
  });

  it("leaves the thread pool room for file reads while a page's many chunks are compressed", async () => {
    const texts = Array.from({ length: 6 }, () => wordyText(1_000_000));
    texts.forEach((text, i) => {
      writeFileSync(join(b.config.webDir, `chunk-${i}.js`), text);
    });
    writeFileSync(join(b.config.webDir, "small-2.txt"), "small");
    for (const [i, text] of texts.entries()) {
      expect((await rawGet(`/chunk-${i}.js`, {})).body.toString("utf8")).toBe(text);
    }

    let firstHead = false;
    const chunks = texts.map((_, i) =>
      rawGet(`/chunk-${i}.js`, { "accept-encoding": "br" }, () => {
        firstHead = true;
      }),
    );
    // each of these needs the thread pool (stat) as well as the event loop
    let smallsBeforeFirstChunk = 0;
    while (!firstHead) {
      expect((await rawGet("/small-2.txt", {})).body.toString("utf8")).toBe("small");
      if (!firstHead) smallsBeforeFirstChunk++;
    }
    for (const [i, res] of (await Promise.all(chunks)).entries()) {
      expect(brotliDecompressSync(res.body).toString("utf8")).toBe(texts[i]);
    }
    // with every thread compressing, a request's stat waits for a compression to end: 3-4 got
    // through before the first chunk's answer, from before the compressions began
    expect(smallsBeforeFirstChunk).toBeGreaterThanOrEqual(10);
  });

  it("gives concurrent first requests for one file the same compressed body", async () => {
    const text = wordyText(600_000);
    writeFileSync(join(b.config.webDir, "shared.js"), text);
    const [brs, gzips] = await Promise.all([
      Promise.all(
        Array.from({ length: 4 }, () => rawGet("/shared.js", { "accept-encoding": "br" })),
      ),
      Promise.all(
        Array.from({ length: 3 }, () => rawGet("/shared.js", { "accept-encoding": "gzip" })),
      ),
    ]);
    for (const res of brs) {
      expect(res.status).toBe(200);
      expect(res.headers["content-encoding"]).toBe("br");
      expect(res.headers.vary).toBe("Accept-Encoding");
      expect(res.headers["content-length"]).toBe(String(res.body.length));
      expect(res.body.equals(brs[0]?.body ?? Buffer.alloc(0))).toBe(true);
    }
    expect(brotliDecompressSync(brs[0]?.body ?? Buffer.alloc(0)).toString("utf8")).toBe(text);
    for (const res of gzips) {
      expect(res.headers["content-encoding"]).toBe("gzip");
      expect(res.body.equals(gzips[0]?.body ?? Buffer.alloc(0))).toBe(true);
    }
    expect(gunzipSync(gzips[0]?.body ?? Buffer.alloc(0)).toString("utf8")).toBe(text);
    // the later request is served from what the first ones compressed, and revalidates
    const again = await rawGet("/shared.js", { "accept-encoding": "br" });
    expect(again.body.equals(brs[0]?.body ?? Buffer.alloc(0))).toBe(true);
    const etag = String(again.headers.etag);
    const revalidated = await rawGet("/shared.js", {
      "accept-encoding": "br",
      "if-none-match": etag,
    });
    expect(revalidated.status).toBe(304);
  });
});
