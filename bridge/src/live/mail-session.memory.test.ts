/**
 * Memory of idle sessions (opt-in: FERRY_LIVE_MEMORY=1, it opens hundreds of connections).
 * Prints the bridge-side RSS and heap per idle session of one user, INBOX open: each with its
 * own watch connections (command connection, INBOX watcher in IDLE, NOTIFY), and sharing them
 * as the sessions of one account do in the bridge (account-watch.ts: a command connection
 * each). Dovecot's own processes are not counted. The fixture's Dovecot runs at most 100 imap
 * processes (its default_process_limit), hence 30 sessions by default.
 */
import { type MailServer, startMailServer } from "@ferry/mail-server";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountWatches } from "./account-watch";
import { MailSession } from "./mail-session";
import { Connector, deliver, message } from "./test-harness";

/** The owner of the mailboxes opened here: one browser tab. */
const TAB = { tab: "one" };

const SESSIONS = Number(process.env.FERRY_LIVE_MEMORY_SESSIONS ?? 30);

describe.runIf(process.env.FERRY_LIVE_MEMORY === "1").each([{ shared: false }, { shared: true }])(
  "idle session memory, watch connections shared: $shared",
  ({ shared }) => {
    let server: MailServer;

    beforeAll(async () => {
      server = await startMailServer({ postfix: false, users: [{ email: "mem@example.test" }] });
    });

    afterAll(async () => {
      await server?.stop();
    });

    it(`holds ${SESSIONS} idle sessions`, { timeout: 300_000 }, async () => {
      const user = server.user("mem@example.test");
      for (let i = 0; i < 50; i++) {
        await deliver(server, user.email, message({ subject: `Filler ${i}`, to: user.email }));
      }
      const gc = (globalThis as { gc?: () => void }).gc;
      const settle = async () => {
        gc?.();
        await new Promise((resolve) => setImmediate(resolve));
        gc?.();
      };
      // One warm-up session, so code loading and TLS context setup are not counted.
      const log = pino({ level: "silent" });
      const sharing = shared ? { account: "memory", accounts: new AccountWatches() } : {};
      const warm = new MailSession({
        connect: new Connector(server, user, { qresync: true }).connect,
        log,
        ...sharing,
      });
      await warm.start();
      await warm.openMailbox("INBOX", false, TAB);
      await settle();
      const before = process.memoryUsage();

      const sessions: MailSession[] = [];
      for (let i = 0; i < SESSIONS; i++) {
        const session = new MailSession({
          connect: new Connector(server, user, { qresync: true }).connect,
          log,
          ...sharing,
        });
        await session.start();
        await session.openMailbox("INBOX", false, TAB);
        sessions.push(session);
      }
      await settle();
      const after = process.memoryUsage();
      expect(sessions.every((s) => s.state === "online")).toBe(true);
      const per = (k: "rss" | "heapUsed" | "external") =>
        ((after[k] - before[k]) / SESSIONS / 1024).toFixed(0);
      console.log(
        `idle sessions${shared ? " sharing their watch" : ""}: ${SESSIONS}; per session: RSS ${per("rss")} KiB, heap ${per("heapUsed")} KiB, external ${per("external")} KiB (gc ${gc ? "on" : "off"})`,
      );
      await Promise.all([...sessions, warm].map((s) => s.close()));
    });
  },
);
