/**
 * Which IMAP and SMTP servers a sign-in reaches: the administrator's pinned ones (a request that
 * names another is refused), or the ones the user named, each on one of the administrator's
 * ports (FERRY_IMAP_PORTS, FERRY_SMTP_PORTS) so that sign-in cannot probe other services.
 */
import type { TSessionRequest } from "@ferry/protocol";
import type { Config, ServerTarget } from "../config";
import { BridgeError } from "../errors";

/** The servers of a sign-in request, and whether the user named them. Throws BridgeError. */
export function signInTargets(
  config: Config,
  body: TSessionRequest,
): {
  imap: ServerTarget;
  smtp: ServerTarget | null;
  userNamed: boolean;
} {
  const pinned = config.imap;
  if (config.smtp === null && body.smtp !== undefined) {
    checkPort("SMTP", body.smtp.port, config.smtpPorts);
  }
  if (pinned) {
    if (body.imap !== undefined || (config.smtp !== null && body.smtp !== undefined)) {
      throw new BridgeError(
        "server_not_allowed",
        "This bridge only connects to the server its administrator chose.",
      );
    }
    return { imap: pinned, smtp: config.smtp ?? body.smtp ?? null, userNamed: false };
  }
  if (body.imap === undefined) {
    throw new BridgeError("bad_request", "Name the IMAP server (host, port and security).");
  }
  checkPort("IMAP", body.imap.port, config.imapPorts);
  return {
    imap: body.imap,
    smtp: config.smtp ?? body.smtp ?? null,
    userNamed: true,
  };
}

/**
 * A user-named server must listen on one of the administrator's ports (FERRY_IMAP_PORTS,
 * FERRY_SMTP_PORTS), so sign-in cannot be used to probe other services. Throws
 * server_not_allowed.
 */
function checkPort(kind: "IMAP" | "SMTP", port: number, allowed: readonly number[]): void {
  if (allowed.includes(port)) return;
  throw new BridgeError(
    "server_not_allowed",
    `This bridge connects to ${kind} servers only on port ${allowed.join(", ")}.`,
  );
}
