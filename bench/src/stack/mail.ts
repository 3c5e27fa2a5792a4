/**
 * The benchmark's mail server: the @ferry/mail-server fixture (Dovecot + Postfix on loopback)
 * with the users every figure needs, seeded once through the Maildir seeder and reused, and
 * Dovecot's connection limits raised for a thousand sessions.
 */
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { type MailServer, seedMailbox, startMailServer } from "@ferry/mail-server";
import { onCleanup } from "../cleanup";
import type { BenchConfig } from "../config";
import { mapLimit, progress } from "../progress";

export interface Account {
  email: string;
  password: string;
}

export interface BenchMail {
  server: MailServer;
  /** One user per INBOX size of the sign-in figure (and the jump figure's, the largest). */
  bySize: Map<number, Account>;
  /** The reader figure's user (a small INBOX plus the message with the big attachment). */
  reader: Account;
  /** Receives the push figure's deliveries. */
  push: Account;
  /** Sends the push figure's mail through Postfix submission. */
  sender: Account;
  /** The idle-sessions figure's users (sessionsPerUser sessions each, at most). */
  idle: Account[];
  /** The search-everywhere figure's user: INBOX, Sent, Archive, Trash and Junk all hold mail. */
  folders: Account;
}

const DOMAIN = "bench.test";

/**
 * Dovecot settings appended to the fixture's config (then `doveadm reload`). The fixture runs
 * imap-login in high-security mode: one process per connection, and it stays to proxy TLS, so
 * with the default process limit (100) about 50 bridge sessions (2 IMAP connections each) fill
 * it. A thousand sessions need "high-performance" login processes and higher limits, which is
 * also how a server for that many users is run. The per-user+IP limit (1,000 in the fixture)
 * is kept: idle sessions are spread over several users.
 */
export const DOVECOT_TUNING = `
# @ferry/bench: room for 1,000 bridge sessions (2 IMAP connections each)
default_process_limit = 5000
default_client_limit = 20000
service imap-login {
  service_count = 0
  client_limit = 5000
  process_min_avail = 2
}
service imap {
  process_limit = 5000
}
`;

function account(local: string): Account {
  return { email: `${local}@${DOMAIN}`, password: `${local}-bench-password` };
}

/** Starts the fixture with every user, tunes Dovecot and seeds the mailboxes the run needs. */
export async function startBenchMail(config: BenchConfig): Promise<BenchMail> {
  const bySize = new Map<number, Account>(config.sizes.map((n) => [n, account(`inbox${n}`)]));
  const reader = account("reader");
  const push = account("push");
  const sender = account("sender");
  const maxSessions = Math.max(...config.sessions);
  const idleUsers = Math.max(1, Math.ceil(maxSessions / config.sessionsPerUser));
  const idle = Array.from({ length: idleUsers }, (_, i) => account(`idle${i + 1}`));
  const folders = account("folders");
  const users = [...bySize.values(), reader, push, sender, ...idle, folders];

  const server = await startMailServer({
    domain: DOMAIN,
    users,
    keep: config.keepMailDir,
  });
  onCleanup({ name: "mail server", close: () => server.stop() });
  if (config.keepMailDir) progress(`mail server dir (kept): ${server.dir}`);

  await appendFile(join(server.dir, "dovecot", "dovecot.conf"), DOVECOT_TUNING);
  await server.doveadm(["reload"]);

  const sizesNeeded = config.only.has("signin")
    ? config.sizes
    : config.only.has("conversations")
      ? config.sizes.filter((n) => n >= 10_000)
      : config.only.has("jump") || config.only.has("sort")
        ? [Math.max(...config.sizes)]
        : [];
  for (const size of sizesNeeded) {
    const user = bySize.get(size);
    if (!user) continue;
    const r = await seedMailbox(server, user.email, { inbox: size, anchor: new Date() });
    progress(`seeded ${size.toLocaleString("en-US")} messages in ${(r.ms / 1000).toFixed(1)} s`);
  }
  await seedMailbox(server, reader.email, { inbox: 50, anchor: new Date() });
  await seedMailbox(server, push.email, { inbox: 200, anchor: new Date() });
  if (config.only.has("sessions")) {
    await mapLimit(idle, 2, (u) =>
      seedMailbox(server, u.email, { inbox: config.idleInbox, anchor: new Date() }),
    );
  }
  if (config.only.has("searchall")) {
    await seedMailbox(server, folders.email, {
      inbox: 2_000,
      sent: 500,
      archive: 2_000,
      trash: 200,
      junk: 200,
      anchor: new Date(),
    });
  }
  return { server, bySize, reader, push, sender, idle, folders };
}
