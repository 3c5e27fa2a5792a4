/**
 * Installs the Debian packages the fixture needs (Dovecot IMAP/LMTP, Pigeonhole's Sieve and
 * ManageSieve, Postfix, openssl, redis-server).
 */
import { accessSync, constants } from "node:fs";
import { run } from "./proc";

/** Debian package → a binary it provides, used to decide whether installing is needed. */
const PACKAGES: Record<string, string> = {
  "dovecot-imapd": "/usr/lib/dovecot/imap",
  "dovecot-lmtpd": "/usr/lib/dovecot/lmtp",
  "dovecot-sieve": "/usr/bin/sieve-test",
  "dovecot-managesieved": "/usr/lib/dovecot/managesieve",
  postfix: "/usr/sbin/postfix",
  openssl: "/usr/bin/openssl",
  // the state store's Redis backend is tested against a throwaway redis-server (redis.ts)
  "redis-server": "/usr/bin/redis-server",
};

const EXTRA_BINARIES = ["/usr/sbin/dovecot", "/usr/bin/doveadm", "/usr/bin/script"];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Packages whose binaries are missing on this machine. */
export function missingMailServerPackages(): string[] {
  const missing = Object.entries(PACKAGES)
    .filter(([, bin]) => !executable(bin))
    .map(([pkg]) => pkg);
  if (missing.length === 0 && !EXTRA_BINARIES.every(executable)) {
    return [...Object.keys(PACKAGES), "util-linux"];
  }
  return missing;
}

/**
 * Installs `dovecot-imapd dovecot-lmtpd dovecot-sieve dovecot-managesieved postfix openssl
 * redis-server` with apt-get when any of their
 * binaries is missing (needs root). Returns the packages it installed; a no-op taking
 * microseconds when everything is present. System dovecot/postfix/redis services that the packages
 * may start are left alone: fixtures use their own configs and free ports.
 */
export async function ensureMailServerPackages(
  log: (line: string) => void = () => {},
): Promise<string[]> {
  const missing = missingMailServerPackages();
  if (missing.length === 0) return [];
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing packages ${missing.join(" ")}; install them as root (apt-get install)`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  log("apt-get update");
  await run("apt-get", ["update"], { env });
  log(`apt-get install ${missing.join(" ")}`);
  await run(
    "apt-get",
    [
      "install",
      "-y",
      "--no-install-recommends",
      "-o",
      "Dpkg::Options::=--force-confold",
      ...missing,
    ],
    { env },
  );
  const still = missingMailServerPackages();
  if (still.length > 0) throw new Error(`still missing after apt-get install: ${still.join(" ")}`);
  return missing;
}
