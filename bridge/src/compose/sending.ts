/**
 * Sending, held for an undo window or until a chosen time, through the durable outbox
 * (outbox.ts: what is kept in the state store; jobs/runner.ts: which bridge runs it when).
 *
 * - `queue` checks a message (its headers, a From that is the user's own, at least one
 *   recipient, its attachments and size), reads its attachments' bytes and holds it: for
 *   `delaySeconds` (undo) or until `sendAt` (send later).
 * - `cancel` takes it back before it goes (undo, or editing/cancelling a scheduled message) and
 *   gives the draft back, its attachments as uploads of the asking session again.
 * - `scheduled` lists the account's held messages; `sendNow` sends one at once.
 * - A run builds the message with the Message-ID chosen at Send and submits it over SMTP with
 *   the held (sealed) password; then after-send.ts files the same bytes in Sent, marks the
 *   original and deletes the saved draft, over this session's IMAP connection or, when this
 *   bridge has none, one opened for the run (run-connections.ts). The outcome, `compose.sent`
 *   or `compose.failed` with the draft, goes to the session's sockets here.
 *
 * The attachments' bytes held with a message, and given back as uploads, are held-parts.ts's.
 *
 * Sign-out and expiry drop nothing: what the session held for undo goes at once, and each
 * scheduled message carries its own sealed credential and goes at its time (the web app lists
 * scheduled mail before signing out, with the choice to cancel).
 * Only when FERRY_SESSION_SECRET is not set (a random secret that dies with the process) is
 * sending later refused and the undo-held mail of this process sent at shutdown.
 */
import { randomBytes } from "node:crypto";
import {
  ErrorCode,
  type TComposeDraft,
  type TScheduledMessage,
  type TServerFrame,
  type TUidRef,
} from "@ferry/protocol";
import type { Config } from "../config";
import { BridgeError, isBridgeError } from "../errors";
import type { JobRunner, RetryLater } from "../jobs/runner";
import type { Logger } from "../log";
import type { MailAccess } from "../session/manager";
import { SmtpError, submitMessage } from "../smtp/submit";
import type { ClaimedJob, StateStore } from "../state/store";
import { afterSend, serverSavesSent } from "./after-send";
import { checkAttachments } from "./attachments";
import { buildMessage, newMessageId } from "./build";
import { assertDraftHeaders, envelopeRecipients } from "./headers";
import { readHeldParts, removeUploads, restoreDraft } from "./held-parts";
import type { IdentityStore } from "./identities";
import { DurableOutbox, OUTBOX_QUEUE, PARKED_AT } from "./outbox";
import { heldRunSession, smtpAddress } from "./run-connections";
import type { ComposeSession } from "./session";
import type { UploadStore } from "./uploads";

/** Messages one account may hold for undo at once. */
export const MAX_PENDING_SENDS = 20;
/** Messages one account may have scheduled at once. */
export const MAX_SCHEDULED_SENDS = 200;
/** Longest a message may be scheduled ahead. */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 60 * 60_000;
/** The lease of a run: renewed while SMTP and the Sent copy take their time. */
const SEND_LEASE_MS = 60_000;

export interface SenderDeps {
  config: Config;
  log: Logger;
  uploads: UploadStore;
  identities: IdentityStore;
  state: StateStore;
  jobs: JobRunner;
  /** Address, servers and password of a session (SessionManager.mailAccess). */
  mailAccess: (sessionKey: string) => Promise<MailAccess | null>;
  /** Sends an event to every open socket of the session (none open: dropped). */
  push: (sessionKey: string, frame: TServerFrame) => void;
  /** This bridge's compose state of a session, when it has one (its IMAP connection). */
  composeSession: (sessionKey: string) => ComposeSession | undefined;
}

export type SendWhen = { delaySeconds: number } | { sendAt: number };

export class Sender {
  readonly #deps: SenderDeps;
  readonly #outbox: DurableOutbox;
  /** Held messages queued by this process and not finished, by send id: their session. */
  readonly #local = new Map<string, string>();

  constructor(deps: SenderDeps) {
    this.#deps = deps;
    this.#outbox = new DurableOutbox(deps.state, deps.jobs, deps.config.sessionSecret);
    deps.jobs.handle(OUTBOX_QUEUE, {
      leaseMs: SEND_LEASE_MS,
      concurrency: 4,
      run: (job) => this.#run(job),
    });
  }

  /** Holds `draft` (for the undo window, or until `sendAt`); its send id and when it goes. */
  async queue(
    session: ComposeSession,
    draft: TComposeDraft,
    draftUid: TUidRef | null,
    when: SendWhen,
  ): Promise<{ sendId: string; sendAt: number }> {
    const now = this.#deps.jobs.now();
    const later = "sendAt" in when;
    assertDraftHeaders(draft);
    await this.#assertFromAllowed(session, draft);
    if (envelopeRecipients(draft).length === 0) {
      throw new BridgeError("bad_request", "Add at least one recipient.");
    }
    if (later) {
      if (this.#deps.config.sessionSecretRandom) {
        throw new BridgeError(
          "bad_request",
          "Sending later needs FERRY_SESSION_SECRET to be set on this server.",
        );
      }
      if (!Number.isFinite(when.sendAt) || when.sendAt <= now) {
        throw new BridgeError("bad_request", "Choose a time in the future.");
      }
      if (when.sendAt - now > MAX_SCHEDULE_AHEAD_MS) {
        throw new BridgeError("bad_request", "Choose a time within the next year.");
      }
    }
    const held = await this.#outbox.list(session.account);
    const kind = later ? "later" : "undo";
    const max = later ? MAX_SCHEDULED_SENDS : MAX_PENDING_SENDS;
    if (held.filter((h) => h.payload.kind === kind).length >= max) {
      throw new BridgeError(
        "rate_limited",
        later ? "Too many messages are scheduled." : "Too many messages are waiting to be sent.",
      );
    }
    const access = await this.#deps.mailAccess(session.key);
    const password = access?.password() ?? null;
    if (!access || password === null) throw new BridgeError("unauthorized", "Sign in again.");
    if (this.#deps.config.smtp === null && access.smtp === null) {
      throw new BridgeError(
        "smtp_not_configured",
        "No outgoing mail server is set for this account. Sign in again and name one.",
      );
    }
    checkAttachments(this.#deps.uploads, session.key, draft, this.#deps.config.messageMaxBytes);
    const parts = await readHeldParts(
      this.#deps.uploads,
      session,
      draft,
      this.#deps.config.messageMaxBytes,
    );
    const sendId = randomBytes(12).toString("base64url");
    const sendAt = "sendAt" in when ? when.sendAt : now + when.delaySeconds * 1000;
    await this.#outbox.hold(
      sendId,
      {
        kind,
        sessionKey: session.key,
        account: session.account,
        email: access.email,
        imap: access.imap,
        imapUserNamed: access.imapUserNamed,
        smtp: access.smtp,
        smtpUserNamed: access.smtpUserNamed,
        messageId: newMessageId(draft.from.address),
        draftUid,
        createdAt: now,
      },
      { draft, password },
      parts,
      sendAt,
    );
    if (kind === "undo") this.#local.set(sendId, session.key);
    return { sendId, sendAt };
  }

  /**
   * Takes the held message `sendId` back (undo, or edit/cancel from Scheduled): its draft, with
   * its attachments as uploads of `session` again; an error saying why when it cannot.
   */
  async cancel(session: ComposeSession, sendId: string): Promise<TComposeDraft> {
    const found = await this.#outbox.find(session.account, sendId);
    if (found?.held) {
      const result = await this.#outbox.cancel(sendId);
      if (result === "cancelled") {
        const held = found.held;
        const parts = await this.#outbox.parts(held).catch(() => []);
        const draft = await restoreDraft(this.#deps.uploads, session.key, held.secret.draft, parts);
        await this.#outbox.forget(sendId, held.payload.parts);
        this.#local.delete(sendId);
        return draft;
      }
      if (result === "claimed") {
        throw new BridgeError("already_sent", "Too late to undo: the message is being sent.");
      }
    }
    const outcome = await this.#outbox.outcome(sendId);
    if (outcome === "sent" || (found && !found.held)) {
      throw new BridgeError("already_sent", "Too late to undo: the message has been sent.");
    }
    if (outcome === "failed") {
      throw new BridgeError(
        "bad_request",
        "This message was not sent; its draft came back with the failure.",
      );
    }
    throw new BridgeError("bad_request", "There is no message waiting to be sent with this id.");
  }

  /** The account's held and scheduled messages, by the time they go. */
  async scheduled(session: ComposeSession): Promise<TScheduledMessage[]> {
    const held = await this.#outbox.list(session.account);
    return held.map((h) => {
      const code = ErrorCode.safeParse(h.failure?.code);
      return {
        sendId: h.id,
        kind: h.payload.kind,
        sendAt: h.dueAt >= PARKED_AT ? null : new Date(h.dueAt).toISOString(),
        sending: h.leasedUntil !== null,
        draft: h.secret.draft,
        draftUid: h.payload.draftUid,
        failure:
          h.failure === null
            ? null
            : { code: code.success ? code.data : "internal", message: h.failure.message },
      };
    });
  }

  /** Sends a held message of the account now. */
  async sendNow(session: ComposeSession, sendId: string): Promise<void> {
    const found = await this.#outbox.find(session.account, sendId);
    if (!found) {
      throw new BridgeError("bad_request", "There is no message waiting to be sent with this id.");
    }
    if (!(await this.#deps.jobs.runNow(OUTBOX_QUEUE, sendId))) {
      throw new BridgeError("already_sent", "The message is being sent.");
    }
  }

  /** Messages held for undo by this process (one session's when given). */
  pendingCount(sessionKey?: string): number {
    if (sessionKey === undefined) return this.#local.size;
    return [...this.#local.values()].filter((k) => k === sessionKey).length;
  }

  /**
   * The session signed out or expired: what it holds for its undo window goes now (the user
   * pressed Send, and no composer of that session can undo it any more). Scheduled messages
   * keep their time.
   */
  async sendHeldNow(sessionKey: string): Promise<void> {
    const ids = [...this.#local].filter(([, key]) => key === sessionKey).map(([id]) => id);
    await Promise.allSettled(ids.map((id) => this.#deps.jobs.runNow(OUTBOX_QUEUE, id)));
  }

  /**
   * Shutdown with a random FERRY_SESSION_SECRET: what this process holds for undo could not be
   * opened by the next one, so it goes now (the user pressed Send). Otherwise nothing to do.
   */
  async closing(): Promise<void> {
    if (!this.#deps.config.sessionSecretRandom) return;
    await Promise.allSettled(
      [...this.#local.keys()].map((id) => this.#deps.jobs.runNow(OUTBOX_QUEUE, id)),
    );
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

  /** One run of a held message (jobs/runner.ts calls it when it is due, in one bridge). */
  async #run(job: ClaimedJob): Promise<RetryLater | undefined> {
    const log = this.#deps.log.child({ send: job.id.slice(0, 8) });
    const held = await this.#outbox.read(job);
    if (!held) {
      // sealed under another FERRY_SESSION_SECRET, or damaged: it can never be sent
      log.error("a held message cannot be opened (FERRY_SESSION_SECRET changed?); kept, parked");
      return { retryAt: PARKED_AT };
    }
    const { payload, secret } = held;
    const sessionKey = payload.sessionKey;
    let own: ComposeSession | undefined = this.#deps.composeSession(sessionKey);
    let temp: ComposeSession | undefined;
    const session = (): ComposeSession => {
      if (own) return own;
      temp ??= heldRunSession(this.#deps.config, held, log);
      return temp;
    };
    try {
      const parts = await this.#outbox.parts(held);
      const accepted = await this.#outbox.accepted(job.id);
      const date = accepted?.date ?? this.#deps.jobs.now();
      const built = await buildMessage({
        draft: secret.draft,
        attachments: parts.map((p) => ({
          filename: p.filename,
          type: p.type,
          size: p.content.length,
          content: p.content,
          ...(p.contentId === undefined ? {} : { contentId: p.contentId }),
        })),
        messageId: payload.messageId,
        date: new Date(date),
      });
      const target = this.#deps.config.smtp ?? payload.smtp;
      if (!target) {
        throw new BridgeError(
          "smtp_not_configured",
          "No outgoing mail server is set for this account.",
        );
      }
      if (accepted) {
        log.info("already accepted by SMTP before; finishing without sending again");
      } else {
        const address = await smtpAddress(this.#deps.config, target, payload.smtpUserNamed);
        const started = performance.now();
        await submitMessage({
          target,
          address,
          ca: this.#deps.config.ca,
          auth: { user: payload.email, pass: secret.password },
          envelope: built.envelope,
          message: built.wire,
          connectTimeoutMs: this.#deps.config.connectTimeoutMs,
        });
        await this.#outbox.markAccepted(job.id, date);
        log.info(
          {
            recipients: built.envelope.to.length,
            bytes: built.wire.length,
            ms: Math.round(performance.now() - started),
          },
          "message sent",
        );
      }
      const { sentCopy, warnings } = await afterSend(
        session(),
        secret.draft,
        payload.draftUid,
        built,
        serverSavesSent(this.#deps.config, target),
        log,
      );
      await this.#outbox.forget(job.id, payload.parts, "sent");
      this.#local.delete(job.id);
      this.#deps.push(sessionKey, {
        type: "compose.sent",
        sendId: job.id,
        messageId: built.messageId,
        sentCopy,
        warnings,
      });
      removeUploads(this.#deps.uploads, sessionKey, secret.draft);
      return undefined;
    } catch (err) {
      const failure = toSendFailure(err);
      if (failure.code === "internal") log.error({ err }, "sending failed");
      else log.info({ code: failure.code }, "sending failed");
      own = this.#deps.composeSession(sessionKey);
      if (payload.kind === "later" && !own) {
        // nobody here to tell: it stays listed in Scheduled as not sent
        await this.#outbox.markFailed(job.id, { code: failure.code, message: failure.message });
        return { retryAt: PARKED_AT };
      }
      const parts = await this.#outbox.parts(held).catch(() => []);
      const draft = own
        ? await restoreDraft(this.#deps.uploads, sessionKey, secret.draft, parts)
        : secret.draft;
      await this.#outbox.forget(job.id, payload.parts, "failed");
      this.#local.delete(job.id);
      this.#deps.push(sessionKey, {
        type: "compose.failed",
        sendId: job.id,
        code: failure.code,
        message: failure.message,
        draft,
        rejected: failure instanceof SmtpError ? failure.rejected : [],
      });
      return undefined;
    } finally {
      await temp?.imap.close().catch(() => undefined);
    }
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
