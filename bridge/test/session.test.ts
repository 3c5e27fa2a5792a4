/**
 * Sessions over HTTP against the real fixture: sign-in and its failure codes, the cookie, rotation,
 * throttling, sign-out closing sockets and IMAP, CSRF checks, user-named servers, and logs that
 * never carry a password.
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { startMailServer } from "@ferry/mail-server";
import { ZHttpError, ZPublicConfig, ZSessionInfo } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultMailSession } from "../src/server";
import { sessionKey } from "../src/session/crypto";
import {
  type MailServer,
  openSocket,
  signedIn,
  signIn,
  startBridge,
  type TestBridge,
  withTimeout,
} from "./harness";

const ALICE = { email: "alice@example.test", password: "alice-Pa55word-7f3" };
const BOB = { email: "bob@example.test", password: "bob-Pa55word-91c" };
const WRONG = "not-alices-password-q8";
/** Right password, but the server refuses the login (nologin: NO [CONTACTADMIN]). */
const DORA = { email: "dora@example.test", password: "dora-Pa55word-e21" };

let mail: MailServer;
let b: TestBridge;
const bridges: TestBridge[] = [];
/** IMAP clients handed to MailSessions, per email, to watch them being closed. */
const clients: { email: string; client: ImapFlow }[] = [];

async function extraBridge(opts: Parameters<typeof startBridge>[1] = {}): Promise<TestBridge> {
  const extra = await startBridge(mail, opts);
  bridges.push(extra);
  return extra;
}

function errorCode(body: unknown): string {
  return ZHttpError.parse(body).error.code;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Makes Dovecot refuse `email`'s logins with NO [CONTACTADMIN] by adding the `nologin` extra
 * field to its passwd-file entry (Dovecot re-reads it when it changes). This reaches into the
 * fixture's Dovecot layout (dovecot/users, one file per user or one file for all) until the
 * fixture offers a way to disable a login.
 */
async function refuseLogins(email: string): Promise<void> {
  const users = join(mail.dir, "dovecot", "users");
  const file = (await stat(users)).isDirectory() ? join(users, email) : users;
  const text = await readFile(file, "utf8");
  const line = new RegExp(`^(${email.replace(/[.]/g, "\\.")}:.*::)$`, "m");
  if (!line.test(text)) throw new Error(`no passwd line for ${email}`);
  await writeFile(file, text.replace(line, "$1nologin=y"));
}

async function getSession(bridge: TestBridge, cookie?: string): Promise<Response> {
  return fetch(`${bridge.url}/api/session`, cookie ? { headers: { cookie } } : {});
}

beforeAll(async () => {
  mail = await startMailServer({ users: [ALICE, BOB, DORA], postfix: false });
  await refuseLogins(DORA.email);
  b = await startBridge(mail, {
    // failures of many tests come from 127.0.0.1: the per-IP limit is tested on its own bridge
    config: { loginFailuresPerIp: 1000 },
    bridge: {
      createMailSession: (opts) => {
        const session = defaultMailSession(opts);
        const start = session.start.bind(session);
        session.start = async (first) => {
          if (first)
            clients.push({ email: (first.options.auth?.user ?? "") as string, client: first });
          return start(first);
        };
        return session;
      },
    },
  });
  bridges.push(b);
});

afterAll(async () => {
  await Promise.all(bridges.map((x) => x.close()));
  await mail?.stop();
});

describe("sign-in", () => {
  it("answers with the session info and an HttpOnly, SameSite=Strict cookie", async () => {
    const r = await signIn(b, ALICE);
    expect(r.status).toBe(200);
    // Alice saved no list view: the answer tells the default, conversations.
    expect(ZSessionInfo.parse(r.body)).toEqual({
      email: ALICE.email,
      protocolVersion: 1,
      conversations: true,
    });
    expect(r.setCookie).toMatch(
      /^ferry_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect(r.headers.get("cache-control")).toBe("no-store");

    const me = await getSession(b, r.cookie);
    expect(me.status).toBe(200);
    expect(ZSessionInfo.parse(await me.json()).email).toBe(ALICE.email);

    const anonymous = await getSession(b);
    expect(anonymous.status).toBe(401);
    expect(errorCode(await anonymous.json())).toBe("unauthorized");
    const forged = await getSession(b, `ferry_session=${"A".repeat(43)}`);
    expect(forged.status).toBe(401);
  });

  it("marks the cookie Secure only for https behind a trusted proxy", async () => {
    const proxied = await extraBridge({ config: { trustProxy: true } });
    const https = await signIn(proxied, ALICE, { "x-forwarded-proto": "https" });
    expect(https.status).toBe(200);
    expect(https.setCookie).toMatch(/; Secure$/);
    expect(https.headers.get("strict-transport-security")).toMatch(/max-age=/);
    const untrusted = await signIn(b, ALICE, { "x-forwarded-proto": "https" });
    expect(untrusted.setCookie).not.toMatch(/Secure/);
  });

  it("rotates the id at every sign-in and ends the previous session with its sockets", async () => {
    const first = await signedIn(b, ALICE.email, ALICE.password);
    const socket = await openSocket(b, first);
    const again = await signIn(b, ALICE, { cookie: first });
    expect(again.status).toBe(200);
    expect(again.cookie).toBeDefined();
    expect(again.cookie).not.toBe(first);
    expect((await withTimeout(socket.closed, 5000, "old socket closed")).code).toBe(4001);
    expect((await getSession(b, first)).status).toBe(401);
    expect((await getSession(b, again.cookie)).status).toBe(200);
  });

  it("refuses a wrong password with 401 auth_failed and no server text", async () => {
    const r = await signIn(b, { email: ALICE.email, password: WRONG });
    expect(r.status).toBe(401);
    expect(ZHttpError.parse(r.body).error).toEqual({
      code: "auth_failed",
      message: expect.any(String),
    });
    expect(JSON.stringify(r.body)).not.toMatch(/AUTHENTICATIONFAILED|Authentication failed/);
    expect(r.setCookie).toBeNull();
    const unknown = await signIn(b, { email: "nobody@example.test", password: WRONG });
    expect(errorCode(unknown.body)).toBe("auth_failed");
  });

  it("refuses a login the server does not allow with login_refused", async () => {
    const r = await signIn(b, { email: DORA.email, password: DORA.password });
    expect(r.status).toBe(401);
    expect(errorCode(r.body)).toBe("login_refused");
    expect(JSON.stringify(r.body)).not.toContain("CONTACTADMIN");
  });

  it("reports an unreachable server as host_unreachable", async () => {
    const down = await extraBridge({ env: { FERRY_IMAP_PORT: String(await closedPort()) } });
    const r = await signIn(down, ALICE);
    expect(r.status).toBe(401);
    expect(errorCode(r.body)).toBe("host_unreachable");
  });

  it("reports an untrusted certificate as tls_failed (no CA given)", async () => {
    const noCa = await extraBridge({ config: { ca: undefined } });
    const r = await signIn(noCa, ALICE);
    expect(r.status).toBe(401);
    expect(errorCode(r.body)).toBe("tls_failed");
  });

  it("reports TLS spoken to a plain-text port as tls_failed", async () => {
    const wrongPort = await extraBridge({
      env: {
        FERRY_IMAP_HOST: mail.imap.starttlsHost,
        FERRY_IMAP_PORT: String(mail.imap.starttlsPort),
        FERRY_IMAP_SECURITY: "tls",
      },
    });
    const r = await signIn(wrongPort, ALICE);
    expect(errorCode(r.body)).toBe("tls_failed");
  });

  it("signs in over STARTTLS on the STARTTLS port, with the certificate verified", async () => {
    // The fixture's STARTTLS port refuses LOGIN until STARTTLS (LOGINDISABLED).
    const env = {
      FERRY_IMAP_HOST: mail.imap.starttlsHost,
      FERRY_IMAP_PORT: String(mail.imap.starttlsPort),
      FERRY_IMAP_SECURITY: "starttls",
    };
    const starttls = await extraBridge({ env });
    const r = await signIn(starttls, ALICE);
    expect(r.status).toBe(200);
    const socket = await openSocket(starttls, r.cookie as string);
    const opened = await socket.request({ type: "mailbox.open", id: "s1", path: "INBOX" });
    expect(opened.type).toBe("mailbox.opened");
    socket.close();

    const noCa = await extraBridge({ env, config: { ca: undefined } });
    expect(errorCode((await signIn(noCa, ALICE)).body)).toBe("tls_failed");
  });
});

describe("throttling", () => {
  // Failures here come from a closed port (host_unreachable counts like a wrong password), so
  // they are instant and do not run into Dovecot's own penalty for failed logins per IP.
  async function throttled(config: Parameters<typeof startBridge>[1] = {}) {
    const down = { host: "127.0.0.1", port: await closedPort(), security: "tls" };
    const t = await extraBridge({
      env: { FERRY_IMAP_HOST: "", FERRY_IMAP_PORT: "", FERRY_IMAP_SECURITY: "", ...config.env },
      config: {
        allowPrivateHosts: true,
        imapPorts: [down.port, mail.imap.tlsPort],
        ...config.config,
      },
    });
    const up = { host: "127.0.0.1", port: mail.imap.tlsPort, security: "tls" };
    return {
      fail: (email: string) => signIn(t, { email, password: WRONG, imap: down }),
      succeed: (who: { email: string; password: string }) => signIn(t, { ...who, imap: up }),
    };
  }

  it("answers 429 with Retry-After after repeated failures for one email", async () => {
    const t = await throttled();
    for (let i = 0; i < 5; i++) {
      expect(errorCode((await t.fail(BOB.email)).body)).toBe("host_unreachable");
    }
    const blocked = await t.fail(BOB.email.toUpperCase());
    expect(blocked.status).toBe(429);
    const err = ZHttpError.parse(blocked.body).error;
    expect(err.code).toBe("too_many_attempts");
    expect(err.retryAfter).toBeGreaterThan(0);
    expect(err.retryAfter).toBeLessThanOrEqual(300);
    expect(Number(blocked.headers.get("retry-after"))).toBe(err.retryAfter);
    // even the right password waits; another address from the same client does not
    expect((await t.succeed(BOB)).status).toBe(429);
    expect((await t.succeed(ALICE)).status).toBe(200);
  });

  it("forgets an email's failures after it signs in", async () => {
    const t = await throttled();
    for (let i = 0; i < 4; i++) await t.fail(ALICE.email);
    expect((await t.succeed(ALICE)).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      expect((await t.fail(ALICE.email)).status).toBe(401);
    }
  });

  it("counts parallel guesses: a burst reaches the server no more often than the limit allows", async () => {
    // A "server" that accepts and holds each connection for a while, then drops it: every
    // sign-in is still under way when the rest of the burst arrives.
    const held: Socket[] = [];
    let reached = 0;
    const slow = createServer((socket) => {
      reached += 1;
      held.push(socket);
      socket.on("error", () => {});
      setTimeout(() => socket.destroy(), 500).unref();
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    try {
      const imap = {
        host: "127.0.0.1",
        port: (slow.address() as { port: number }).port,
        security: "tls",
      };
      const t = await extraBridge({
        env: { FERRY_IMAP_HOST: "", FERRY_IMAP_PORT: "", FERRY_IMAP_SECURITY: "" },
        config: { allowPrivateHosts: true, imapPorts: [imap.port] },
      });
      const burst = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          signIn(t, { email: BOB.email, password: `${WRONG}-${i}`, imap }),
        ),
      );
      const statuses = burst.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(7);
      expect(reached).toBe(5);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it("limits one client address across emails", async () => {
    const t = await throttled({ config: { loginFailuresPerIp: 3 } });
    for (let i = 0; i < 3; i++) await t.fail(`user${i}@example.test`);
    const r = await t.fail("fresh@example.test");
    expect(r.status).toBe(429);
    expect((await t.succeed(ALICE)).status).toBe(429);
  });
});

describe("sign-out", () => {
  it("closes every socket of the session and its IMAP connection, and clears the cookie", async () => {
    const cookie = await signedIn(b, BOB.email, BOB.password);
    const imap = clients.filter((c) => c.email === BOB.email).at(-1)?.client;
    expect(imap?.usable).toBe(true);
    const one = await openSocket(b, cookie);
    const two = await openSocket(b, cookie);
    const res = await fetch(`${b.url}/api/session`, {
      method: "DELETE",
      headers: { cookie, origin: b.origin },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(
      /^ferry_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/,
    );
    expect(res.headers.get("clear-site-data")).toBe('"cache", "storage"');
    expect((await withTimeout(one.closed, 5000, "socket one closed")).code).toBe(4001);
    expect((await withTimeout(two.closed, 5000, "socket two closed")).code).toBe(4001);
    expect(imap?.usable).toBe(false);
    // The ended session's cookie, sent again (another tab, a stale browser): the browser is told
    // to drop what it kept of it.
    const stale = await getSession(b, cookie);
    expect(stale.status).toBe(401);
    expect(stale.headers.get("clear-site-data")).toBe('"cache", "storage"');
    expect(b.bridge.sessions.live.get(sessionKey(cookie.split("=")[1] ?? ""))).toBeUndefined();
  });

  it("refuses sign-out from another origin", async () => {
    const cookie = await signedIn(b, ALICE.email, ALICE.password);
    const res = await fetch(`${b.url}/api/session`, {
      method: "DELETE",
      headers: { cookie, origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    expect((await getSession(b, cookie)).status).toBe(200);
  });
});

describe("request checks", () => {
  it("requires an allowed Origin, JSON, a valid body and a small one", async () => {
    const evil = await signIn(b, ALICE, { origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    expect(evil.setCookie).toBeNull();
    const noOrigin = await fetch(`${b.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ALICE),
    });
    expect(noOrigin.status).toBe(403);

    const form = await fetch(`${b.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: b.origin },
      body: "email=a&password=b",
    });
    expect(form.status).toBe(400);
    expect(errorCode(await form.json())).toBe("bad_request");

    expect(errorCode((await signIn(b, "{not json")).body)).toBe("bad_request");
    expect((await signIn(b, { email: ALICE.email })).status).toBe(400);
    const huge = await signIn(b, { email: ALICE.email, password: "x".repeat(20_000) });
    expect(huge.status).toBe(413);
    expect(errorCode(huge.body)).toBe("too_large");
  });

  it("publishes the public config", async () => {
    const res = await fetch(`${b.url}/api/config`);
    expect(res.status).toBe(200);
    expect(ZPublicConfig.parse(await res.json())).toEqual({
      protocolVersion: 1,
      imapPinned: true,
      smtpPinned: false,
      demo: null,
      rules: true,
      uploadMaxBytes: 25 * 1024 * 1024,
      messageMaxBytes: 35 * 1024 * 1024,
    });
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect((await fetch(`${b.url}/api/nope`)).status).toBe(404);
  });

  it("publishes the configured upload limits", async () => {
    const small = await extraBridge({
      env: { FERRY_UPLOAD_MAX_MB: "2", FERRY_MESSAGE_MAX_MB: "3" },
    });
    const cfg = ZPublicConfig.parse(await (await fetch(`${small.url}/api/config`)).json());
    expect(cfg.uploadMaxBytes).toBe(2 * 1024 * 1024);
    expect(cfg.messageMaxBytes).toBe(3 * 1024 * 1024);
  });

  it("refuses to name another server when the server is pinned", async () => {
    const r = await signIn(b, {
      ...ALICE,
      imap: { host: "imap.example.com", port: 993, security: "tls" },
    });
    expect(r.status).toBe(403);
    expect(errorCode(r.body)).toBe("server_not_allowed");
  });
});

describe("user-named servers", () => {
  it("require a server, and refuse private addresses unless allowed", async () => {
    const open = await extraBridge({
      env: {
        FERRY_IMAP_HOST: "",
        FERRY_IMAP_PORT: "",
        FERRY_IMAP_SECURITY: "",
      },
      config: { imapPorts: [mail.imap.tlsPort] },
    });
    const cfg = ZPublicConfig.parse(await (await fetch(`${open.url}/api/config`)).json());
    expect(cfg.imapPinned).toBe(false);
    expect(errorCode((await signIn(open, ALICE)).body)).toBe("bad_request");
    const imap = { host: "127.0.0.1", port: mail.imap.tlsPort, security: "tls" };
    for (const host of ["127.0.0.1", "localhost", "10.1.2.3", "[::1]"]) {
      const r = await signIn(open, { ...ALICE, imap: { ...imap, host } });
      expect(r.status, host).toBe(403);
      expect(errorCode(r.body)).toBe("server_not_allowed");
    }
    const unresolvable = await signIn(open, {
      ...ALICE,
      imap: { ...imap, host: "no-such-host.invalid" },
    });
    expect(errorCode(unresolvable.body)).toBe("host_unreachable");

    const allowing = await extraBridge({
      env: { FERRY_IMAP_HOST: "", FERRY_IMAP_PORT: "", FERRY_IMAP_SECURITY: "" },
      config: { allowPrivateHosts: true, imapPorts: [mail.imap.tlsPort] },
    });
    const r = await signIn(allowing, { ...ALICE, imap });
    expect(r.status).toBe(200);
  });
});

describe("logs", () => {
  it("never contain a password or a session id", async () => {
    // every bridge of this file signed in or failed to; all of them logged at trace
    const cookies = await Promise.all([signedIn(b, ALICE.email, ALICE.password)]);
    const text = bridges.map((x) => x.logs.text).join("\n");
    expect(text.length).toBeGreaterThan(1000);
    expect(text).toContain("signed in");
    for (const secret of [ALICE.password, BOB.password, DORA.password, WRONG]) {
      expect(text).not.toContain(secret);
    }
    for (const cookie of cookies) expect(text).not.toContain(cookie.split("=")[1]);
  });
});
