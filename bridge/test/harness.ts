/**
 * Integration-test harness: a real bridge on port 0 pinned to the real mail-server fixture, with
 * its logs captured; sign-in over fetch; real `ws` clients that collect parsed server frames and
 * let a test await one (test/test-socket.ts; always with a timeout, never a sleep); the mail
 * another client sends (submission) or reads (IMAP), and a mailbox of the vendored corpus.
 */

import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CORPUS_DIR, seedMailbox, startMailServer } from "@ferry/mail-server";
import type { TComposeDraftInput, TServerFrame, TWindow } from "@ferry/protocol";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { expect } from "vitest";
import { type Config, loadConfig } from "../src/config";
import { createLogger } from "../src/log";
import { type Bridge, type BridgeOptions, createBridge } from "../src/server";
import { openSocket, type TestSocket } from "./test-socket";

export { openSocket, TestSocket, upgradeRefusal } from "./test-socket";
export { withTimeout } from "./with-timeout";

export type MailServer = Awaited<ReturnType<typeof startMailServer>>;

/** The messages (.eml, .raw) of the vendored corpus below `dir` (default: all of it), sorted. */
export function corpusFiles(dir: string = CORPUS_DIR): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...corpusFiles(full));
    else if (/\.(raw|eml)$/i.test(entry)) out.push(full);
  }
  return out;
}

export const SESSION_SECRET = "test-secret-test-secret-test-secret!";

/** Everything the bridge logged, as text. */
export class LogCapture {
  readonly chunks: string[] = [];
  write(line: string): void {
    this.chunks.push(line);
  }
  get text(): string {
    return this.chunks.join("");
  }
}

export interface TestBridge {
  bridge: Bridge;
  url: string;
  wsUrl: string;
  /** An allowed Origin (the bridge's own). */
  origin: string;
  config: Config;
  logs: LogCapture;
  close(): Promise<void>;
}

/** A web dir with an app shell, a nested page, a hashed asset and inline scripts. */
export function makeWebDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ferry-web-"));
  const files: Record<string, string> = {
    "index.html":
      '<!doctype html><html><head><script src="/_next/static/chunks/app.js" async></script></head><body><div id="shell">shell</div><script>self.__next_f=self.__next_f||[];self.__next_f.push([0])</script></body></html>',
    "404.html": "<!doctype html><html><body>not found page</body></html>",
    "settings.html":
      '<!doctype html><html><body>settings<script>self.__page="settings"</script></body></html>',
    "about/index.html": "<!doctype html><html><body>about</body></html>",
    "_next/static/chunks/app.js": `console.log(${JSON.stringify("x".repeat(2000))});`,
    "favicon.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
  };
  for (const [path, body] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, body);
  }
  return dir;
}

/**
 * A bridge pinned to `mail` (implicit TLS, the fixture's CA), on port 0, logging at trace into a
 * capture. `config` overrides fields after loading; `env` adds variables. Its state store is a
 * SQLite file in a temp dir of its own, removed on close, unless `env` names FERRY_DATA_DIR or
 * FERRY_REDIS_URL (a restart test: the caller keeps the data).
 */
export async function startBridge(
  mail: MailServer | null,
  opts: {
    env?: Record<string, string>;
    config?: Partial<Config>;
    bridge?: BridgeOptions;
  } = {},
): Promise<TestBridge> {
  const ownData =
    opts.env?.FERRY_DATA_DIR === undefined && opts.env?.FERRY_REDIS_URL === undefined
      ? mkdtempSync(join(tmpdir(), "ferry-data-"))
      : undefined;
  const env: Record<string, string> = {
    FERRY_PORT: "0",
    ...(ownData ? { FERRY_DATA_DIR: ownData } : {}),
    FERRY_SESSION_SECRET: SESSION_SECRET,
    FERRY_LOG_LEVEL: "trace",
    FERRY_WEB_DIR: makeWebDir(),
    ...(mail
      ? {
          FERRY_IMAP_HOST: mail.host,
          FERRY_IMAP_PORT: String(mail.imap.tlsPort),
          FERRY_IMAP_SECURITY: "tls",
          FERRY_CA_FILE: mail.caFile,
        }
      : {}),
    ...opts.env,
  };
  const config: Config = { ...loadConfig(env), ...opts.config };
  const logs = new LogCapture();
  const bridge = await createBridge(config, {
    log: createLogger("trace", logs),
    ...opts.bridge,
  });
  return {
    bridge,
    url: bridge.url,
    wsUrl: `${bridge.url.replace(/^http/, "ws")}/ws`,
    origin: bridge.url,
    config,
    logs,
    close: async () => {
      await bridge.close();
      if (ownData) rmSync(ownData, { recursive: true, force: true });
    },
  };
}

export interface SignInResult {
  status: number;
  body: unknown;
  /** `ferry_session=…` ready for a Cookie header, when one was set. */
  cookie: string | undefined;
  setCookie: string | null;
  headers: Headers;
}

/** POST /api/session with an allowed Origin (unless overridden). */
export async function signIn(
  b: TestBridge,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<SignInResult> {
  const res = await fetch(`${b.url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: b.origin, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const setCookie = res.headers.get("set-cookie");
  return {
    status: res.status,
    body: text === "" ? null : JSON.parse(text),
    cookie: setCookie?.split(";")[0],
    setCookie,
    headers: res.headers,
  };
}

/** Signs in and returns the cookie, failing the test when sign-in does not succeed. */
export async function signedIn(b: TestBridge, email: string, password: string): Promise<string> {
  const r = await signIn(b, { email, password });
  if (r.status !== 200 || !r.cookie) {
    throw new Error(`sign-in failed: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return r.cookie;
}

let messageCounter = 0;

/** A small, distinct plain-text message from Carol, ready for the fixture's LMTP delivery. */
export function plainMessage(to: string, subject: string): string {
  messageCounter += 1;
  return [
    "From: Carol <carol@example.test>",
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <test-${messageCounter}-${Date.now()}@example.test>`,
    `Date: ${new Date().toUTCString()}`,
    "",
    `Body of ${subject}`,
    "",
  ].join("\r\n");
}

/** The fixture's IMAPS port as a sign-in's `imap` (the server a user names at sign-in). */
export function imapTargetOf(mail: MailServer) {
  return { host: mail.host, port: mail.imap.tlsPort, security: "tls" as const };
}

/** Signs in with `body` (expecting 200) and opens a socket on that session, added to `opened`. */
export async function socketSignedIn(
  b: TestBridge,
  body: unknown,
  opened: TestSocket[],
): Promise<TestSocket> {
  const r = await signIn(b, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const s = await openSocket(b, r.cookie as string);
  opened.push(s);
  return s;
}

/** A draft from one address to another (no display names), with any other fields in `more`. */
export function draftTo(
  from: string,
  to: string,
  subject: string,
  more: Omit<Partial<TComposeDraftInput>, "from" | "to" | "subject"> = {},
): TComposeDraftInput {
  return { from: { name: "", address: from }, to: [{ name: "", address: to }], subject, ...more };
}

/** The bridge's environment for sending through the fixture's submission port (STARTTLS). */
export function smtpEnv(mail: MailServer, port = mail.submissionPort): Record<string, string> {
  return {
    FERRY_SMTP_HOST: mail.host,
    FERRY_SMTP_PORT: String(port),
    FERRY_SMTP_SECURITY: "starttls",
  };
}

/** Opens INBOX on the socket and returns its first window of 50 rows. */
export async function inboxWindow(
  s: TestSocket,
  nextId: () => string,
): Promise<Extract<TServerFrame, { type: "list.window" }>> {
  await s.request({ type: "mailbox.open", id: nextId(), path: "INBOX" });
  const w = await s.request({
    type: "list.window",
    id: nextId(),
    mailbox: "INBOX",
    offset: 0,
    limit: 50,
  });
  if (w.type !== "list.window") throw new Error(JSON.stringify(w));
  return w;
}

/**
 * The raw sources of the messages in `mailbox` whose subject is `subject`, as the server has
 * them now (a NOOP first, so mail that just arrived is seen).
 */
export async function sourcesBySubject(
  client: ImapFlow,
  mailbox: string,
  subject: string,
): Promise<Buffer[]> {
  const lock = await client.getMailboxLock(mailbox);
  try {
    await client.noop();
    const uids = await client.search({ subject }, { uid: true });
    const out: Buffer[] = [];
    if (!Array.isArray(uids) || uids.length === 0) return out;
    for await (const msg of client.fetch(uids, { source: true }, { uid: true })) {
      if (msg.source) out.push(msg.source);
    }
    return out;
  } finally {
    lock.release();
  }
}

/**
 * A plain IMAP client of `user` against the fixture, TLS verified with its CA: another device,
 * or the test's own look at the server. The caller logs it out.
 */
export async function imapClient(
  mail: MailServer,
  user: { email: string; password: string },
): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: mail.host,
    port: mail.imap.tlsPort,
    secure: true,
    auth: { user: user.email, pass: user.password },
    tls: { ca: mail.ca },
    logger: false,
    disableAutoIdle: true,
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/**
 * A mail server (no Postfix) whose one user `email` has 600 seeded messages and the vendored
 * corpus (missing Message-IDs, broken References, repeated subjects) in INBOX, and an IMAP client
 * of that user. The caller logs the client out and stops the server.
 */
export async function corpusInbox(email: string): Promise<{ mail: MailServer; client: ImapFlow }> {
  const mail = await startMailServer({ postfix: false, users: [{ email }] });
  await seedMailbox(mail, email, { inbox: 600 });
  for (const file of corpusFiles()) {
    await mail.deliver(readFileSync(file), { from: "corpus@example.test", to: [email] });
  }
  return { mail, client: await imapClient(mail, mail.user(email)) };
}

/** Signs `user` in and opens a socket with INBOX open on it. */
export async function inboxSocket(
  b: TestBridge,
  user: { email: string; password: string },
): Promise<TestSocket> {
  const s = await openSocket(b, await signedIn(b, user.email, user.password));
  const opened = await s.request({ type: "mailbox.open", id: "open", path: "INBOX" });
  if (opened.type !== "mailbox.opened") throw new Error(JSON.stringify(opened));
  return s;
}

/**
 * An SMTP client of `user` on the fixture's Postfix submission port (STARTTLS, verified with its
 * CA): mail another client sends. The caller closes it.
 */
export function submissionOf(mail: MailServer, user: { email: string; password: string }) {
  return nodemailer.createTransport({
    host: mail.host,
    port: mail.submissionPort,
    secure: false,
    requireTLS: true,
    auth: { user: user.email, pass: user.password },
    tls: { ca: mail.ca },
  });
}

let windowRequests = 0;

/** INBOX's first 50 rows read on `s`, grouped into conversations when `conversations`. */
export async function inboxRows(s: TestSocket, conversations: boolean): Promise<TWindow> {
  const reply = await s.request(
    {
      type: "list.window",
      id: `inbox-rows-${++windowRequests}`,
      mailbox: "INBOX",
      offset: 0,
      limit: 50,
      query: null,
      conversations,
    },
    30_000,
  );
  if (reply.type !== "list.window") throw new Error(JSON.stringify(reply));
  return reply;
}
