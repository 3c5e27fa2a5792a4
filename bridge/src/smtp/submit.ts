/**
 * SMTP submission of one built message: connect (implicit TLS, or STARTTLS required, never
 * opportunistic), verify the certificate (system roots + the configured CA), AUTH with the
 * sign-in credentials, then send the raw bytes with an explicit envelope.
 *
 * All or nothing: when the server refuses any recipient, the transaction is abandoned before
 * a single byte of the message is sent (the connection is dropped inside DATA, so the server
 * discards it) and the failure lists the refused addresses, so the user can fix them and send
 * once to everyone instead of resending to the ones who already have it.
 *
 * Every failure leaves as a BridgeError whose code tells the cases apart (smtp_unavailable,
 * tls_failed, smtp_auth_failed, recipient_refused, too_large, server_refused) and whose message
 * never carries the server's words.
 */

import { Readable } from "node:stream";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import { BridgeError } from "../errors";
import { trustContext } from "../net/trust";

export interface SmtpTarget {
  host: string;
  port: number;
  security: "tls" | "starttls";
}

export interface SubmitOptions {
  target: SmtpTarget;
  /** Connect to this resolved address (the host policy checked it); the certificate is still verified for `target.host`. */
  address?: string | undefined;
  /** Extra PEM CA trusted besides the system roots. */
  ca?: string | undefined;
  auth: { user: string; pass: string };
  envelope: { from: string; to: string[] };
  message: Buffer;
  /** TCP + TLS + greeting budget (default 15 s). */
  connectTimeoutMs?: number;
  /** Inactivity budget once connected (default 60 s). */
  socketTimeoutMs?: number;
}

export interface SubmitResult {
  accepted: string[];
  /** Recipients refused although the gate let the message through (see gateRecipients). */
  rejected: string[];
}

/** A failed submission; `rejected` lists refused recipients for recipient_refused. */
export class SmtpError extends BridgeError {
  constructor(
    code: BridgeError["code"],
    message: string,
    readonly rejected: string[] = [],
    cause?: unknown,
  ) {
    super(code, message, cause === undefined ? {} : { cause });
  }
}

/** What nodemailer errors carry (NodemailerError). */
interface SmtpErrorLike {
  code?: unknown;
  command?: unknown;
  responseCode?: unknown;
  rejected?: unknown;
  errno?: unknown;
  cause?: unknown;
}

/** The envelope nodemailer tracks while sending; read only to decide the recipient gate. */
interface TrackedEnvelope {
  rejected?: unknown;
  accepted?: unknown;
}

const TLS_CODE = /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/;

/** Maps a nodemailer/network error to the BridgeError the user sees. */
export function classifySmtpError(err: unknown): SmtpError {
  if (err instanceof SmtpError) return err;
  if (err instanceof BridgeError) return new SmtpError(err.code, err.message, [], err);
  const chain: SmtpErrorLike[] = [];
  let cur: unknown = err;
  while (typeof cur === "object" && cur !== null && chain.length < 4) {
    chain.push(cur as SmtpErrorLike);
    cur = (cur as SmtpErrorLike).cause;
  }
  const top = chain[0] ?? {};
  const code = typeof top.code === "string" ? top.code : "";
  const command = typeof top.command === "string" ? top.command.toUpperCase() : "";
  const response = typeof top.responseCode === "number" ? top.responseCode : 0;
  const codes = chain.map((e) => (typeof e.code === "string" ? e.code : ""));

  if (codes.some((c) => TLS_CODE.test(c)) || code === "ETLS") {
    return new SmtpError(
      "tls_failed",
      "A secure connection to the outgoing mail server could not be established.",
      [],
      err,
    );
  }
  if (code === "EAUTH") {
    return new SmtpError(
      "smtp_auth_failed",
      "The outgoing mail server did not accept your sign-in.",
      [],
      err,
    );
  }
  if (response === 552 || response === 523 || (code === "EMESSAGE" && command === "MAIL FROM")) {
    return new SmtpError(
      "too_large",
      "The message is larger than the outgoing mail server accepts.",
      [],
      err,
    );
  }
  if (code === "EENVELOPE" && command === "RCPT TO") {
    const rejected = Array.isArray(top.rejected)
      ? top.rejected.filter((r): r is string => typeof r === "string")
      : [];
    return new SmtpError(
      "recipient_refused",
      refusedMessage(rejected, response >= 400 && response < 500),
      rejected,
      err,
    );
  }
  if (code === "EENVELOPE" && command === "MAIL FROM") {
    return new SmtpError(
      "server_refused",
      "The outgoing mail server refused the sender address.",
      [],
      err,
    );
  }
  if (response >= 400) {
    return new SmtpError(
      "server_refused",
      response < 500
        ? "The outgoing mail server could not take the message right now. Try again later."
        : "The outgoing mail server refused the message.",
      [],
      err,
    );
  }
  return new SmtpError(
    "smtp_unavailable",
    "The outgoing mail server could not be reached. Nothing was sent.",
    [],
    err,
  );
}

function refusedMessage(rejected: string[], temporary: boolean): string {
  const list = rejected.slice(0, 5).join(", ");
  const more = rejected.length > 5 ? ` and ${rejected.length - 5} more` : "";
  const who = rejected.length === 0 ? "A recipient" : `${list}${more}`;
  return temporary
    ? `${who}: the outgoing mail server cannot take this recipient right now. Nothing was sent.`
    : `${who}: the outgoing mail server refused this recipient. Nothing was sent.`;
}

function callback<T>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void) {
  return new Promise<T>((resolve, reject) => {
    fn((err, value) => (err ? reject(err) : resolve(value as T)));
  });
}

/**
 * The message body stream, gated: when nodemailer starts reading it the envelope is complete
 * (MAIL FROM, every RCPT TO answered, DATA accepted). If any recipient was refused the stream
 * fails instead of yielding a byte, and the caller drops the connection.
 */
class GatedMessage extends Readable {
  #started = false;
  constructor(
    private readonly data: Buffer,
    private readonly gate: () => string[] | null,
  ) {
    super();
  }
  override _read(): void {
    if (this.#started) return;
    this.#started = true;
    const refused = this.gate();
    if (refused !== null && refused.length > 0) {
      this.destroy(new SmtpError("recipient_refused", refusedMessage(refused, false), refused));
      return;
    }
    this.push(this.data);
    this.push(null);
  }
}

/** Submits `message`. Resolves when the server accepted it; throws SmtpError otherwise. */
export async function submitMessage(opts: SubmitOptions): Promise<SubmitResult> {
  const { target } = opts;
  const timeout = opts.connectTimeoutMs ?? 15_000;
  const viaAddress = opts.address !== undefined && opts.address !== target.host;
  const tls = {
    minVersion: "TLSv1.2" as const,
    rejectUnauthorized: true,
    ...(opts.ca === undefined ? {} : { secureContext: trustContext(opts.ca) }),
    ...(viaAddress ? { servername: target.host } : {}),
  };
  const conn = new SMTPConnection({
    host: viaAddress ? opts.address : target.host,
    port: target.port,
    secure: target.security === "tls",
    requireTLS: target.security === "starttls",
    ...(viaAddress ? { servername: target.host } : {}),
    tls,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: opts.socketTimeoutMs ?? 60_000,
    logger: false,
    debug: false,
  });
  let gateFailure: SmtpError | null = null;
  // Connection-level failures (refused, TLS, timeouts, a dropped line) arrive as events, not
  // through the step's callback: every step races them.
  const broken = new Promise<never>((_, reject) => {
    conn.once("error", reject);
    conn.once("end", () =>
      reject(Object.assign(new Error("connection closed"), { code: "ECONNECTION" })),
    );
  });
  broken.catch(() => undefined);
  const step = <T>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void) =>
    Promise.race([callback<T>(fn), broken]);
  try {
    await step<void>((cb) => conn.connect((err) => cb(err ?? null)));
    if (!conn.allowsAuth) {
      throw new SmtpError(
        "smtp_auth_failed",
        "The outgoing mail server does not offer sign-in, so it cannot send for you.",
      );
    }
    await step<boolean | undefined>((cb) =>
      conn.login({ user: opts.auth.user, pass: opts.auth.pass }, (err, ok) => cb(err, ok)),
    );
    const message = new GatedMessage(opts.message, () => {
      const tracked = (conn as unknown as { _envelope?: TrackedEnvelope })._envelope;
      if (!tracked || !Array.isArray(tracked.rejected)) return null; // cannot tell: let it through
      const refused = tracked.rejected.filter((r): r is string => typeof r === "string");
      if (refused.length > 0) {
        gateFailure = new SmtpError("recipient_refused", refusedMessage(refused, false), refused);
      }
      return refused;
    });
    const info = await step<SMTPConnection.SentMessageInfo>((cb) =>
      conn.send(
        { from: opts.envelope.from, to: opts.envelope.to, size: opts.message.length },
        message,
        (err, result) => cb(err, result),
      ),
    );
    conn.quit();
    return {
      accepted: info.accepted,
      rejected: info.rejected,
    };
  } catch (err) {
    conn.close();
    throw gateFailure ?? classifySmtpError(err);
  }
}
