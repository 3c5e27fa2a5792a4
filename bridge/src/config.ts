/**
 * The bridge's configuration: the only module that reads the environment. `loadConfig` validates
 * every FERRY_* variable with zod and reports all problems at once (one line per bad value), so
 * a misconfigured bridge refuses to start instead of half-working.
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | FERRY_PORT | 3000 | port for the web app, the API and the socket (0 = any free port) |
 * | FERRY_HOST | 127.0.0.1 | listen address. Loopback by default: put a TLS reverse proxy in front, or set 0.0.0.0 (e.g. in a container) |
 * | FERRY_IMAP_HOST / _PORT / _SECURITY | unset / 993 or 143 / tls | pin every user to this IMAP server (security tls or starttls) |
 * | FERRY_SMTP_HOST / _PORT / _SECURITY | unset / 465 or 587 / starttls | pin every user to this SMTP submission server |
 * | FERRY_CA_FILE | unset | extra PEM CA trusted for IMAP and SMTP (e.g. a self-signed test server); read at start |
 * | FERRY_SESSION_SECRET | random in development | ≥ 32 characters; derives the key that encrypts stored passwords. Required when NODE_ENV=production |
 * | FERRY_ALLOWED_ORIGINS | http://localhost:PORT, http://127.0.0.1:PORT | comma list of origins allowed to sign in and open the socket |
 * | FERRY_ALLOW_PRIVATE_HOSTS | false | let users name IMAP/SMTP hosts that resolve to private, loopback or link-local addresses |
 * | FERRY_PROXY_ALLOW_PRIVATE_HOSTS | false | let the image proxy fetch from hosts that resolve to private, loopback or link-local addresses (apart from FERRY_ALLOW_PRIVATE_HOSTS) |
 * | FERRY_SESSION_HTTP_CONCURRENCY | 6 | requests of one session running at once on /api/parts, and apart on /api/proxy; more wait in a short queue, beyond it 429 |
 * | FERRY_SESSION_HTTP_PER_MINUTE | 600 | requests of one session per minute on /api/parts, and apart on /api/proxy; beyond it 429 with Retry-After |
 * | FERRY_ALLOW_PLAIN_IMAP | false | plain (unencrypted) IMAP is not supported; only false is accepted |
 * | FERRY_WEB_DIR | ../web/out (from the bridge package) | the built static web app |
 * | FERRY_TRUST_PROXY | false | honour X-Forwarded-Proto/-For from a reverse proxy (Secure cookies, client IP) |
 * | FERRY_LOG_LEVEL | info | fatal, error, warn, info, debug, trace or silent |
 * | FERRY_DEMO_EMAIL / FERRY_DEMO_PASSWORD | unset | credentials shown on the sign-in page of a demo |
 * | FERRY_UPLOAD_MAX_MB | 25 | largest attachment a user may upload, in MB (refused with 413 before it is buffered) |
 * | FERRY_MESSAGE_MAX_MB | 35 | largest total of attachments in one message, in MB |
 * | FERRY_SMTP_SAVES_SENT | false | the pinned SMTP server files sent mail in Sent itself (e.g. Gmail): the bridge does not APPEND a copy |
 * | FERRY_IMAP_PORTS / FERRY_SMTP_PORTS | 993,143 / 465,587 | ports a user may name for their own IMAP / SMTP server (comma list) |
 * | FERRY_SESSIONS_PER_ACCOUNT | 20 | sessions at once per account (IMAP server and user name); one more sign-in is refused |
 * | FERRY_SESSIONS_PER_CLIENT | 50 | sessions at once per client address (IPv6 by /64) |
 * | FERRY_IMAP_TIMEOUT_S | 60 | an IMAP command that gets no byte for this long is abandoned (connection_lost) |
 * | FERRY_DATA_DIR | $XDG_STATE_HOME/ferry, else ~/.local/state/ferry | directory of the state store's SQLite file (ferry.sqlite), created mode 700 |
 * | FERRY_REDIS_URL | unset | redis:// or rediss:// URL: keep the state store in Redis instead (several bridges share it) |
 * | FERRY_SIEVE_HOST / _PORT | the IMAP host / 4190 | ManageSieve server for filters and the vacation reply (STARTTLS required); port 0 turns rules off |
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { LogLevel } from "./log";

export type Security = "tls" | "starttls";

export interface ServerTarget {
  host: string;
  port: number;
  security: Security;
}

export interface Config {
  port: number;
  host: string;
  /** Pinned IMAP server for all users, or null when users name their own. */
  imap: ServerTarget | null;
  /** Pinned SMTP submission server, or null. */
  smtp: ServerTarget | null;
  /** Extra PEM CA (contents) trusted for IMAP and SMTP. */
  ca: string | undefined;
  sessionSecret: string;
  /**
   * FERRY_SESSION_SECRET was not set and `sessionSecret` is random for this process: nothing it
   * seals outlives the process (held mail is then sent at shutdown; sending later is refused).
   */
  sessionSecretRandom?: boolean;
  /**
   * Allowed browser origins. null means the default: the bridge's own origin on loopback
   * (http://localhost:PORT and http://127.0.0.1:PORT, with the port actually bound).
   */
  allowedOrigins: string[] | null;
  allowPrivateHosts: boolean;
  /** The image proxy may fetch from private, loopback or link-local hosts (apart from IMAP/SMTP). */
  proxyAllowPrivateHosts: boolean;
  /** Requests one session may have running at once on /api/parts, and apart on /api/proxy. */
  sessionHttpConcurrency: number;
  /** Requests one session may make per minute on /api/parts, and apart on /api/proxy. */
  sessionHttpPerMinute: number;
  webDir: string;
  trustProxy: boolean;
  logLevel: LogLevel;
  demo: { email: string; password: string } | null;
  /** A session unused this long is forgotten. */
  sessionIdleTtlMs: number;
  /** Any session, even one in use, must sign in again this long after it signed in. */
  sessionMaxAgeMs: number;
  /**
   * A session's IMAP connections close this long after its last socket closed (and no HTTP
   * request uses them); it stays signed in, and its next socket or request reconnects.
   */
  sessionDetachMs: number;
  /** Interval of the socket heartbeat (ping/terminate), sent to the browser in `hello`. */
  heartbeatMs: number;
  /** IMAP connect (TCP + TLS + greeting) timeout. */
  connectTimeoutMs: number;
  /**
   * Sign-in failures within `loginWindowMs` per (email address, client network), then per client
   * network (IPv6 by /64), after which attempts are slowed down (session/login-limiter.ts).
   */
  loginFailuresPerEmail: number;
  loginFailuresPerIp: number;
  loginWindowMs: number;
  /** The first wait past a limit; it doubles with each further failure. */
  loginBaseDelayMs: number;
  /** Largest uploaded attachment, in bytes. */
  uploadMaxBytes: number;
  /** Largest total of attachments in one message, in bytes. */
  messageMaxBytes: number;
  /** The pinned SMTP server saves sent mail itself: no APPEND to Sent. */
  smtpSavesSent: boolean;
  /** Ports a user may name for their own IMAP server. */
  imapPorts: number[];
  /** Ports a user may name for their own SMTP server. */
  smtpPorts: number[];
  /** Sessions at once per account (IMAP server and user name). */
  sessionsPerAccount: number;
  /** Sessions at once per client address (IPv6 aggregated by /64). */
  sessionsPerClient: number;
  /** An IMAP command that receives nothing for this long is abandoned (imap/connect.ts). */
  imapCommandTimeoutMs: number;
  /** Directory of the state store's SQLite file (used when `redisUrl` is null). */
  dataDir: string;
  /** The state store is in Redis at this URL (may hold a password: never log it), or null. */
  redisUrl: string | null;
  /**
   * ManageSieve (bridge/src/sieve): null when FERRY_SIEVE_PORT=0 (rules off). `host` null means
   * the session's IMAP host.
   */
  sieve: { host: string | null; port: number } | null;
  /** Messages about the configuration worth logging at start (e.g. a generated secret). */
  warnings: string[];
}

/** Thrown by loadConfig; `problems` holds one line per bad value. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

const BOOL_TRUE = new Set(["1", "true", "yes", "on"]);
const BOOL_FALSE = new Set(["0", "false", "no", "off"]);

const zBool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => BOOL_TRUE.has(v) || BOOL_FALSE.has(v), { message: "must be true or false" })
  .transform((v) => BOOL_TRUE.has(v))
  .optional();

const zPort = (min: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { message: "must be a whole number" })
    .transform(Number)
    .refine((n) => n >= min && n <= 65535, { message: `must be between ${min} and 65535` })
    .optional();

const zHost = z
  .string()
  .trim()
  .min(1, { message: "must not be empty" })
  .max(253)
  .regex(/^[A-Za-z0-9.:[\]_-]+$/, { message: "must be a host name or IP address" })
  .optional();

const zSecurity = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["tls", "starttls"], { message: "must be tls or starttls" }))
  .optional();

const zMegabytes = z
  .string()
  .trim()
  .regex(/^\d+$/, { message: "must be a whole number of megabytes" })
  .transform(Number)
  .refine((n) => n >= 1 && n <= 1024, { message: "must be between 1 and 1024" })
  .optional();

const zPortList = z
  .string()
  .transform((list, ctx) => {
    const ports: number[] = [];
    for (const raw of list.split(",")) {
      const value = raw.trim();
      if (value === "") continue;
      const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!(n >= 1 && n <= 65535)) {
        ctx.addIssue({ code: "custom", message: `"${value}" is not a port between 1 and 65535` });
      } else {
        ports.push(n);
      }
    }
    if (ports.length === 0)
      ctx.addIssue({ code: "custom", message: "must list at least one port" });
    return ports;
  })
  .optional();

const zCount = (max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { message: "must be a whole number" })
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, { message: `must be between 1 and ${max}` })
    .optional();

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const ZEnv = z.object({
  NODE_ENV: z.string().optional(),
  FERRY_PORT: zPort(0),
  FERRY_HOST: zHost,
  FERRY_IMAP_HOST: zHost,
  FERRY_IMAP_PORT: zPort(1),
  FERRY_IMAP_SECURITY: zSecurity,
  FERRY_SMTP_HOST: zHost,
  FERRY_SMTP_PORT: zPort(1),
  FERRY_SMTP_SECURITY: zSecurity,
  /** Read at start-up: the value becomes the file's PEM contents. */
  FERRY_CA_FILE: z
    .string()
    .trim()
    .transform((file, ctx) => {
      try {
        const pem = readFileSync(file, "utf8");
        if (pem.includes("-----BEGIN CERTIFICATE-----")) return pem;
        ctx.addIssue({ code: "custom", message: `${file} is not a PEM certificate` });
      } catch (err) {
        const code = (err as { code?: string }).code ?? "unreadable";
        ctx.addIssue({ code: "custom", message: `cannot read ${file} (${code})` });
      }
      return z.NEVER;
    })
    .optional(),
  FERRY_SESSION_SECRET: z
    .string()
    .min(32, { message: "must be at least 32 characters (e.g. `openssl rand -base64 48`)" })
    .optional(),
  FERRY_ALLOWED_ORIGINS: z
    .string()
    .transform((list, ctx) => {
      const origins: string[] = [];
      for (const raw of list.split(",")) {
        const value = raw.trim();
        if (value === "") continue;
        const origin = parseOrigin(value);
        if (origin === null) {
          ctx.addIssue({
            code: "custom",
            message: `"${value}" is not an origin like https://mail.example.com`,
          });
        } else {
          origins.push(origin);
        }
      }
      return origins;
    })
    .optional(),
  FERRY_ALLOW_PRIVATE_HOSTS: zBool,
  FERRY_PROXY_ALLOW_PRIVATE_HOSTS: zBool,
  FERRY_SESSION_HTTP_CONCURRENCY: zCount(1000),
  FERRY_SESSION_HTTP_PER_MINUTE: zCount(100_000),
  FERRY_ALLOW_PLAIN_IMAP: zBool,
  FERRY_WEB_DIR: z.string().trim().min(1, { message: "must not be empty" }).optional(),
  FERRY_TRUST_PROXY: zBool,
  FERRY_LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(", ")}` }))
    .optional(),
  FERRY_DEMO_EMAIL: z.string().trim().min(1).max(320).optional(),
  FERRY_DEMO_PASSWORD: z.string().min(1).max(1024).optional(),
  FERRY_UPLOAD_MAX_MB: zMegabytes,
  FERRY_MESSAGE_MAX_MB: zMegabytes,
  FERRY_SMTP_SAVES_SENT: zBool,
  FERRY_IMAP_PORTS: zPortList,
  FERRY_SMTP_PORTS: zPortList,
  FERRY_SESSIONS_PER_ACCOUNT: zCount(10_000),
  FERRY_SESSIONS_PER_CLIENT: zCount(100_000),
  FERRY_IMAP_TIMEOUT_S: zCount(3600),
  FERRY_DATA_DIR: z.string().trim().min(1).optional(),
  FERRY_REDIS_URL: z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          const url = new URL(value);
          return (url.protocol === "redis:" || url.protocol === "rediss:") && url.hostname !== "";
        } catch {
          return false;
        }
      },
      { message: "must be a URL like redis://host:6379 or rediss://host:6380" },
    )
    .optional(),
  FERRY_SIEVE_HOST: zHost,
  FERRY_SIEVE_PORT: zPort(0),
  XDG_STATE_HOME: z.string().optional(),
  HOME: z.string().optional(),
});

/** The bridge package directory (one level above both src/ and dist/). */
function bridgeDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..");
}

/** Normalises one allowed origin; returns null when it is not a bare http(s) origin. */
function parseOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) return null;
    if (url.username || url.password) return null;
    return url.origin;
  } catch {
    return null;
  }
}

function pinned(
  prefix: "IMAP" | "SMTP",
  host: string | undefined,
  port: number | undefined,
  security: Security | undefined,
): ServerTarget | null {
  if (host === undefined) return null;
  // Submission is usually STARTTLS on 587; IMAP usually implicit TLS on 993.
  const sec = security ?? (prefix === "IMAP" ? "tls" : "starttls");
  const defaults = prefix === "IMAP" ? { tls: 993, starttls: 143 } : { tls: 465, starttls: 587 };
  return { host, port: port ?? defaults[sec], security: sec };
}

/**
 * Reads and validates the configuration from `env` (process.env by default). Pure apart from
 * reading FERRY_CA_FILE. Throws ConfigError listing every problem.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable counts as unset (docker-compose and .env files often leave them so).
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== "") present[key] = value;
  }
  const parsed = ZEnv.safeParse(present);
  const problems: string[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  // Checks across variables look at what is set, so they are reported with the rest.
  for (const prefix of ["IMAP", "SMTP"]) {
    if (present[`FERRY_${prefix}_HOST`] !== undefined) continue;
    for (const what of ["PORT", "SECURITY"]) {
      if (present[`FERRY_${prefix}_${what}`] !== undefined) {
        problems.push(`FERRY_${prefix}_${what} is set but FERRY_${prefix}_HOST is not`);
      }
    }
  }
  if ((present.FERRY_DEMO_EMAIL === undefined) !== (present.FERRY_DEMO_PASSWORD === undefined)) {
    problems.push("FERRY_DEMO_EMAIL and FERRY_DEMO_PASSWORD must be set together");
  }
  if (BOOL_TRUE.has(present.FERRY_ALLOW_PLAIN_IMAP?.trim().toLowerCase() ?? "")) {
    problems.push(
      "FERRY_ALLOW_PLAIN_IMAP: plain IMAP is not supported; use an IMAP server with TLS or STARTTLS",
    );
  }
  if (present.FERRY_SESSION_SECRET === undefined && present.NODE_ENV === "production") {
    problems.push("FERRY_SESSION_SECRET: required when NODE_ENV=production");
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;

  const warnings: string[] = [];
  let sessionSecret = e.FERRY_SESSION_SECRET;
  if (sessionSecret === undefined) {
    warnings.push(
      "FERRY_SESSION_SECRET is not set: using a random one, so sessions will not survive a restart",
    );
    sessionSecret = randomBytes(48).toString("base64url");
  }

  return {
    port: e.FERRY_PORT ?? 3000,
    host: e.FERRY_HOST ?? "127.0.0.1",
    imap: pinned("IMAP", e.FERRY_IMAP_HOST, e.FERRY_IMAP_PORT, e.FERRY_IMAP_SECURITY),
    smtp: pinned("SMTP", e.FERRY_SMTP_HOST, e.FERRY_SMTP_PORT, e.FERRY_SMTP_SECURITY),
    ca: e.FERRY_CA_FILE,
    sessionSecret,
    sessionSecretRandom: e.FERRY_SESSION_SECRET === undefined,
    allowedOrigins: e.FERRY_ALLOWED_ORIGINS?.length ? e.FERRY_ALLOWED_ORIGINS : null,
    allowPrivateHosts: e.FERRY_ALLOW_PRIVATE_HOSTS ?? false,
    proxyAllowPrivateHosts: e.FERRY_PROXY_ALLOW_PRIVATE_HOSTS ?? false,
    sessionHttpConcurrency: e.FERRY_SESSION_HTTP_CONCURRENCY ?? 6,
    sessionHttpPerMinute: e.FERRY_SESSION_HTTP_PER_MINUTE ?? 600,
    webDir: e.FERRY_WEB_DIR ? resolve(e.FERRY_WEB_DIR) : resolve(bridgeDir(), "..", "web", "out"),
    trustProxy: e.FERRY_TRUST_PROXY ?? false,
    logLevel: e.FERRY_LOG_LEVEL ?? "info",
    demo:
      e.FERRY_DEMO_EMAIL !== undefined && e.FERRY_DEMO_PASSWORD !== undefined
        ? { email: e.FERRY_DEMO_EMAIL, password: e.FERRY_DEMO_PASSWORD }
        : null,
    sessionIdleTtlMs: 12 * 60 * 60 * 1000,
    sessionMaxAgeMs: 30 * 24 * 60 * 60 * 1000,
    sessionDetachMs: 2 * 60 * 1000,
    heartbeatMs: 25_000,
    connectTimeoutMs: 15_000,
    loginFailuresPerEmail: 5,
    loginFailuresPerIp: 20,
    loginWindowMs: 5 * 60 * 1000,
    loginBaseDelayMs: 1000,
    uploadMaxBytes: (e.FERRY_UPLOAD_MAX_MB ?? 25) * 1024 * 1024,
    messageMaxBytes: (e.FERRY_MESSAGE_MAX_MB ?? 35) * 1024 * 1024,
    smtpSavesSent: e.FERRY_SMTP_SAVES_SENT ?? false,
    imapPorts: e.FERRY_IMAP_PORTS ?? [993, 143],
    smtpPorts: e.FERRY_SMTP_PORTS ?? [465, 587],
    sessionsPerAccount: e.FERRY_SESSIONS_PER_ACCOUNT ?? 20,
    sessionsPerClient: e.FERRY_SESSIONS_PER_CLIENT ?? 50,
    imapCommandTimeoutMs: (e.FERRY_IMAP_TIMEOUT_S ?? 60) * 1000,
    dataDir: resolve(
      e.FERRY_DATA_DIR ??
        (e.XDG_STATE_HOME?.startsWith("/")
          ? join(e.XDG_STATE_HOME, "ferry")
          : join(e.HOME ?? homedir(), ".local", "state", "ferry")),
    ),
    redisUrl: e.FERRY_REDIS_URL ?? null,
    sieve:
      e.FERRY_SIEVE_PORT === 0
        ? null
        : { host: e.FERRY_SIEVE_HOST ?? null, port: e.FERRY_SIEVE_PORT ?? 4190 },
    warnings,
  };
}
