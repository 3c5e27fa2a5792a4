/**
 * The endpoints that fetch on a user's behalf, through a real bridge against the real Dovecot:
 * the image proxy keeps to public hosts whatever FERRY_ALLOW_PRIVATE_HOSTS says (only
 * FERRY_PROXY_ALLOW_PRIVATE_HOSTS opens it), and /api/parts and /api/proxy hold each session
 * to its own concurrency and rate, answering 429 with Retry-After beyond, while other sessions
 * go on as if nothing happened.
 */
import { randomBytes } from "node:crypto";
import {
  type ClientRequest,
  createServer,
  get,
  type IncomingMessage,
  type Server,
} from "node:http";
import { startMailServer } from "@ferry/mail-server";
import { partUrl, ZHttpError } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  imapClient,
  type MailServer,
  plainMessage,
  signedIn,
  startBridge,
  type TestBridge,
  withTimeout,
} from "./harness";

let mail: MailServer;
const bridges: TestBridge[] = [];
let alice: { email: string; password: string };
let bob: { email: string; password: string };
/** Alice's message with a 16 MB attachment (part 2) and Bob's small message. */
let big: { mailbox: string; uidValidity: number; uid: number };
let small: { mailbox: string; uidValidity: number; uid: number };

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

function bigMessage(to: string): string {
  const b64 = randomBytes(16 * 1024 * 1024)
    .toString("base64")
    .replace(/.{76}/g, "$&\r\n");
  return [
    "From: Carol <carol@example.test>",
    `To: ${to}`,
    "Subject: a big attachment",
    "Message-ID: <limits-big@example.test>",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "See the attachment.",
    "--b1",
    "Content-Type: application/octet-stream",
    "Content-Transfer-Encoding: base64",
    'Content-Disposition: attachment; filename="big.bin"',
    "",
    b64,
    "--b1--",
    "",
  ].join("\r\n");
}

async function newestIn(user: { email: string; password: string }) {
  const client = await imapClient(mail, user);
  try {
    const box = await client.mailboxOpen("INBOX");
    const uids = (await client.search({ all: true }, { uid: true })) || [];
    return { mailbox: "INBOX", uidValidity: Number(box.uidValidity), uid: Math.max(...uids) };
  } finally {
    await client.logout();
  }
}

beforeAll(async () => {
  mail = await startMailServer({ postfix: false });
  alice = mail.user("alice@example.test");
  bob = mail.user("bob@example.test");
  await mail.deliver(bigMessage(alice.email), { from: "carol@example.test", to: [alice.email] });
  await mail.deliver(plainMessage(bob.email, "small"), {
    from: "carol@example.test",
    to: [bob.email],
  });
  big = await newestIn(alice);
  small = await newestIn(bob);
});

afterAll(async () => {
  await Promise.all(bridges.map((b) => b.close()));
  await mail?.stop();
});

async function bridge(env: Record<string, string>): Promise<TestBridge> {
  const b = await startBridge(mail, { env });
  bridges.push(b);
  return b;
}

function proxyUrl(b: TestBridge, target: string): string {
  return `${b.url}/api/proxy?url=${encodeURIComponent(target)}`;
}

/** A GET whose answer is not read: resolves with the response head, body left unread. */
function unread(
  url: string,
  cookie: string,
): { req: ClientRequest; head: Promise<IncomingMessage> } {
  let req!: ClientRequest;
  const head = new Promise<IncomingMessage>((resolve, reject) => {
    req = get(url, { headers: { cookie }, agent: false }, (res) => {
      res.pause();
      resolve(res);
    });
    req.on("error", reject);
  });
  head.catch(() => undefined);
  return { req, head };
}

describe("the image proxy and private hosts", () => {
  let inside: Server;
  let insideUrl = "";

  beforeAll(async () => {
    // An "internal" web server on loopback, port 80 (the proxy only fetches from web ports).
    inside = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "image/png" });
      res.end(PNG);
    });
    const host = `127.0.0.${100 + Math.floor(Math.random() * 100)}`;
    await new Promise<void>((resolve, reject) => {
      inside.once("error", reject);
      inside.listen(80, host, resolve);
    });
    insideUrl = `http://${host}/pixel.png`;
  });

  afterAll(async () => {
    await new Promise((resolve) => inside?.close(resolve));
  });

  it("refuses private targets with only FERRY_ALLOW_PRIVATE_HOSTS=true", async () => {
    const b = await bridge({ FERRY_ALLOW_PRIVATE_HOSTS: "true" });
    const cookie = await signedIn(b, alice.email, alice.password);
    const targets = [
      insideUrl,
      "http://localhost/pixel.png",
      "http://[::1]:8080/pixel.png",
      "http://10.1.2.3/pixel.png",
      "http://169.254.169.254/latest/meta-data",
    ];
    const answers = await Promise.all(
      targets.map(async (target) => {
        const res = await fetch(proxyUrl(b, target), { headers: { cookie } });
        return { status: res.status, error: ZHttpError.parse(await res.json()).error };
      }),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect(answer.error.code).toBe("proxy_refused");
      expect(answer.error.message).toMatch(/private or local/);
    }
  });

  it("fetches from them only with FERRY_PROXY_ALLOW_PRIVATE_HOSTS=true", async () => {
    const b = await bridge({ FERRY_PROXY_ALLOW_PRIVATE_HOSTS: "true" });
    const cookie = await signedIn(b, alice.email, alice.password);
    const res = await fetch(proxyUrl(b, insideUrl), { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await res.arrayBuffer())).toEqual(PNG);
  });
});

describe("per-session limits of /api/parts and /api/proxy", () => {
  it("refuses a session past its concurrency with 429 while another session is served", async () => {
    // one download at a time per session; 16 more may wait for it
    const b = await bridge({ FERRY_SESSION_HTTP_CONCURRENCY: "1" });
    const aliceCookie = await signedIn(b, alice.email, alice.password);
    const bobCookie = await signedIn(b, bob.email, bob.password);
    const url = `${b.url}${partUrl(big, "2", { download: true })}`;
    const held: ClientRequest[] = [];
    try {
      // a download the browser does not read: it keeps its place
      const first = unread(url, aliceCookie);
      held.push(first.req);
      expect((await withTimeout(first.head, 10_000, "first download")).statusCode).toBe(200);

      const more = Array.from({ length: 17 }, () => unread(url, aliceCookie));
      held.push(...more.map((m) => m.req));
      // 16 wait for the place; exactly one is refused, at once
      const refused = await withTimeout(
        Promise.race(more.map((m) => m.head)),
        10_000,
        "an answer to one of the parallel downloads",
      );
      expect(refused.statusCode).toBe(429);
      expect(refused.headers["retry-after"]).toBe("1");
      refused.resume();
      const text = await new Promise<string>((resolve) => {
        let data = "";
        refused.setEncoding("utf8");
        refused.on("data", (c: string) => {
          data += c;
        });
        refused.on("end", () => resolve(data));
      });
      const error = ZHttpError.parse(JSON.parse(text)).error;
      expect(error).toMatchObject({ code: "rate_limited", retryAfter: 1 });

      // Bob's session is not held up by Alice's
      const bobs = await fetch(`${b.url}${partUrl(small, "raw")}`, {
        headers: { cookie: bobCookie },
      });
      expect(bobs.status).toBe(200);
      expect(await bobs.text()).toContain("Subject: small");
    } finally {
      for (const req of held) req.destroy();
    }
  });

  it("refuses a session past its rate per minute with Retry-After, each endpoint apart", async () => {
    const b = await bridge({ FERRY_SESSION_HTTP_PER_MINUTE: "3" });
    const aliceCookie = await signedIn(b, alice.email, alice.password);
    const bobCookie = await signedIn(b, bob.email, bob.password);
    const proxy = (cookie: string) =>
      fetch(proxyUrl(b, "ftp://example.com/x.png"), { headers: { cookie } });
    for (let i = 0; i < 3; i++) expect((await proxy(aliceCookie)).status).toBe(403);
    const limited = await proxy(aliceCookie);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("20");
    expect(ZHttpError.parse(await limited.json()).error).toMatchObject({
      code: "rate_limited",
      retryAfter: 20,
    });
    // another session, and the same session on the other endpoint, are not limited
    expect((await proxy(bobCookie)).status).toBe(403);
    const part = await fetch(`${b.url}${partUrl(big, "1")}`, { headers: { cookie: aliceCookie } });
    expect(part.status).toBe(200);
    await part.arrayBuffer();
  });
});
