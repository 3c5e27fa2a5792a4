/**
 * The parts endpoint against the real Dovecot fixture, through a small HTTP server that hands
 * every request to handlePartRequest with a plain imapflow client.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, get, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { partUrl } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendMessages, buildMessage, type Fixture, startFixture } from "../imap/test-support";
import { listWindow } from "../imap/window";
import { base64Layout } from "./part-plan";
import { contentDisposition, handlePartRequest, parseRange } from "./parts";

let fx: Fixture;
let client: ImapFlow;
let server: Server;
let base = "";
let uidValidity = 0;
const uids: Record<string, number> = {};
/** Handler runs still in flight, so a test can wait for an aborted one to finish. */
const inflight = new Set<Promise<void>>();

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);
const PDF = Buffer.from(`%PDF-1.4\n${"0123456789abcdef".repeat(64)}\n%%EOF\n`);
const BIG = randomBytes(5 * 1024 * 1024);
const HTML = "<html><body><script>alert(1)</script>hi</body></html>";
const SCRIPT = "parent.postMessage('ran', '*');";
const SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
/** A quoted-printable text larger than one FETCH chunk. */
const QP_TEXT = Array.from({ length: 9000 }, (_, i) => `Ligne ${i}: déjà vu — façade`).join("\r\n");
const QP_ENCODED = QP_TEXT.split("\r\n")
  .map((line) =>
    [...Buffer.from(line)]
      .map((b) =>
        b > 126 || b === 61
          ? `=${b.toString(16).toUpperCase().padStart(2, "0")}`
          : String.fromCharCode(b),
      )
      .join(""),
  )
  .join("\r\n");
/** base64 whose lines vary in length: no layout, so it streams. */
const RAGGED = randomBytes(400 * 1024);
const RAGGED_ENCODED = (RAGGED.toString("base64").match(/.{1,76}/g) ?? [])
  .map((line, i) => (i % 7 === 3 ? `${line.slice(0, 40)}\r\n${line.slice(40)}` : line))
  .join("\r\n");

function url(key: string, part: string, opts: { download?: boolean; uidValidity?: number } = {}) {
  return `${base}${partUrl(
    { mailbox: "INBOX", uidValidity: opts.uidValidity ?? uidValidity, uid: uids[key] as number },
    part,
    opts.download ? { download: true } : {},
  )}`;
}

async function body(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

/** A digest to compare big buffers by (deep equality of megabytes is slow). */
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function settled(): Promise<void> {
  while (inflight.size > 0) await Promise.all(inflight);
}

beforeAll(async () => {
  fx = await startFixture();
  client = await fx.connect();
  const messages = {
    files: buildMessage({
      subject: "Files",
      text: "Files attached",
      attachments: [
        { filename: "Résumé «2024».pdf", type: "application/pdf", content: PDF },
        { filename: "pixel.png", type: "image/png", content: PNG },
        { filename: "page.html", type: "text/html", content: Buffer.from(HTML) },
        {
          filename: 'evil"\r\nname/../x.txt',
          type: "text/plain",
          content: Buffer.from("plain file"),
        },
      ],
    }),
    big: buildMessage({
      subject: "Big",
      text: "A big one",
      attachments: [{ filename: "big.bin", type: "application/octet-stream", content: BIG }],
    }),
    single: buildMessage({ subject: "Single", text: "Just text, ünïcode." }),
    scripts: buildMessage({
      subject: "Scripts",
      text: "Two attachments a page could try to use",
      attachments: [
        { filename: "app.js", type: "text/javascript", content: Buffer.from(SCRIPT) },
        { filename: "page.html", type: "text/html", content: Buffer.from(HTML) },
        { filename: "notes.txt", type: "text/plain", content: Buffer.from("plain") },
        { filename: "drawing.svg", type: "image/svg+xml", content: Buffer.from(SVG) },
      ],
    }),
    qp: Buffer.from(
      [
        "Subject: QP",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "body",
        "--b",
        'Content-Type: text/plain; charset=utf-8; name="long.txt"',
        "Content-Transfer-Encoding: quoted-printable",
        'Content-Disposition: attachment; filename="long.txt"',
        "",
        QP_ENCODED,
        "--b",
        'Content-Type: application/octet-stream; name="ragged.bin"',
        "Content-Transfer-Encoding: base64",
        "",
        RAGGED_ENCODED,
        "--b--",
        "",
      ].join("\r\n"),
    ),
  };
  const appended = await appendMessages(client, "INBOX", Object.values(messages));
  Object.keys(messages).forEach((k, i) => {
    uids[k] = appended[i] as number;
  });
  const status = await client.status("INBOX", { uidValidity: true });
  uidValidity = status === false ? 0 : Number(status.uidValidity);
  server = createServer((req, res) => {
    const run = <T>(fn: (c: ImapFlow) => Promise<T>) => fn(client);
    const p = handlePartRequest(req, res, run).finally(() => inflight.delete(p));
    inflight.add(p);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await fx?.stop();
});

describe("parts endpoint", () => {
  it("serves a PDF inline for preview, loading nothing else, and as a file on download", async () => {
    const res = await fetch(url("files", "2"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toMatch(/^inline; /);
    expect(res.headers.get("content-security-policy")).toBe(
      "default-src 'none'; object-src 'self'",
    );
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await body(res)).toEqual(PDF);
  });

  it("serves an attachment with safe headers and an RFC 5987 file name", async () => {
    const res = await fetch(url("files", "2", { download: true }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="Resume _2024_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%C2%AB2024%C2%BB.pdf`,
    );
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("content-length")).toBe(String(PDF.length));
    expect(await body(res)).toEqual(PDF);
  });

  it("serves images inline, html and svg never inline, and honours download=1", async () => {
    const png = await fetch(url("files", "3"));
    expect(png.headers.get("content-type")).toBe("image/png");
    expect(png.headers.get("content-disposition")).toMatch(/^inline; filename="pixel.png"/);
    expect(await body(png)).toEqual(PNG);
    const html = await fetch(url("files", "4"));
    expect(html.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(html.headers.get("content-type")).toBe("application/octet-stream");
    expect(await body(html)).toEqual(Buffer.from(HTML));
    const download = await fetch(url("files", "3", { download: true }));
    expect(download.headers.get("content-disposition")).toMatch(/^attachment;/);
    await body(download);
  });

  it("serves every non-previewable part as an application/octet-stream download, whatever it declares", async () => {
    const parts = [
      ["2", "app.js", SCRIPT],
      ["3", "page.html", HTML],
      ["4", "notes.txt", "plain"],
      ["5", "drawing.svg", SVG],
    ] as const;
    for (const [part, filename, content] of parts) {
      // asked for inline (as a <script src> or an <iframe> would) and as a download: the same
      for (const download of [false, true]) {
        const res = await fetch(url("scripts", part, { download }));
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toBe("application/octet-stream");
        expect(res.headers.get("content-disposition")).toBe(
          `attachment; filename="${filename}"; filename*=UTF-8''${filename}`,
        );
        expect(res.headers.get("x-content-type-options")).toBe("nosniff");
        expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
        expect((await body(res)).toString()).toBe(content);
      }
    }
  });

  it("never lets quotes, line breaks or slashes into the file name", async () => {
    const res = await fetch(url("files", "5"));
    const disposition = res.headers.get("content-disposition") ?? "";
    expect(disposition).not.toMatch(/[\r\n/\\]/);
    expect(disposition.match(/filename="([^"]*)"/)?.[1]).not.toContain('"');
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; /);
    expect((await body(res)).toString()).toBe("plain file");
  });

  it("answers Range with 206 and Content-Range, and 416 past the end", async () => {
    const res = await fetch(url("big", "2"), { headers: { Range: "bytes=1000-299999" } });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes 1000-299999/${BIG.length}`);
    expect(sha(await body(res))).toBe(sha(BIG.subarray(1000, 300000)));
    const suffix = await fetch(url("files", "2"), { headers: { Range: "bytes=-10" } });
    expect(suffix.status).toBe(206);
    expect(await body(suffix)).toEqual(PDF.subarray(-10));
    const past = await fetch(url("files", "2"), { headers: { Range: `bytes=${PDF.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${PDF.length}`);
    await body(past);
  });

  it("streams the raw source, with Range", async () => {
    const lock = await client.getMailboxLock("INBOX");
    let source: Buffer;
    try {
      const msg = await client.fetchOne(String(uids.files), { source: true }, { uid: true });
      source = (msg === false ? undefined : msg.source) ?? Buffer.alloc(0);
    } finally {
      lock.release();
    }
    const res = await fetch(url("files", "raw"));
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(res.headers.get("content-length")).toBe(String(source.length));
    expect(await body(res)).toEqual(source);
    const ranged = await fetch(url("files", "raw"), { headers: { Range: "bytes=0-99" } });
    expect(ranged.status).toBe(206);
    expect(await body(ranged)).toEqual(source.subarray(0, 100));
    const eml = await fetch(url("files", "raw", { download: true }));
    expect(eml.headers.get("content-type")).toBe("application/octet-stream");
    expect(eml.headers.get("content-disposition")).toMatch(
      /^attachment; filename="message-\d+.eml"/,
    );
    await body(eml);
  });

  it("serves the body of a single-part message as part 1", async () => {
    const res = await fetch(url("single", "1"));
    expect(res.status).toBe(200);
    expect((await body(res)).toString()).toBe("Just text, ünïcode.");
  });

  it("answers errors with the protocol's JSON shape and status", async () => {
    const missing = await fetch(
      `${base}${partUrl({ mailbox: "INBOX", uidValidity, uid: 99999 }, "1")}`,
    );
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: "message_not_found", message: expect.any(String) },
    });
    const noPart = await fetch(url("files", "9"));
    expect(noPart.status).toBe(400);
    expect(((await noPart.json()) as { error: { code: string } }).error.code).toBe(
      "malformed_message",
    );
    const stale = await fetch(url("files", "2", { uidValidity: uidValidity + 1 }));
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe(
      "uidvalidity_changed",
    );
    const noBox = await fetch(`${base}${partUrl({ mailbox: "Nope", uidValidity, uid: 1 }, "1")}`);
    expect(noBox.status).toBe(404);
    expect(((await noBox.json()) as { error: { code: string } }).error.code).toBe(
      "mailbox_not_found",
    );
    const bad = await fetch(`${base}/api/parts?mailbox=INBOX&uidValidity=1&uid=1&part=1.MIME`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("bad_request");
    const post = await fetch(url("files", "2"), { method: "POST" });
    expect(post.status).toBe(400);
    await post.arrayBuffer();
  });

  it("answers HEAD and a matching If-None-Match without a body", async () => {
    const head = await fetch(url("files", "2"), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(PDF.length));
    const etag = head.headers.get("etag") ?? "";
    expect(etag).not.toBe("");
    const cached = await fetch(url("files", "2"), { headers: { "If-None-Match": etag } });
    expect(cached.status).toBe(304);
  });

  it("serves a large base64 part with exact ranges across line edges", async () => {
    const head = await fetch(url("big", "2"), { method: "HEAD" });
    expect(head.headers.get("content-length")).toBe(String(BIG.length));
    for (const [a, b] of [
      [0, 0],
      [56, 57],
      [262_000, 530_123],
      [BIG.length - 5, BIG.length - 1],
    ] as const) {
      const res = await fetch(url("big", "2"), { headers: { Range: `bytes=${a}-${b}` } });
      expect(res.status).toBe(206);
      expect(sha(await body(res))).toBe(sha(BIG.subarray(a, b + 1)));
    }
  });

  it("decodes large quoted-printable and irregular base64 while streaming, without Range", async () => {
    const qp = await fetch(url("qp", "2"), { headers: { Range: "bytes=0-9" } });
    expect(qp.status).toBe(200);
    expect(qp.headers.get("accept-ranges")).toBe("none");
    expect(qp.headers.get("content-length")).toBeNull();
    expect((await body(qp)).toString()).toBe(QP_TEXT);
    const ragged = await fetch(url("qp", "3"));
    expect(ragged.headers.get("accept-ranges")).toBe("none");
    expect(sha(await body(ragged))).toBe(sha(RAGGED));
  });

  it("stops fetching when the browser goes away and leaves the connection usable", async () => {
    const before = client.stats().received;
    await new Promise<void>((resolve, reject) => {
      const req = get(url("big", "2"), (res: IncomingMessage) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", (err: NodeJS.ErrnoException) => {
        if (err.code !== "ECONNRESET") reject(err);
      });
    });
    await settled();
    expect(client.stats().received - before).toBeLessThan(2 * 1024 * 1024);
    const again = await fetch(url("big", "2"));
    expect(again.status).toBe(200);
    expect(sha(await body(again))).toBe(sha(BIG));
    const window = await listWindow(client, { mailbox: "INBOX", offset: 0, limit: 10 });
    expect(window.total).toBe(Object.keys(uids).length);
  });
});

describe("header helpers", () => {
  it("builds both file name forms", () => {
    expect(contentDisposition("inline", "a b.png")).toBe(
      `inline; filename="a b.png"; filename*=UTF-8''a%20b.png`,
    );
    expect(contentDisposition("attachment", "日本.txt")).toBe(
      `attachment; filename="__.txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt`,
    );
    expect(contentDisposition("attachment", "..\\..\\etc/passwd")).toBe(
      `attachment; filename="_.._etc_passwd"; filename*=UTF-8''_.._etc_passwd`,
    );
    expect(contentDisposition("attachment", "")).toMatch(/filename="download"/);
  });

  it("keeps bidi controls and other invisible characters out of saved names", () => {
    expect(contentDisposition("attachment", "invoice\u202Efdp.exe")).toBe(
      `attachment; filename="invoicefdp.exe"; filename*=UTF-8''invoicefdp.exe`,
    );
    expect(contentDisposition("attachment", "a\u2066b\u200Fc\uFEFF.txt")).toMatch(
      /filename="abc.txt"; filename\*=UTF-8''abc.txt$/,
    );
  });

  it("finds the layout of regular base64, and refuses irregular or cut lines", () => {
    const data = randomBytes(1000);
    const encoded = Buffer.from(
      `${(data.toString("base64").match(/.{1,76}/g) ?? []).join("\r\n")}\r\n`,
    );
    const layout = base64Layout(encoded.subarray(0, 200), encoded.subarray(-300), encoded.length);
    expect(layout).toEqual({
      lineChars: 76,
      stride: 78,
      fullLines: 17,
      bytesPerLine: 57,
      decodedSize: 1000,
    });
    const ragged = Buffer.from(encoded.toString().replace(/^(.{30})/m, "$1\r\n"));
    expect(base64Layout(ragged.subarray(0, 200), ragged.subarray(-300), ragged.length)).toBeNull();
    expect(
      base64Layout(encoded.subarray(0, 200), encoded.subarray(-300, -3), encoded.length - 3),
    ).toBeNull();
  });

  it("parses single byte ranges", () => {
    expect(parseRange(undefined, 10)).toBeNull();
    expect(parseRange("bytes=2-4", 10)).toEqual({ start: 2, end: 4 });
    expect(parseRange("bytes=8-", 10)).toEqual({ start: 8, end: 9 });
    expect(parseRange("bytes=5-100", 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange("bytes=-3", 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange("bytes=10-", 10)).toBe("unsatisfiable");
    expect(parseRange("bytes=1-2,4-5", 10)).toBeNull();
    expect(parseRange("items=1-2", 10)).toBeNull();
  });
});
