/**
 * The fixture's Postfix instance: main.cf/master.cf rendering (STARTTLS-only submission with
 * Dovecot SASL on loopback, local domains delivered to Dovecot over LMTP, everything else
 * discarded so nothing ever leaves the machine; mail dropped with `sendmail -C <configDir>`, as
 * Sieve's vacation replies are, is picked up too), start/stop, and the shared
 * `alternate_config_directories` entry in /etc/postfix/main.cf that `postfix -c` requires.
 */
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { chmod, chown, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  commandName,
  descendants,
  isAlive,
  run,
  sleepSync,
  terminateTree,
  terminateTreeSync,
  waitFor,
} from "./proc";

const SYSTEM_MAIN_CF = "/etc/postfix/main.cf";
const LOCK_FILE = "/etc/postfix/.ferry-mail-server.lock";
const KEY = "alternate_config_directories";
/** Prefix of fixture temp dirs; stale entries under it whose directory is gone are pruned. */
export const FIXTURE_DIR_PREFIX = "ferry-mail-";

export interface PostfixOptions {
  /** Directory holding the fixture's main.cf/master.cf, queue and data directories. */
  dir: string;
  logFile: string;
  domains: readonly string[];
  submissionPort: number;
  lmtpPort: number;
  authPort: number;
  certFile: string;
  keyFile: string;
}

/**
 * Postfix programs poll (300 ms at a time) until main.cf and texthash tables are a couple of
 * seconds old, to avoid reading a file that is being edited; freshly written config files are
 * therefore back-dated.
 */
function backdate(file: string): void {
  const past = new Date(Date.now() - 60_000);
  utimesSync(file, past, past);
}

function withLock<T>(fn: () => T): T {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      closeSync(openSync(LOCK_FILE, "wx"));
      writeFileSync(LOCK_FILE, String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(LOCK_FILE, "utf8"));
      } catch {}
      const stale = Number.isInteger(holder) && holder > 0 && !isAlive(holder);
      if (stale || Date.now() > deadline) {
        try {
          unlinkSync(LOCK_FILE);
        } catch {}
        continue;
      }
      sleepSync(5);
    }
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(LOCK_FILE);
    } catch {}
  }
}

/** Reads the `alternate_config_directories` list from a main.cf text. */
export function parseAlternateDirs(text: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => new RegExp(`^${KEY}\\s*=`).test(l));
  if (start < 0) return [];
  let value = lines[start]?.replace(/^[^=]*=/, "") ?? "";
  for (let i = start + 1; i < lines.length && /^\s+\S/.test(lines[i] ?? ""); i++) {
    value += ` ${lines[i]}`;
  }
  return value.split(/[\s,]+/).filter(Boolean);
}

function replaceAlternateDirs(text: string, dirs: readonly string[]): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => new RegExp(`^${KEY}\\s*=`).test(l));
  let end = start + 1;
  while (start >= 0 && end < lines.length && /^\s+\S/.test(lines[end] ?? "")) end++;
  const replacement = dirs.length > 0 ? [`${KEY} = ${dirs.join(", ")}`] : [];
  if (start >= 0) lines.splice(start, end - start, ...replacement);
  else if (replacement.length > 0) {
    if (lines.at(-1) === "") lines.splice(lines.length - 1, 0, ...replacement);
    else lines.push(...replacement);
  }
  const out = lines.join("\n");
  return out.endsWith("\n") ? out : `${out}\n`;
}

function editAlternateDirs(edit: (dirs: string[]) => string[]): void {
  withLock(() => {
    const text = readFileSync(SYSTEM_MAIN_CF, "utf8");
    const before = parseAlternateDirs(text);
    const after = edit(before);
    if (after.join(" ") === before.join(" ")) return;
    const tmp = `${SYSTEM_MAIN_CF}.ferry-${process.pid}`;
    writeFileSync(tmp, replaceAlternateDirs(text, after), { mode: 0o644 });
    backdate(tmp);
    renameSync(tmp, SYSTEM_MAIN_CF);
  });
}

/**
 * Adds `dir` to /etc/postfix/main.cf's alternate_config_directories (under a lock file, so
 * concurrent fixtures don't lose each other's entries), pruning entries of dead fixtures.
 */
export function registerConfigDir(dir: string): void {
  editAlternateDirs((dirs) => [
    ...dirs.filter((d) => !(d.includes(`/${FIXTURE_DIR_PREFIX}`) && !existsSync(d)) && d !== dir),
    dir,
  ]);
}

/** Removes `dir` from alternate_config_directories (the line goes away when it empties). */
export function unregisterConfigDir(dir: string): void {
  editAlternateDirs((dirs) => dirs.filter((d) => d !== dir));
}

/** Current alternate_config_directories of the system main.cf. */
export function registeredConfigDirs(): string[] {
  return parseAlternateDirs(readFileSync(SYSTEM_MAIN_CF, "utf8"));
}

function systemId(file: "/etc/passwd" | "/etc/group", name: string): number {
  const line = readFileSync(file, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  const id = Number(line?.split(":")[2]);
  if (!Number.isInteger(id)) throw new Error(`${name} not found in ${file}; is Postfix installed?`);
  return id;
}

/**
 * Creates the queue and data directories with the owners and modes of Debian's postfix-files
 * and marks the queue for a quick start: that skips postfix-script's integrity checks, which
 * take ~2.4 s and only re-create what is made here.
 */
async function createQueue(queueDir: string, dataDir: string): Promise<void> {
  const postfix = systemId("/etc/passwd", "postfix");
  const postdrop = systemId("/etc/group", "postdrop");
  const dirs: [string, number, number, number][] = [
    ...["incoming", "active", "bounce", "defer", "deferred", "flush", "hold", "corrupt"].map(
      (d): [string, number, number, number] => [join(queueDir, d), 0o700, postfix, 0],
    ),
    ...["trace", "saved", "private"].map((d): [string, number, number, number] => [
      join(queueDir, d),
      0o700,
      postfix,
      0,
    ]),
    [join(queueDir, "public"), 0o710, postfix, postdrop],
    [join(queueDir, "maildrop"), 0o730, postfix, postdrop],
    [join(queueDir, "pid"), 0o755, 0, 0],
    [dataDir, 0o700, postfix, 0],
  ];
  await mkdir(queueDir, { recursive: true, mode: 0o755 });
  await Promise.all(
    dirs.map(async ([dir, mode, uid, gid]) => {
      await mkdir(dir);
      await chown(dir, uid, gid);
      await chmod(dir, mode);
    }),
  );
  await writeFile(join(queueDir, "quick-start"), "");
}

const MASTER_CF = `# Generated by @ferry/mail-server — throwaway instance, do not edit.
# service type  private unpriv  chroot  wakeup  maxproc command
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
pickup    unix  n       -       n       60      1       pickup
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

/** A Postfix instance with its own config directory, queue and log. */
export class Postfix {
  readonly configDir: string;
  readonly queueDir: string;
  readonly dataDir: string;
  private registered = false;
  pid: number | undefined;

  constructor(readonly opts: PostfixOptions) {
    this.configDir = join(opts.dir, "etc");
    this.queueDir = join(opts.dir, "queue");
    this.dataDir = join(opts.dir, "data");
  }

  renderMain(): string {
    const o = this.opts;
    const first = o.domains[0] ?? "example.test";
    return `# Generated by @ferry/mail-server — throwaway instance, do not edit.
compatibility_level = 3.6
queue_directory = ${this.queueDir}
data_directory = ${this.dataDir}
maillog_file = ${o.logFile}
maillog_file_prefixes = ${o.logFile}
myhostname = mail.${first}
mydomain = ${first}
myorigin = $myhostname
mydestination =
local_recipient_maps =
relay_domains =
mynetworks =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
readme_directory = no
smtpd_peername_lookup = no
smtpd_banner = $myhostname ESMTP Ferry test fixture
message_size_limit = 52428800
notify_classes =
smtpd_error_sleep_time = 0

virtual_mailbox_domains = ${o.domains.join(", ")}
virtual_mailbox_maps = texthash:${join(this.configDir, "mailboxes")}
virtual_transport = lmtp:inet:127.0.0.1:${o.lmtpPort}
default_transport = discard:ferry-fixture-sends-no-mail-out
relay_transport = $default_transport

smtpd_tls_cert_file = ${o.certFile}
smtpd_tls_key_file = ${o.keyFile}
smtpd_tls_security_level = encrypt
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:${o.authPort}
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
smtpd_client_restrictions =
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
`;
  }

  renderMaster(): string {
    return `${MASTER_CF}127.0.0.1:${this.opts.submissionPort} inet n - n - - smtpd\n`;
  }

  /** Writes the mailbox map used to reject unknown local recipients at RCPT time. */
  async writeMailboxes(emails: readonly string[]): Promise<void> {
    const file = join(this.configDir, "mailboxes");
    await writeFile(file, emails.map((e) => `${e.toLowerCase()} ok\n`).join(""));
    backdate(file);
  }

  private postfix(args: readonly string[]) {
    return run("script", [
      "-qec",
      ["postfix", "-c", this.configDir, ...args].join(" "),
      "/dev/null",
    ]);
  }

  async start(emails: readonly string[]): Promise<void> {
    await Promise.all([
      mkdir(this.configDir, { recursive: true }),
      createQueue(this.queueDir, this.dataDir),
    ]);
    await Promise.all([
      writeFile(join(this.configDir, "main.cf"), this.renderMain()),
      writeFile(join(this.configDir, "master.cf"), this.renderMaster()),
      this.writeMailboxes(emails),
    ]);
    backdate(join(this.configDir, "main.cf"));
    backdate(join(this.configDir, "master.cf"));
    registerConfigDir(this.configDir);
    this.registered = true;
    try {
      await this.postfix(["start"]);
      this.pid = await waitFor("Postfix's master.pid", () => this.readPid(), 10_000);
    } catch (err) {
      throw new Error(`Postfix failed to start: ${(err as Error).message}${this.logTail()}`);
    }
  }

  /** The master pid from the queue's pid/master.pid, if written and alive. */
  readPid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.queueDir, "pid", "master.pid"), "utf8").trim());
      return pid > 0 && isAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Re-reads config and lookup tables (after the mailbox map changed), then waits (up to 3 s)
   * until the smtpd processes that loaded the old map are gone: an idle one could otherwise
   * still accept the next connection and reject a just-added user.
   */
  async reload(): Promise<void> {
    const stale = this.pid === undefined ? [] : descendants(this.pid);
    await this.postfix(["reload"]);
    const smtpd = stale.filter((pid) => commandName(pid) === "smtpd");
    await waitFor("smtpd to restart", () => smtpd.every((pid) => !isAlive(pid)), 3000).catch(
      () => undefined,
    );
  }

  /** Stops the master (SIGTERM, as `postfix stop` does) and its children; waits for all. */
  async stop(): Promise<void> {
    const pid = this.pid ?? this.readPid();
    if (pid !== undefined) await terminateTree("Postfix", pid);
    this.pid = undefined;
    this.unregister();
  }

  /** Synchronous stop for process-exit handlers. */
  killSync(): void {
    const master = this.pid ?? this.readPid();
    if (master !== undefined) terminateTreeSync(master);
    this.pid = undefined;
    this.unregister();
  }

  private unregister(): void {
    if (!this.registered) return;
    unregisterConfigDir(this.configDir);
    this.registered = false;
  }

  logTail(lines = 30): string {
    try {
      const text = readFileSync(this.opts.logFile, "utf8").trimEnd().split("\n");
      return `\n--- ${this.opts.logFile} (tail) ---\n${text.slice(-lines).join("\n")}`;
    } catch {
      return "";
    }
  }
}
