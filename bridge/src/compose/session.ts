/**
 * One session's compose state, apart from its live side: its own IMAP connection (opened on
 * demand, closed when idle, so big drafts and Sent copies never hold up the connection the
 * message list uses, and a send still completes after sign-out), the paths of its Sent and
 * Drafts folders once looked up, and its address book for suggestions with the addresses it
 * sent to from this bridge.
 */
import type { TAddress } from "@ferry/protocol";
import { BridgeError, errorCodeOf } from "../errors";
import type { Logger } from "../log";
import type { LiveSession } from "../session/live";
import { SideConnection } from "../session/side-connection";
import { buildContactIndex, CONTACTS_TTL_MS, type ContactIndex, WEIGHT } from "./contacts";
import { findRoleMailbox, type Role } from "./imap";

/** Addresses sent to that a session remembers for its suggestions. */
const MAX_SENT_TO = 500;

export interface ComposeSession {
  readonly key: string;
  readonly email: string;
  /** Whose identities apply (session/account.ts). */
  readonly account: string;
  readonly imap: SideConnection;
  readonly roles: Map<Role, string>;
  contacts: ContactIndex | null;
  contactsBuilding: Promise<ContactIndex> | null;
  /** Addresses sent to from this bridge, folded into the contact index. */
  readonly sentTo: Map<string, { name: string; address: string }>;
  lastUsed: number;
}

export function newComposeSession(live: LiveSession): ComposeSession {
  return {
    key: live.key,
    email: live.email,
    account: live.account,
    imap: new SideConnection(live.connect),
    roles: new Map(),
    contacts: null,
    contactsBuilding: null,
    sentTo: new Map(),
    lastUsed: Date.now(),
  };
}

/** The path of the session's Sent or Drafts mailbox (created when `create` and missing). */
export async function roleMailbox(
  session: ComposeSession,
  role: Role,
  create = true,
): Promise<string> {
  const known = session.roles.get(role);
  if (known) return known;
  const path = await session.imap.run((client) => findRoleMailbox(client, role, create));
  if (path === null) throw new BridgeError("mailbox_not_found", "This account has no such folder.");
  session.roles.set(role, path);
  return path;
}

/**
 * The session's address book: built from Sent and the mail it has seen, rebuilt when older than
 * CONTACTS_TTL_MS. A stale index answers at once while the new one builds; only the first build
 * is awaited.
 */
export async function contactsOf(session: ComposeSession, log: Logger): Promise<ContactIndex> {
  const current = session.contacts;
  const stale = current === null || Date.now() - current.builtAt > CONTACTS_TTL_MS;
  if (stale && !session.contactsBuilding) {
    session.contactsBuilding = (async () => {
      const sent = await roleMailbox(session, "sent", false).catch(() => null);
      const index = await session.imap.run((client) => buildContactIndex(client, sent));
      const now = Date.now();
      for (const addr of session.sentTo.values()) index.add(addr, WEIGHT.sentTo, now);
      session.contacts = index;
      return index;
    })().finally(() => {
      session.contactsBuilding = null;
    });
  }
  if (current) {
    session.contactsBuilding?.catch((err: unknown) =>
      log.info({ code: errorCodeOf(err) }, "contact index not rebuilt"),
    );
    return current;
  }
  return session.contactsBuilding as Promise<ContactIndex>;
}

/** Remembers the recipients of a sent message for the session's suggestions. */
export function rememberRecipients(session: ComposeSession, recipients: TAddress[]): void {
  const now = Date.now();
  for (const addr of recipients) {
    session.sentTo.set(addr.address.toLowerCase(), addr);
    session.contacts?.add(addr, WEIGHT.sentTo, now);
  }
  while (session.sentTo.size > MAX_SENT_TO) {
    const oldest = session.sentTo.keys().next().value;
    if (oldest === undefined) break;
    session.sentTo.delete(oldest);
  }
}
