import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

const SECRET = "0123456789abcdef0123456789abcdef";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("has safe defaults", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.imap).toBeNull();
    expect(config.smtp).toBeNull();
    expect(config.allowedOrigins).toBeNull();
    expect(config.allowPrivateHosts).toBe(false);
    expect(config.trustProxy).toBe(false);
    expect(config.logLevel).toBe("info");
    expect(config.demo).toBeNull();
    expect(config.webDir).toBe(resolve(import.meta.dirname, "..", "..", "web", "out"));
    // no secret: a random one, with a warning
    expect(config.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.warnings.join()).toMatch(/FERRY_SESSION_SECRET/);
    expect(loadConfig({}).sessionSecret).not.toBe(config.sessionSecret);
  });

  it("pins IMAP and SMTP with per-security default ports", () => {
    const config = loadConfig({
      FERRY_IMAP_HOST: "imap.example.com",
      FERRY_IMAP_SECURITY: "STARTTLS",
      FERRY_SMTP_HOST: "smtp.example.com",
      FERRY_SMTP_PORT: "2525",
      FERRY_SESSION_SECRET: SECRET,
    });
    expect(config.imap).toEqual({ host: "imap.example.com", port: 143, security: "starttls" });
    expect(config.smtp).toEqual({ host: "smtp.example.com", port: 2525, security: "starttls" });
    expect(config.warnings).toEqual([]);
    expect(loadConfig({ FERRY_IMAP_HOST: "h" }).imap).toEqual({
      host: "h",
      port: 993,
      security: "tls",
    });
  });

  it("parses origins, booleans, demo credentials and treats empty values as unset", () => {
    const config = loadConfig({
      FERRY_ALLOWED_ORIGINS: "https://Mail.Example.com, http://localhost:8080/",
      FERRY_ALLOW_PRIVATE_HOSTS: "yes",
      FERRY_TRUST_PROXY: "1",
      FERRY_DEMO_EMAIL: "demo@example.test",
      FERRY_DEMO_PASSWORD: "demo",
      FERRY_PORT: "",
      FERRY_LOG_LEVEL: "DEBUG",
    });
    expect(config.allowedOrigins).toEqual(["https://mail.example.com", "http://localhost:8080"]);
    expect(config.allowPrivateHosts).toBe(true);
    expect(config.trustProxy).toBe(true);
    expect(config.demo).toEqual({ email: "demo@example.test", password: "demo" });
    expect(config.port).toBe(3000);
    expect(config.logLevel).toBe("debug");
  });

  it("reads the CA file at start", () => {
    const dir = mkdtempSync(join(tmpdir(), "ferry-config-"));
    const good = join(dir, "ca.pem");
    writeFileSync(good, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    expect(loadConfig({ FERRY_CA_FILE: good }).ca).toContain("BEGIN CERTIFICATE");
    const bad = join(dir, "not.pem");
    writeFileSync(bad, "hello");
    expect(problemsOf({ FERRY_CA_FILE: bad })).toEqual([
      expect.stringMatching(/^FERRY_CA_FILE: .*not a PEM certificate/),
    ]);
    expect(problemsOf({ FERRY_CA_FILE: join(dir, "missing.pem") })).toEqual([
      expect.stringMatching(/^FERRY_CA_FILE: cannot read .*ENOENT/),
    ]);
  });

  it("reports every bad value at once, one line each", () => {
    const problems = problemsOf({
      FERRY_PORT: "http",
      FERRY_HOST: "bad host!",
      FERRY_IMAP_PORT: "70000",
      FERRY_IMAP_SECURITY: "plain",
      FERRY_SMTP_PORT: "25",
      FERRY_SESSION_SECRET: "short",
      FERRY_ALLOWED_ORIGINS: "https://ok.example.com,ftp://x,https://a.example.com/path",
      FERRY_ALLOW_PRIVATE_HOSTS: "maybe",
      FERRY_ALLOW_PLAIN_IMAP: "true",
      FERRY_LOG_LEVEL: "loud",
      FERRY_DEMO_EMAIL: "demo@example.test",
    });
    const expected = [
      /^FERRY_PORT: must be a whole number/,
      /^FERRY_HOST: must be a host name or IP address/,
      /^FERRY_IMAP_PORT: must be between 1 and 65535/,
      /^FERRY_IMAP_SECURITY: must be tls or starttls/,
      /^FERRY_SESSION_SECRET: must be at least 32 characters/,
      /^FERRY_ALLOWED_ORIGINS: "ftp:\/\/x" is not an origin/,
      /^FERRY_ALLOWED_ORIGINS: "https:\/\/a.example.com\/path" is not an origin/,
      /^FERRY_ALLOW_PRIVATE_HOSTS: must be true or false/,
      /^FERRY_LOG_LEVEL: must be one of/,
      /^FERRY_IMAP_PORT is set but FERRY_IMAP_HOST is not/,
      /^FERRY_IMAP_SECURITY is set but FERRY_IMAP_HOST is not/,
      /^FERRY_SMTP_PORT is set but FERRY_SMTP_HOST is not/,
      /^FERRY_DEMO_EMAIL and FERRY_DEMO_PASSWORD must be set together/,
      /^FERRY_ALLOW_PLAIN_IMAP: plain IMAP is not supported/,
    ];
    for (const pattern of expected) {
      expect(
        problems.filter((p) => pattern.test(p)),
        String(pattern),
      ).toHaveLength(1);
    }
    expect(problems).toHaveLength(expected.length);
  });

  it("requires a session secret in production", () => {
    expect(problemsOf({ NODE_ENV: "production" })).toEqual([
      "FERRY_SESSION_SECRET: required when NODE_ENV=production",
    ]);
    expect(loadConfig({ NODE_ENV: "production", FERRY_SESSION_SECRET: SECRET }).sessionSecret).toBe(
      SECRET,
    );
  });

  it("accepts port 0 for the bridge but not for a mail server", () => {
    expect(loadConfig({ FERRY_PORT: "0" }).port).toBe(0);
    expect(problemsOf({ FERRY_IMAP_HOST: "h", FERRY_IMAP_PORT: "0" })).toEqual([
      expect.stringMatching(/^FERRY_IMAP_PORT: must be between 1 and 65535/),
    ]);
  });

  it("keeps the state store in FERRY_DATA_DIR, by default under the XDG state directory", () => {
    expect(loadConfig({ HOME: "/home/ferry" })).toMatchObject({
      dataDir: "/home/ferry/.local/state/ferry",
      redisUrl: null,
    });
    expect(loadConfig({ HOME: "/home/ferry", XDG_STATE_HOME: "/var/state" }).dataDir).toBe(
      "/var/state/ferry",
    );
    // XDG says a relative XDG_STATE_HOME is to be ignored
    expect(loadConfig({ HOME: "/home/ferry", XDG_STATE_HOME: "state" }).dataDir).toBe(
      "/home/ferry/.local/state/ferry",
    );
    expect(loadConfig({ FERRY_DATA_DIR: "/srv/ferry", XDG_STATE_HOME: "/x" }).dataDir).toBe(
      "/srv/ferry",
    );
  });

  it("takes FERRY_REDIS_URL as a redis:// or rediss:// URL only", () => {
    expect(loadConfig({ FERRY_REDIS_URL: "redis://:pw@10.0.0.5:6379/2" }).redisUrl).toBe(
      "redis://:pw@10.0.0.5:6379/2",
    );
    expect(loadConfig({ FERRY_REDIS_URL: "rediss://cache.example:6380" }).redisUrl).toBe(
      "rediss://cache.example:6380",
    );
    for (const bad of ["localhost:6379", "http://cache:6379", "redis://"]) {
      expect(problemsOf({ FERRY_REDIS_URL: bad })).toEqual([
        expect.stringMatching(/^FERRY_REDIS_URL: must be a URL like redis:\/\/host:6379/),
      ]);
    }
  });
});
