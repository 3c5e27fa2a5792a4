/**
 * @ferry/mail-server — a real, throwaway mail server on loopback for tests, the benchmark and
 * the demo: Dovecot (IMAP implicit TLS + STARTTLS, LMTP with Sieve, ManageSieve with STARTTLS,
 * SASL for Postfix) and Postfix
 * (submission with STARTTLS + AUTH, local delivery over LMTP), with a fresh CA, all inside one
 * temp dir. This module owns the public API and the fixture's lifecycle.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, rmSync } from "node:fs";
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { track, untrack } from "./cleanup";
import { Dovecot, MAIL_GID, MAIL_UID, SPECIAL_USE } from "./dovecot";
import { lmtpDeliver } from "./lmtp";
import { freePorts, waitForPorts } from "./ports";
import { FIXTURE_DIR_PREFIX, Postfix } from "./postfix";
import type { RunResult } from "./proc";
import { makeCertificates } from "./tls";

export { CORPUS_DIR } from "./corpus-dir";
export { ensureMailServerPackages, missingMailServerPackages } from "./install";
export { type Envelope, lmtpDeliver } from "./lmtp";
export {
  ferryProxyConfig,
  nginxInstalled,
  type ProxyServer,
  startFerryProxy,
} from "./nginx";
export { freePorts } from "./ports";
export { registeredConfigDirs as postfixAlternateConfigDirs } from "./postfix";
export { type RedisServer, redisServerInstalled, startRedisServer } from "./redis";
export {
  dompurifyVectors,
  h5scPayloads,
  h5scVectors,
  type XssVector,
  xssVectors,
} from "./xss-corpus";
export { MAIL_GID, MAIL_UID, SPECIAL_USE };

/** A mailbox account of the fixture. */
export interface MailUser {
  /** Login name and address (lower-case). */
  email: string;
  password: string;
  /** Home directory (owned by uid/gid 8). */
  home: string;
  /** `<home>/Maildir`, Maildir++ layout: folders are `.Sent`, `.Archive.2024`, … */
  maildir: string;
}

/** Options of {@link startMailServer}. */
export interface MailServerOptions {
  /** Initial users; default alice@ and bob@ the domain, with generated passwords. */
  users?: { email: string; password?: string; quotaKb?: number }[];
  /** Mail domain served by the fixture; default `example.test`. User domains are added too. */
  domain?: string;
  /** Extra DNS names for the server certificate (localhost and mail.<domain> are always in). */
  hostnames?: string[];
  /** Keep the temp dir after stop() for debugging. */
  keep?: boolean;
  /** Start Postfix (SMTP submission); default true. Without it only IMAP/LMTP run. */
  postfix?: boolean;
  /**
   * Offer IMAP NOTIFY (RFC 5465); default true. False gives a server without it (and without
   * Dovecot's mailbox list index, which NOTIFY needs), for testing a client's fallback.
   */
  notify?: boolean;
  /**
   * Dovecot's mailbox_idle_check_interval in seconds (its default 30): how often IDLE and NOTIFY
   * look for changes their file watches missed. Longer, a test shows what the watches alone do.
   */
  idleCheckSecs?: number;
}

/** Per-user settings of the fixture's Dovecot. */
export interface UserOptions {
  /** Storage quota in KiB (RFC 9208 STORAGE, shown by GETQUOTAROOT); unlimited when undefined. */
  quotaKb?: number | undefined;
}

/** A running fixture. All listeners are on loopback. */
export interface MailServer {
  /** Host for IMAP with implicit TLS, LMTP and SMTP submission. */
  host: "127.0.0.1";
  /** The first (default) mail domain. */
  domain: string;
  /** All domains delivered locally. */
  domains: string[];
  imap: {
    /** Implicit TLS (like 993). */
    tlsPort: number;
    /**
     * Plain port that requires STARTTLS before login (LOGINDISABLED). It listens on
     * 127.0.0.2 because Dovecot treats a connection whose source IP equals its destination
     * IP as secure and would allow plaintext login on 127.0.0.1.
     */
    starttlsHost: "127.0.0.2";
    starttlsPort: number;
  };
  /** Dovecot LMTP (plain TCP). Sieve scripts run at this delivery (Postfix's too). */
  lmtpPort: number;
  /**
   * ManageSieve (RFC 5804, Pigeonhole): STARTTLS required before AUTHENTICATE, with the fixture's
   * certificate. On 127.0.0.2 for the same reason as `imap.starttlsHost`.
   */
  sieve: { host: "127.0.0.2"; port: number };
  /** Postfix submission: STARTTLS required, then AUTH PLAIN/LOGIN; 0 with `postfix: false`. */
  submissionPort: number;
  /** Dovecot's auth service for Postfix SASL (`inet:127.0.0.1:<port>`). */
  authPort: number;
  /** PEM of the fixture's CA; pass as `tls: { ca }` to clients. */
  ca: string;
  caFile: string;
  users: MailUser[];
  /** Looks up a user (case-insensitive); throws if unknown. */
  user(email: string): MailUser;
  /** Creates a user (password generated if omitted); its domain must be one of `domains`. */
  addUser(email: string, password?: string, opts?: UserOptions): Promise<MailUser>;
  /** Delivers a raw RFC 5322 message over LMTP; rejects if any recipient is refused. */
  deliver(raw: string | Buffer, envelope: { from: string; to: string[] }): Promise<void>;
  /** chowns the user's home to uid/gid 8 (after writing files there as root). */
  fixOwnership(email: string): Promise<void>;
  /**
   * After writing Maildir files directly: fixes ownership, then `doveadm force-resync` and
   * `doveadm index` of all the user's mailboxes, so Dovecot's indexes match the files.
   */
  reindex(email: string): Promise<void>;
  /** Kills the IMAP sessions of one user, or of everyone (`doveadm kick`). */
  killConnections(email?: string): Promise<void>;
  /** Runs doveadm against this instance's config. */
  doveadm(args: string[]): Promise<RunResult>;
  /** The temp dir holding config, state, logs and mail. */
  dir: string;
  logs: { dovecot: string; postfix: string };
  /** Pids of the Dovecot and Postfix master processes (undefined once stopped). */
  pids(): { dovecot: number | undefined; postfix: number | undefined };
  /** Stops both daemons, waits until every process is gone, and removes the temp dir. */
  stop(): Promise<void>;
}

const EMAIL = /^[^\s@:/\\]+@[a-z0-9.-]+$/i;

function generatePassword(): string {
  return randomBytes(12).toString("base64url");
}

async function chownTree(path: string): Promise<void> {
  await chown(path, MAIL_UID, MAIL_GID);
  const stat = await lstat(path);
  if (!stat.isDirectory()) return;
  const entries = await readdir(path);
  await Promise.all(entries.map((e) => chownTree(join(path, e))));
}

class Fixture implements MailServer {
  readonly host = "127.0.0.1";
  readonly users: MailUser[] = [];
  readonly imap: MailServer["imap"];
  readonly lmtpPort: number;
  readonly sieve: MailServer["sieve"];
  readonly submissionPort: number;
  readonly authPort: number;
  readonly logs: MailServer["logs"];
  ca = "";
  caFile = "";
  private stopping: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    readonly domains: string[],
    private readonly dovecot: Dovecot,
    private readonly postfix: Postfix | undefined,
    private readonly keep: boolean,
  ) {
    this.imap = {
      tlsPort: dovecot.ports.imapTls,
      starttlsHost: "127.0.0.2",
      starttlsPort: dovecot.ports.imapStarttls,
    };
    this.lmtpPort = dovecot.ports.lmtp;
    this.sieve = { host: "127.0.0.2", port: dovecot.ports.sieve };
    this.authPort = dovecot.ports.auth;
    this.submissionPort = postfix?.opts.submissionPort ?? 0;
    this.logs = { dovecot: dovecot.paths.logFile, postfix: join(dir, "postfix.log") };
  }

  get domain(): string {
    return this.domains[0] ?? "";
  }

  user(email: string): MailUser {
    const found = this.users.find((u) => u.email === email.toLowerCase());
    if (!found) throw new Error(`no such fixture user: ${email}`);
    return found;
  }

  async createUser(
    email: string,
    password = generatePassword(),
    opts: UserOptions = {},
  ): Promise<MailUser> {
    const address = email.toLowerCase();
    if (!EMAIL.test(address)) throw new Error(`invalid fixture email: ${email}`);
    if (this.users.some((u) => u.email === address)) throw new Error(`user exists: ${address}`);
    const home = join(this.dir, "home", address);
    const maildir = join(home, "Maildir");
    await Promise.all(
      ["cur", "new", "tmp"].map((d) => mkdir(join(maildir, d), { recursive: true })),
    );
    await chmod(home, 0o700);
    await chownTree(home);
    await this.dovecot.addUser(address, password, home, opts.quotaKb);
    const user = { email: address, password, home, maildir };
    this.users.push(user);
    return user;
  }

  async addUser(email: string, password?: string, opts?: UserOptions): Promise<MailUser> {
    const domain = email.split("@")[1]?.toLowerCase() ?? "";
    if (!this.domains.includes(domain)) {
      throw new Error(`${email}: domain must be one of ${this.domains.join(", ")}`);
    }
    const user = await this.createUser(email, password, opts);
    if (this.postfix) {
      await this.postfix.writeMailboxes(this.users.map((u) => u.email));
      await this.postfix.reload();
    }
    return user;
  }

  deliver(raw: string | Buffer, envelope: { from: string; to: string[] }): Promise<void> {
    return lmtpDeliver(this.lmtpPort, raw, envelope);
  }

  async fixOwnership(email: string): Promise<void> {
    await chownTree(this.user(email).home);
  }

  async reindex(email: string): Promise<void> {
    const user = this.user(email);
    await chownTree(user.home);
    await this.dovecot.doveadm(["force-resync", "-u", user.email, "*"]);
    await this.dovecot.doveadm(["index", "-u", user.email, "*"]);
  }

  async killConnections(email?: string): Promise<void> {
    const mask = email === undefined ? "*" : this.user(email).email;
    await this.dovecot.doveadm(["kick", mask]).catch((err: Error) => {
      if (!/no users kicked|not found/i.test(err.message)) throw err;
    });
  }

  doveadm(args: string[]): Promise<RunResult> {
    return this.dovecot.doveadm(args);
  }

  pids() {
    return { dovecot: this.dovecot.pid, postfix: this.postfix?.pid };
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      untrack(this);
      await Promise.all([this.postfix?.stop(), this.dovecot.stop()]);
      if (!this.keep) await rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
    })();
    return this.stopping;
  }

  /** Synchronous teardown for process exit: kill both daemons, remove the temp dir. */
  disposeSync(): void {
    this.postfix?.killSync();
    this.dovecot.killSync();
    if (!this.keep) rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

async function startOnce(opts: MailServerOptions): Promise<MailServer> {
  const domain = (opts.domain ?? "example.test").toLowerCase();
  const userSpecs = opts.users ?? [{ email: `alice@${domain}` }, { email: `bob@${domain}` }];
  const domains = [
    ...new Set([domain, ...userSpecs.map((u) => u.email.split("@")[1]?.toLowerCase() ?? "")]),
  ].filter(Boolean);
  const withPostfix = opts.postfix ?? true;

  const dir = await mkdtemp(join(tmpdir(), FIXTURE_DIR_PREFIX));
  await chmod(dir, 0o755);
  const [imapTls = 0, imapStarttls = 0, lmtp = 0, auth = 0, submission = 0, sieve = 0] =
    await freePorts(6);
  const tlsDir = join(dir, "tls");
  await mkdir(tlsDir);
  const postfixDir = join(dir, "postfix");
  const dovecot = new Dovecot(
    {
      dir: join(dir, "dovecot"),
      logFile: join(dir, "dovecot.log"),
      certFile: join(tlsDir, "server.pem"),
      keyFile: join(tlsDir, "server.key"),
      // Postfix's configDir (postfix.ts): vacation replies and redirects go through it
      ...(withPostfix ? { sendmailPath: `/usr/sbin/sendmail -C ${join(postfixDir, "etc")}` } : {}),
    },
    { imapTls, imapStarttls, lmtp, auth, sieve },
    `ferry-${dir.slice(-6)}`,
    { notify: opts.notify ?? true, idleCheckSecs: opts.idleCheckSecs },
  );
  const postfix = withPostfix
    ? new Postfix({
        dir: postfixDir,
        logFile: join(dir, "postfix.log"),
        domains,
        submissionPort: submission,
        lmtpPort: lmtp,
        authPort: auth,
        certFile: dovecot.paths.certFile,
        keyFile: dovecot.paths.keyFile,
      })
    : undefined;
  const fixture = new Fixture(dir, domains, dovecot, postfix, opts.keep ?? false);
  track(fixture);
  try {
    const [tls] = await Promise.all([
      makeCertificates(tlsDir, [`mail.${domain}`, ...domains, ...(opts.hostnames ?? [])]),
      mkdir(dovecot.paths.dir, { recursive: true }),
    ]);
    fixture.ca = tls.ca;
    fixture.caFile = tls.caFile;
    for (const spec of userSpecs) {
      await fixture.createUser(spec.email, spec.password, { quotaKb: spec.quotaKb });
    }
    const emails = fixture.users.map((u) => u.email);
    await Promise.all([dovecot.start(), postfix?.start(emails)]);
    const local = (port: number) => ({ host: "127.0.0.1", port });
    const endpoints = [
      local(imapTls),
      { host: "127.0.0.2", port: imapStarttls },
      { host: "127.0.0.2", port: sieve },
      local(lmtp),
      local(auth),
      ...(postfix ? [local(submission)] : []),
    ];
    await waitForPorts("the mail server", endpoints, 10_000).catch((err: Error) => {
      throw new Error(`${err.message}${dovecot.logTail()}${postfix?.logTail() ?? ""}`);
    });
    return fixture;
  } catch (err) {
    await fixture.stop().catch(() => undefined);
    throw err;
  }
}

/**
 * Starts a throwaway Dovecot (+ Postfix) on loopback with free ports and a fresh CA, and
 * resolves once every listener accepts connections. Call `stop()` when done; daemons are also
 * killed on process exit/SIGINT/SIGTERM.
 */
export async function startMailServer(opts: MailServerOptions = {}): Promise<MailServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/i.test((err as Error).message)) throw err;
    }
  }
}

/** Temp dirs of fixtures that are still on disk (running, kept, or leaked). */
export function fixtureDirs(): string[] {
  return readdirSync(tmpdir())
    .filter((d) => d.startsWith(FIXTURE_DIR_PREFIX))
    .map((d) => join(tmpdir(), d));
}

export * from "./seed/index";
