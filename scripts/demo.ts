/**
 * `./ferry start` with no FERRY_IMAP_HOST: a throwaway Dovecot + Postfix on loopback, seeded
 * with a realistic mailbox that keeps receiving mail now and then, and Ferry pinned to it.
 * Prints the demo sign-in. Ctrl-C stops everything and removes the mail server's files.
 */
import { ConfigError, createBridge, loadConfig } from "@ferry/bridge";
import { createArrivals, DEMO_SEED, seedMailbox, startMailServer } from "@ferry/mail-server";

const DEMO_EMAIL = "demo@example.test";
const DEMO_PASSWORD = "ferry-demo";
/** Average seconds between two demo arrivals. */
const ARRIVAL_INTERVAL_MS = 45_000;

async function main(): Promise<void> {
  process.stdout.write("Starting the demo mail server (Dovecot + Postfix on 127.0.0.1)…\n");
  const mail = await startMailServer({
    users: [{ email: DEMO_EMAIL, password: DEMO_PASSWORD }, { email: "bob@example.test" }],
  });
  let stopArrivals: (() => Promise<void>) | undefined;
  let bridge: Awaited<ReturnType<typeof createBridge>> | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write("\nStopping…\n");
    await stopArrivals?.().catch(() => {});
    await bridge?.close().catch(() => {});
    await mail.stop().catch(() => {});
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  try {
    const seeded = await seedMailbox(mail, DEMO_EMAIL, { ...DEMO_SEED, anchor: new Date() });
    const total = Object.values(seeded.counts).reduce((a, b) => a + b, 0);
    process.stdout.write(`Seeded ${total} messages in ${(seeded.ms / 1000).toFixed(1)} s.\n`);

    // The demo's own settings win over the environment, except the port and host to serve on
    // and where the state store is (FERRY_DATA_DIR, FERRY_REDIS_URL; default: see README).
    const passed = ["FERRY_DATA_DIR", "FERRY_REDIS_URL", "XDG_STATE_HOME", "HOME"] as const;
    const config = loadConfig({
      ...Object.fromEntries(passed.map((name) => [name, process.env[name]])),
      FERRY_PORT: process.env.FERRY_PORT ?? "3000",
      ...(process.env.FERRY_HOST === undefined ? {} : { FERRY_HOST: process.env.FERRY_HOST }),
      ...(process.env.FERRY_LOG_LEVEL === undefined
        ? { FERRY_LOG_LEVEL: "warn" }
        : { FERRY_LOG_LEVEL: process.env.FERRY_LOG_LEVEL }),
      FERRY_IMAP_HOST: "127.0.0.1",
      FERRY_IMAP_PORT: String(mail.imap.tlsPort),
      FERRY_IMAP_SECURITY: "tls",
      FERRY_SMTP_HOST: "127.0.0.1",
      FERRY_SMTP_PORT: String(mail.submissionPort),
      FERRY_SMTP_SECURITY: "starttls",
      FERRY_CA_FILE: mail.caFile,
      FERRY_SIEVE_HOST: mail.sieve.host,
      FERRY_SIEVE_PORT: String(mail.sieve.port),
      FERRY_DEMO_EMAIL: DEMO_EMAIL,
      FERRY_DEMO_PASSWORD: DEMO_PASSWORD,
    });
    bridge = await createBridge(config);
    stopArrivals = createArrivals(mail, DEMO_EMAIL, {
      seed: Date.now() % 100_000,
      intervalMs: ARRIVAL_INTERVAL_MS,
    });

    const url = config.port === 3000 ? "http://localhost:3000" : bridge.url;
    process.stdout.write(
      [
        "",
        `Ferry is running at ${url}`,
        "",
        "  Demo sign-in",
        `    Email address: ${DEMO_EMAIL}`,
        `    Password:      ${DEMO_PASSWORD}`,
        "",
        `New mail arrives about every ${ARRIVAL_INTERVAL_MS / 1000} s. Press Ctrl-C to stop.`,
        "",
      ].join("\n"),
    );
  } catch (err) {
    process.stderr.write(
      `ferry: the demo failed to start: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`,
    );
    await stop(1);
  }
}

void main();
