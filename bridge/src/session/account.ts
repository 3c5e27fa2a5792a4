/**
 * The key of everything the bridge keeps per user (identities, settings, sign-in counts): the
 * IMAP server (host and port) and the account name as signed in, never an email address alone.
 * Where users name their own IMAP server, anyone can run one that accepts any address with any
 * password, so an address on its own says nothing about who is behind it.
 */
import type { ServerTarget } from "../config";

/**
 * The per-user key of `user` on `imap`. The host is compared without case, brackets or a
 * trailing dot; the user name as typed (servers may tell case apart in it), except the domain
 * of an address-shaped name, which has no case.
 */
export function accountKey(imap: Pick<ServerTarget, "host" | "port">, user: string): string {
  const host = imap.host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
  const name = user.trim().normalize("NFC");
  const at = name.lastIndexOf("@");
  const account = at < 0 ? name : `${name.slice(0, at)}@${name.slice(at + 1).toLowerCase()}`;
  return JSON.stringify([host, imap.port, account]);
}
