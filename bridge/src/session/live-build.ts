/**
 * Builds the live side of a session from its record: a MailSession whose connections sign in
 * with the record's sealed password (opened at each connect, never kept in the clear), wrapped
 * in a LiveSession with its downloads connection. Used at sign-in (with the connection that just
 * verified the password) and to rebuild a session this process does not hold.
 */
import type { ImapFlow } from "imapflow";
import type { Config } from "../config";
import { BridgeError } from "../errors";
import { connectImap } from "../imap/connect";
import type { Logger } from "../log";
import { accountKey } from "./account";
import type { SecretBox } from "./crypto";
import { resolveAllowedHost } from "./host-policy";
import type { LiveSession, MailSessionFactory } from "./live";
import { SideConnection } from "./side-connection";
import type { SessionRecord } from "./store";

/** QRESYNC lets the live layer resync a mailbox after a reconnect from HIGHESTMODSEQ alone. */
export const IMAP_CLIENT_OPTIONS = { qresync: true } as const;

export interface LiveBuildDeps {
  config: Config;
  log: Logger;
  box: SecretBox;
  createMailSession: MailSessionFactory;
  /** Ends the session `key` (its MailSession refused the credentials it had just accepted). */
  destroy: (key: string) => Promise<void>;
}

/**
 * A LiveSession around a MailSession that connects with this record's credentials. With
 * `first` (the connection that just verified the password, at sign-in) the MailSession starts
 * in the background: requests can use `first` at once, and the rest of its connections come
 * up meanwhile (`ready`; its command connection once `answered` settles, StartOptions).
 * Without it (a rebuild) the start is awaited.
 */
export async function buildLiveSession(
  deps: LiveBuildDeps,
  key: string,
  record: SessionRecord,
  first?: ImapFlow,
  answered?: Promise<unknown>,
): Promise<LiveSession> {
  const log = deps.log.child({ session: key.slice(0, 12) });
  // A record sealed under another secret (rotated FERRY_SESSION_SECRET) can never connect.
  if (deps.box.open(record.sealedPassword, key) === null) {
    first?.close();
    throw new BridgeError("unauthorized", "Sign in again.");
  }
  const connect = async (): Promise<ImapFlow> => {
    const password = deps.box.open(record.sealedPassword, key);
    // auth_failed, not a transient error: the MailSession must not keep retrying
    if (password === null) throw new BridgeError("auth_failed", "Sign in again.");
    const address = record.userNamed
      ? await resolveAllowedHost(record.imap.host, deps.config.allowPrivateHosts)
      : undefined;
    return connectImap(
      record.imap,
      { user: record.email, password },
      {
        ca: deps.config.ca,
        connectTimeoutMs: deps.config.connectTimeoutMs,
        commandTimeoutMs: deps.config.imapCommandTimeoutMs,
        userNamed: record.userNamed,
        address,
        log,
        client: IMAP_CLIENT_OPTIONS,
      },
    );
  };
  const mail = deps.createMailSession({
    connect,
    log,
    account: accountKey(record.imap, record.email),
  });
  const started = mail.start(first, { commandAfter: answered });
  const fail = async (err: unknown) => {
    await mail.close().catch(() => undefined);
    first?.close();
    return err;
  };
  const live = (ready: Promise<void>): LiveSession => ({
    key,
    email: record.email,
    account: accountKey(record.imap, record.email),
    mail,
    connect,
    sockets: new Set(),
    downloads: new SideConnection(connect),
    ready,
  });
  if (first) {
    const ready = started.then(
      () => undefined,
      async (err: unknown) => {
        // start() only rejects when the server refuses the credentials it just accepted
        log.warn({ err: await fail(err) }, "mail session failed to start; session closed");
        await deps.destroy(key);
      },
    );
    return live(ready);
  }
  try {
    await started;
  } catch (err) {
    throw await fail(err);
  }
  return live(Promise.resolve());
}
