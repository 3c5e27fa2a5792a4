/**
 * Opening an IMAP connection for a user: a new, connected, logged-in ImapFlow with TLS verified
 * (plus an optional extra CA), STARTTLS required when chosen, and every failure classified into
 * one of the protocol's error codes (by imap/errors.ts). No server text ever reaches the error
 * message.
 *
 * It also bounds what one IMAP server can make the bridge hold or wait for, since a user may
 * name any server (see IMAP_LIMITS and the command watchdog below). A connection that breaks a
 * bound is closed: its commands reject as a lost connection, and only that session notices.
 */
import { ImapFlow, type ImapFlowOptions } from "imapflow";
import { imapLogger, type Logger } from "../log";
import { trustContext } from "../net/trust";
import { commandAbandoned, connectError, failureDetail, isOverLimit } from "./errors";

export interface ImapTarget {
  host: string;
  port: number;
  security: "tls" | "starttls";
}

export interface ImapCredentials {
  user: string;
  password: string;
}

/** imapflow options a caller (the live session) may choose; never the TLS or auth ones. */
export type ImapClientOptions = Pick<
  ImapFlowOptions,
  "disableAutoIdle" | "qresync" | "maxIdleTime" | "socketTimeout" | "disableCompression" | "id"
>;

/**
 * imapflow's parser limits, per response (its defaults are 1 GiB per line and per literal). The
 * largest literal the bridge asks for is one partial FETCH of a part (256 KiB, http/parts.ts;
 * download() asks 64 KiB at a time), so message bodies and attachments stream under them; a
 * line is long only in a plain UID SEARCH answer (about 8 bytes per message); an envelope, a
 * LIST entry or a BODYSTRUCTURE needs far less. A token costs about 100 bytes of heap while a
 * response is parsed, hence the token cap.
 */
export const IMAP_LIMITS = {
  maxLiteralSize: 4 * 1024 * 1024,
  maxLineLength: 8 * 1024 * 1024,
  maxResponseSize: 12 * 1024 * 1024,
  maxResponseTokens: 250_000,
} as const satisfies Partial<ImapFlowOptions>;

/**
 * Bytes one command (other than IDLE) may receive in all its responses together. imapflow keeps
 * every response of a LIST or FETCH until the command ends, so the per-response limits alone do
 * not bound a server that answers one LIST with millions of folders.
 */
export const MAX_COMMAND_BYTES = 64 * 1024 * 1024;

/** How often the watchdog looks at a connection while a command is in flight. */
const WATCH_EVERY_MS = 100;

export interface ConnectOptions {
  /** Extra PEM CA to trust besides the system store. */
  ca?: string | undefined;
  /** Budget for TCP + TLS handshake (default 15 s); the greeting gets the same again. */
  connectTimeoutMs?: number;
  /**
   * Connect to this resolved IP address instead of resolving `target.host` again (so a checked
   * address cannot be swapped by DNS rebinding). The certificate is still verified for the host.
   */
  address?: string | undefined;
  /**
   * A command (other than IDLE and APPEND) that receives nothing for this long is abandoned and
   * the connection closed; so is any command still running after ten times this. Default 60 s.
   */
  commandTimeoutMs?: number;
  /**
   * The user named this server: every failure other than a refused login is reported as one
   * host_unreachable ("could not reach a mail server at that address"), so the answers do not
   * tell a closed port from a TLS failure from something that is not IMAP (no port scanning).
   */
  userNamed?: boolean;
  /** Where imapflow's connection-level messages go (at debug); omitted = imapflow logging off. */
  log?: Logger | undefined;
  client?: ImapClientOptions;
}

type RunFn = (command: string, ...args: unknown[]) => Promise<unknown>;

/**
 * Puts a watchdog on every command of `client`: imapflow 2.10 has per-response limits and a
 * socket inactivity timeout (5 min, also what keeps IDLE alive), but no deadline and no byte
 * budget per command. Its internal `run()`, through which every command passes, is wrapped on
 * this instance; while a command is in flight the received-byte counter (`stats()`) is checked
 * every WATCH_EVERY_MS. Too many bytes, silence or too long in all closes the connection; so
 * does a response over IMAP_LIMITS that imapflow refused without closing (too many tokens).
 */
function watchCommands(client: ImapFlow, timeoutMs: number, log: Logger | undefined): void {
  const target = client as unknown as { run?: RunFn };
  const run = target.run;
  if (typeof run !== "function") return;
  target.run = function watched(command: string, ...args: unknown[]) {
    const name = command.toUpperCase();
    if (name === "IDLE") return run.call(client, command, ...args);
    const started = Date.now();
    const startBytes = client.stats().received;
    let lastBytes = startBytes;
    let lastProgress = started;
    let abandoned: string | null = null;
    const timer = setInterval(
      () => {
        const now = Date.now();
        const received = client.stats().received;
        if (received !== lastBytes) {
          lastBytes = received;
          lastProgress = now;
        }
        abandoned =
          received - startBytes > MAX_COMMAND_BYTES
            ? "too_many_bytes"
            : name !== "APPEND" && now - lastProgress > timeoutMs
              ? "silent"
              : now - started > timeoutMs * 10
                ? "too_long"
                : null;
        if (abandoned === null) return;
        clearInterval(timer);
        log?.warn({ command: name, why: abandoned }, "imap command abandoned; connection closed");
        client.close();
      },
      Math.min(WATCH_EVERY_MS, timeoutMs),
    );
    timer.unref();
    return run
      .call(client, command, ...args)
      .catch((err: unknown) => {
        const overLimit = isOverLimit(err);
        if (overLimit && client.usable) {
          log?.warn(
            { command: name, why: failureDetail(err) },
            "imap response over a limit; connection closed",
          );
          client.close();
        }
        if (abandoned === null && !overLimit) throw err;
        throw commandAbandoned(err);
      })
      .finally(() => clearInterval(timer));
  };
}

/**
 * A new, connected, logged-in ImapFlow. Its error listener is attached before connect(); TLS
 * is verified (with `opts.ca` added to the trusted roots); STARTTLS is required when chosen;
 * responses are bounded (IMAP_LIMITS) and every command watched (see watchCommands).
 * Throws BridgeError auth_failed | login_refused | host_unreachable | tls_failed.
 */
export async function connectImap(
  target: ImapTarget,
  creds: ImapCredentials,
  opts: ConnectOptions = {},
): Promise<ImapFlow> {
  const timeout = opts.connectTimeoutMs ?? 15_000;
  const tls: NonNullable<ImapFlowOptions["tls"]> = { minVersion: "TLSv1.2" };
  if (opts.ca !== undefined) tls.secureContext = trustContext(opts.ca);
  const viaAddress = opts.address !== undefined && opts.address !== target.host;
  const client = new ImapFlow({
    ...opts.client,
    host: viaAddress ? (opts.address as string) : target.host,
    ...(viaAddress ? { servername: target.host } : {}),
    port: target.port,
    secure: target.security === "tls",
    ...(target.security === "starttls" ? { doSTARTTLS: true } : {}),
    auth: { user: creds.user, pass: creds.password },
    tls,
    logger: opts.log ? imapLogger(opts.log) : false,
    clientInfo: { name: "Ferry" },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    ...IMAP_LIMITS,
  });
  watchCommands(client, opts.commandTimeoutMs ?? 60_000, opts.log);
  client.on("error", (err: unknown) => {
    opts.log?.debug({ err: { code: (err as { code?: unknown }).code } }, "imap client error");
  });
  try {
    await client.connect();
  } catch (err) {
    client.close();
    const mapped = connectError(err, { userNamed: opts.userNamed === true });
    opts.log?.info(
      { code: mapped.code, detail: failureDetail(err), userNamed: opts.userNamed === true },
      "imap connect failed",
    );
    throw mapped;
  }
  return client;
}
