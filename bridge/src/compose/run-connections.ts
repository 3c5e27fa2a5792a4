/**
 * The servers a run of a held message reaches on its own: the compose state with an IMAP
 * connection opened from the held credential (for when this bridge has no session for it:
 * restarted, signed out, another bridge's session), and the SMTP address to connect to, a
 * user-named server checked against the host policy on every send.
 */
import type { Config, ServerTarget } from "../config";
import { isBridgeError } from "../errors";
import { connectImap } from "../imap/connect";
import type { Logger } from "../log";
import { resolveAllowedHost } from "../session/host-policy";
import { SideConnection } from "../session/side-connection";
import { SmtpError } from "../smtp/submit";
import type { HeldMessage } from "./outbox";
import type { ComposeSession } from "./session";

/** Compose state for one run, with an IMAP connection opened from the held credential. */
export function heldRunSession(config: Config, held: HeldMessage, log: Logger): ComposeSession {
  const { payload, secret } = held;
  const connect = async () => {
    const address = payload.imapUserNamed
      ? await resolveAllowedHost(payload.imap.host, config.allowPrivateHosts)
      : undefined;
    return connectImap(
      payload.imap,
      { user: payload.email, password: secret.password },
      {
        ca: config.ca,
        connectTimeoutMs: config.connectTimeoutMs,
        commandTimeoutMs: config.imapCommandTimeoutMs,
        userNamed: payload.imapUserNamed,
        address,
        log,
      },
    );
  };
  return {
    key: payload.sessionKey,
    email: payload.email,
    account: payload.account,
    imap: new SideConnection(connect),
    roles: new Map(),
    contacts: null,
    contactsBuilding: null,
    sentTo: new Map(),
    lastUsed: Date.now(),
  };
}

/** The address to connect to: a user-named server passes the host policy on every send. */
export async function smtpAddress(
  config: Config,
  target: ServerTarget,
  userNamed: boolean,
): Promise<string | undefined> {
  if (config.smtp !== null || !userNamed) return undefined;
  try {
    return await resolveAllowedHost(target.host, config.allowPrivateHosts);
  } catch (err) {
    if (isBridgeError(err) && err.code === "host_unreachable") {
      throw new SmtpError(
        "smtp_unavailable",
        "The outgoing mail server's name could not be resolved.",
        [],
        err,
      );
    }
    throw err;
  }
}
