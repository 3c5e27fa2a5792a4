/**
 * How the seeder and the fixture's own tests connect to its IMAP server as one of its users:
 * implicit TLS on the fixture's port, verified against the fixture's CA, no logging.
 */
import type { ImapFlowOptions } from "imapflow";

/** imapflow options for `user` on `server` (a started MailServer); `overrides` win. */
export function fixtureImapOptions(
  server: { host: string; imap: { tlsPort: number }; ca: string },
  user: { email: string; password: string },
  overrides: Partial<ImapFlowOptions> = {},
): ImapFlowOptions {
  return {
    host: server.host,
    port: server.imap.tlsPort,
    secure: true,
    tls: { ca: server.ca },
    auth: { user: user.email, pass: user.password },
    logger: false,
    ...overrides,
  };
}
