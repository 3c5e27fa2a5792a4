/**
 * Command line for the fixture: `start` runs a mail server until SIGINT/SIGTERM and prints its
 * ports, users and CA path as JSON; `install` installs the Debian packages it needs.
 */
import { ensureMailServerPackages, type MailServerOptions, startMailServer } from "./index";

const USAGE = `usage: ferry-mail-server <command> [options]

commands:
  start    start Dovecot + Postfix on loopback, print JSON, stop on SIGINT/SIGTERM
  install  apt-get install dovecot-imapd dovecot-lmtpd dovecot-sieve dovecot-managesieved postfix openssl redis-server if missing

start options:
  --domain <name>             mail domain (default example.test)
  --user <email[:password]>   a user; repeatable (default alice@ and bob@ the domain)
  --no-postfix                IMAP + LMTP only
  --keep                      keep the temp dir after stopping
`;

function parseStart(args: string[]): MailServerOptions {
  const opts: MailServerOptions = {};
  const users: { email: string; password?: string }[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === "--domain") opts.domain = value();
    else if (arg === "--user") {
      const [email = "", ...rest] = value().split(":");
      users.push(rest.length > 0 ? { email, password: rest.join(":") } : { email });
    } else if (arg === "--no-postfix") opts.postfix = false;
    else if (arg === "--keep") opts.keep = true;
    else throw new Error(`unknown option ${arg}\n\n${USAGE}`);
  }
  if (users.length > 0) opts.users = users;
  return opts;
}

async function start(args: string[]): Promise<void> {
  const server = await startMailServer(parseStart(args));
  const summary = {
    host: server.host,
    domain: server.domain,
    imap: server.imap,
    lmtpPort: server.lmtpPort,
    sieve: server.sieve,
    submissionPort: server.submissionPort,
    caFile: server.caFile,
    users: server.users.map(({ email, password }) => ({ email, password })),
    dir: server.dir,
    logs: server.logs,
    pids: server.pids(),
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  const keepAlive = setInterval(() => {}, 1 << 30);
  let stopping = false;
  const stop = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${sig}: stopping mail server\n`);
    server.stop().then(
      () => {
        clearInterval(keepAlive);
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === "start") return start(rest);
  if (command === "install") {
    const installed = await ensureMailServerPackages((line) => process.stderr.write(`${line}\n`));
    process.stdout.write(installed.length > 0 ? `installed ${installed.join(" ")}\n` : "ok\n");
    return;
  }
  process.stderr.write(USAGE);
  process.exitCode = command === undefined || command === "--help" ? 0 : 2;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
