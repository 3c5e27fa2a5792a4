/**
 * Sending with an undo window. `queue` checks a message (its headers, a From that is the user's
 * own, at least one recipient, its uploads and size) and holds it in the outbox; `cancel` takes
 * it back before its time. What the outbox releases is built once and submitted over SMTP; then
 * the same bytes are filed in Sent (unless the server does that itself), the original is marked
 * \Answered or $Forwarded and the saved draft deleted. The outcome, `compose.sent` or
 * `compose.failed` with the draft, is pushed to every socket of the session.
 */
import { randomBytes } from "node:crypto";
import type { TComposeDraft, TMessageRef, TServerFrame, TUidRef } from "@ferry/protocol";
import type { Config, ServerTarget } from "../config";
import { BridgeError, errorCodeOf, isBridgeError } from "../errors";
import type { Logger } from "../log";
import { resolveAllowedHost } from "../session/host-policy";
import type { MailAccess } from "../session/manager";
import { SmtpError, submitMessage } from "../smtp/submit";
import { checkAttachments, resolveAttachments } from "./attachments";
import { type BuiltMessage, buildMessage } from "./build";
import { assertDraftHeaders, envelopeRecipients } from "./headers";
import type { IdentityStore } from "./identities";
import { appendMessage, deleteMessage, flagOriginal } from "./imap";
import { Outbox, type OutboxEntry } from "./outbox";
import { type ComposeSession, rememberRecipients, roleMailbox } from "./session";
import type { StoredUpload, UploadStore } from "./uploads";

/** Messages one session may hold in the outbox at once. */
export const MAX_PENDING_SENDS = 20;

/**
 * SMTP submission hosts known to file sent mail in Sent themselves: no APPEND (it would make
 * a second copy). Pinned servers say so with FERRY_SMTP_SAVES_SENT.
 */
export const SAVES_SENT_HOSTS = new Set([
  "smtp.gmail.com",
  "smtp.office365.com",
  "smtp-mail.outlook.com",
]);

type SendWarning = Extract<TServerFrame, { type: "compose.sent" }>["warnings"][number];

export interface SenderDeps {
  config: Config;
  log: Logger;
  uploads: UploadStore;
  identities: IdentityStore;
  /** Address, SMTP server and password of a session (SessionManager.mailAccess). */
  mailAccess: (sessionKey: string) => Promise<MailAccess | null>;
  /** Sends an event to every open socket of the session (none open: dropped). */
  push: (sessionKey: string, frame: TServerFrame) => void;
}

interface QueuedSend {
  readonly draft: TComposeDraft;
  readonly draftUid: TUidRef | null;
  readonly access: MailAccess;
  readonly uploads: StoredUpload[];
  readonly session: ComposeSession;
}

export class Sender {
  readonly #deps: SenderDeps;
  readonly #outbox: Outbox<QueuedSend>;

  constructor(deps: SenderDeps) {
    this.#deps = deps;
    this.#outbox = new Outbox((entry) => this.#deliver(entry));
  }

  /** Holds `draft` for `delaySeconds`, then sends it; its send id and when it goes. */
  async queue(
    session: ComposeSession,
    draft: TComposeDraft,
    draftUid: TUidRef | null,
    delaySeconds: number,
  ): Promise<{ sendId: string; sendAt: number }> {
    assertDraftHeaders(draft);
    await this.#assertFromAllowed(session, draft);
    if (envelopeRecipients(draft).length === 0) {
      throw new BridgeError("bad_request", "Add at least one recipient.");
    }
    if (this.#outbox.pending(session.key).length >= MAX_PENDING_SENDS) {
      throw new BridgeError("rate_limited", "Too many messages are waiting to be sent.");
    }
    const access = await this.#deps.mailAccess(session.key);
    if (!access) throw new BridgeError("unauthorized", "Sign in again.");
    if (this.#deps.config.smtp === null && access.smtp === null) {
      throw new BridgeError(
        "smtp_not_configured",
        "No outgoing mail server is set for this account. Sign in again and name one.",
      );
    }
    const uploads = checkAttachments(
      this.#deps.uploads,
      session.key,
      draft,
      this.#deps.config.messageMaxBytes,
    );
    this.#deps.uploads.pin(uploads);
    const sendId = randomBytes(12).toString("base64url");
    const entry = this.#outbox.queue(
      session.key,
      sendId,
      { draft, draftUid, access, uploads, session },
      delaySeconds * 1000,
    );
    return { sendId, sendAt: entry.sendAt };
  }

  /** Takes the held message `sendId` back: its draft; an error saying why when it cannot. */
  async cancel(session: ComposeSession, sendId: string): Promise<TComposeDraft> {
    const result = this.#outbox.cancel(session.key, sendId);
    if (result.ok) {
      await this.#deps.uploads.unpin(session.key, result.item.uploads);
      return result.item.draft;
    }
    if (result.state === "sending" || result.state === "sent") {
      throw new BridgeError("already_sent", "Too late to undo: the message has been sent.");
    }
    if (result.state === "failed") {
      throw new BridgeError(
        "bad_request",
        "This message was not sent; its draft came back with the failure.",
      );
    }
    throw new BridgeError("bad_request", "There is no message waiting to be sent with this id.");
  }

  /** Messages held for a session (all sessions when not given). */
  pendingCount(sessionKey?: string): number {
    return sessionKey === undefined ? this.#outbox.size : this.#outbox.pending(sessionKey).length;
  }

  /** Sends what is held (for one session, or all) at once and waits for it. */
  flush(sessionKey?: string): Promise<void> {
    return this.#outbox.flush(sessionKey);
  }

  /** Forgets what the outbox remembers of a session that ended. */
  forget(sessionKey: string): void {
    this.#outbox.forget(sessionKey);
  }

  async #assertFromAllowed(session: ComposeSession, draft: TComposeDraft): Promise<void> {
    const own = await this.#deps.identities.ownAddresses(session.account, session.email);
    if (!own.has(draft.from.address.toLowerCase())) {
      throw new BridgeError(
        "bad_request",
        "The From address must be your own address or one of your identities.",
      );
    }
  }

  /** Sends one released message; reports the outcome to the session's sockets. */
  async #deliver(entry: OutboxEntry<QueuedSend>): Promise<"sent" | "failed"> {
    const { draft, access, session, uploads } = entry.item;
    const log = this.#deps.log.child({
      session: session.key.slice(0, 12),
      send: entry.sendId.slice(0, 8),
    });
    try {
      const password = access.password();
      if (password === null) throw new BridgeError("unauthorized", "Sign in again to send.");
      const target = this.#deps.config.smtp ?? access.smtp;
      if (!target) {
        throw new BridgeError(
          "smtp_not_configured",
          "No outgoing mail server is set for this account.",
        );
      }
      const address = await this.#smtpAddress(target, access);
      const attachments = await resolveAttachments(
        this.#deps.uploads,
        session,
        draft,
        this.#deps.config.messageMaxBytes,
      );
      const built = await buildMessage({ draft, attachments });
      const started = performance.now();
      await submitMessage({
        target,
        address,
        ca: this.#deps.config.ca,
        auth: { user: access.email, pass: password },
        envelope: built.envelope,
        message: built.wire,
        connectTimeoutMs: this.#deps.config.connectTimeoutMs,
      });
      log.info(
        {
          recipients: built.envelope.to.length,
          bytes: built.wire.length,
          ms: Math.round(performance.now() - started),
        },
        "message sent",
      );
      const { sentCopy, warnings } = await this.#afterSend(entry.item, built, target, log);
      this.#deps.push(session.key, {
        type: "compose.sent",
        sendId: entry.sendId,
        messageId: built.messageId,
        sentCopy,
        warnings,
      });
      await this.#deps.uploads.unpin(session.key, uploads, { remove: true });
      return "sent";
    } catch (err) {
      const failure = toSendFailure(err);
      if (failure.code === "internal") log.error({ err }, "sending failed");
      else log.info({ code: failure.code }, "sending failed");
      await this.#deps.uploads.unpin(session.key, uploads).catch(() => undefined);
      this.#deps.push(session.key, {
        type: "compose.failed",
        sendId: entry.sendId,
        code: failure.code,
        message: failure.message,
        draft,
        rejected: failure instanceof SmtpError ? failure.rejected : [],
      });
      return "failed";
    }
  }

  /** The address to connect to: a user-named server passes the host policy on every send. */
  async #smtpAddress(target: ServerTarget, access: MailAccess): Promise<string | undefined> {
    if (this.#deps.config.smtp !== null || !access.smtpUserNamed) return undefined;
    try {
      return await resolveAllowedHost(target.host, this.#deps.config.allowPrivateHosts);
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

  /**
   * What follows a sent message: its copy in Sent (\Seen), the original marked \Answered or
   * $Forwarded, the saved draft deleted, the recipients remembered. Failures become warnings:
   * the message itself went out.
   */
  async #afterSend(
    item: QueuedSend,
    built: BuiltMessage,
    target: ServerTarget,
    log: Logger,
  ): Promise<{ sentCopy: TMessageRef | null; warnings: SendWarning[] }> {
    const { session, draft, draftUid } = item;
    const warnings: SendWarning[] = [];
    let sentCopy: TMessageRef | null = null;
    if (!this.#serverSavesSent(target)) {
      try {
        const sent = await roleMailbox(session, "sent");
        sentCopy = await session.imap.run((client) =>
          appendMessage(client, sent, built.stored, ["\\Seen"], { messageId: built.messageId }),
        );
      } catch (err) {
        log.warn({ code: errorCodeOf(err) }, "sent copy not saved");
        session.roles.delete("sent"); // renamed or deleted meanwhile: look it up again next time
        warnings.push("sent_copy_failed");
      }
    }
    if (draft.source) {
      const source = draft.source;
      const flag =
        source.mode === "reply" || source.mode === "replyAll" ? "\\Answered" : "$Forwarded";
      const ok = await session.imap
        .run((client) => flagOriginal(client, source.ref, flag))
        .catch((err: unknown) => {
          log.info({ code: errorCodeOf(err) }, "original not flagged");
          return false;
        });
      // $Forwarded is a keyword the server may not allow; only a failed \Answered is worth saying.
      if (!ok && flag === "\\Answered") warnings.push("original_not_flagged");
    }
    if (draftUid) {
      const ok = await roleMailbox(session, "drafts", false)
        .then((drafts) => session.imap.run((client) => deleteMessage(client, drafts, draftUid)))
        .catch(() => false);
      if (!ok) warnings.push("draft_not_deleted");
    }
    rememberRecipients(session, [...draft.to, ...draft.cc, ...draft.bcc]);
    return { sentCopy, warnings };
  }

  #serverSavesSent(target: ServerTarget): boolean {
    if (this.#deps.config.smtp !== null) return this.#deps.config.smtpSavesSent;
    return SAVES_SENT_HOSTS.has(target.host.toLowerCase());
  }
}

/** The BridgeError a failed send reports: never raw server text. */
function toSendFailure(err: unknown): BridgeError {
  if (err instanceof SmtpError) return err;
  if (isBridgeError(err)) {
    if (err.code === "host_unreachable") {
      return new SmtpError(
        "smtp_unavailable",
        "The outgoing mail server could not be reached. Nothing was sent.",
      );
    }
    return err;
  }
  return new BridgeError("internal", "The message could not be sent.", { cause: err });
}
