/**
 * ComposeService: everything about writing mail for every session of the bridge. It answers
 * the compose frames (send with an undo window, cancel, drafts, reply/forward prefill, address
 * suggestions, identities), keeps the attachment uploads (their HTTP endpoints are
 * http/uploads.ts), and sends what the outbox releases: build once, submit over SMTP, then file
 * the same bytes in Sent, mark the original \Answered, delete the saved draft. Outcomes are
 * pushed to every socket of the session.
 *
 * Per session it keeps its own IMAP connection (opened on demand, closed when idle), so big
 * drafts and Sent copies never hold up the command connection the message list uses, and so
 * a send still completes after the session signed out. Sign-out sends what is held at once
 * (the user pressed Send), then drops the session's uploads.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type {
  TComposeAttachment,
  TComposeClientFrame,
  TComposeDraft,
  TMessageRef,
  TServerFrame,
  TUidRef,
  TUploadInfo,
} from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import type { Config, ServerTarget } from "../config";
import { BridgeError, isBridgeError } from "../errors";
import { assertUidValidity, withMailbox } from "../imap/mailbox-access";
import type { Logger } from "../log";
import { resolveAllowedHost } from "../session/host-policy";
import type { LiveSession } from "../session/live";
import type { MailAccess } from "../session/manager";
import { SideConnection } from "../session/side-connection";
import { SmtpError, submitMessage } from "../smtp/submit";
import { type BuiltMessage, buildMessage, type ResolvedAttachment } from "./build";
import { buildContactIndex, CONTACTS_TTL_MS, type ContactIndex, WEIGHT } from "./contacts";
import { composeContext, encodeSourceHeader, SOURCE_HEADER } from "./context";
import {
  assertDraftHeaders,
  envelopeRecipients,
  sanitizeFilename,
  sanitizeMimeType,
} from "./headers";
import { IdentityStore } from "./identities";
import {
  appendMessage,
  deleteMessage,
  downloadBytes,
  findRoleMailbox,
  flagOriginal,
  type Role,
} from "./imap";
import { Outbox, type OutboxEntry } from "./outbox";
import { type StoredUpload, UploadStore } from "./uploads";

/** The frames this service answers (the protocol's COMPOSE_CLIENT_FRAMES). */
type ComposeFrame = TComposeClientFrame;

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

export interface ComposeDeps {
  config: Config;
  log: Logger;
  /** Address, SMTP server and password of a session (SessionManager.mailAccess). */
  mailAccess: (sessionKey: string) => Promise<MailAccess | null>;
  /** True while the session has a live side in this process (SessionManager.liveIfPresent). */
  isLive: (sessionKey: string) => boolean;
  /** Sends an event to every open socket of the session (none open: dropped). */
  push: (sessionKey: string, frame: TServerFrame) => void;
  /** Where the upload directory goes (default: the OS temp dir). */
  uploadDir?: string;
}

interface ComposeSession {
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

interface QueuedSend {
  readonly draft: TComposeDraft;
  readonly draftUid: TUidRef | null;
  readonly access: MailAccess;
  readonly uploads: StoredUpload[];
  readonly session: ComposeSession;
}

type Reply = (frame: TServerFrame) => void;

export class ComposeService {
  readonly uploads: UploadStore;
  readonly identities = new IdentityStore();
  readonly #deps: ComposeDeps;
  readonly #log: Logger;
  readonly #outbox: Outbox<QueuedSend>;
  readonly #sessions = new Map<string, ComposeSession>();
  readonly #ending = new Set<Promise<void>>();
  readonly #sweeper: NodeJS.Timeout;
  #closed = false;

  constructor(deps: ComposeDeps) {
    this.#deps = deps;
    this.#log = deps.log.child({ module: "compose" });
    this.uploads = new UploadStore(
      {
        maxFileBytes: deps.config.uploadMaxBytes,
        maxSessionBytes: Math.max(4 * deps.config.messageMaxBytes, deps.config.uploadMaxBytes),
        maxSessionFiles: 200,
      },
      this.#log,
      deps.uploadDir,
    );
    this.#outbox = new Outbox((entry) => this.#deliver(entry));
    this.#sweeper = setInterval(() => this.#sweep(), 60_000);
    this.#sweeper.unref();
  }

  // -------------------------------------------------------------------------------------------
  // Frames
  // -------------------------------------------------------------------------------------------

  async handle(frame: ComposeFrame, ctx: { live: LiveSession; reply: Reply }): Promise<void> {
    const { live, reply } = ctx;
    const session = this.#session(live);
    switch (frame.type) {
      case "compose.send":
        return this.#send(session, frame, reply);
      case "compose.cancel":
        return this.#cancel(session, frame.id, frame.sendId, reply);
      case "draft.save":
        return this.#saveDraft(session, frame, reply);
      case "draft.discard":
        return this.#discardDraft(session, frame.id, frame.ref, reply);
      case "compose.context": {
        const draftsMailbox =
          frame.mode === "draft"
            ? await this.#roleMailbox(session, "drafts", false).catch(() => null)
            : null;
        const result = await session.imap.run((client) =>
          composeContext(client, {
            ref: frame.ref,
            mode: frame.mode,
            email: session.email,
            identities: this.identities.list(session.account),
            timeZone: frame.timeZone,
            draftsMailbox,
            maxDraftBytes: Math.ceil(this.#deps.config.messageMaxBytes * 1.5),
            storeAttachment: async (filename, type, data) => {
              const info = await this.uploads.add(session.key, filename, type, data);
              return {
                uploadId: info.uploadId,
                filename: info.filename,
                size: info.size,
                type: info.type,
              };
            },
          }),
        );
        reply({ type: "compose.context", id: frame.id, mode: frame.mode, ...result });
        return;
      }
      case "contacts.suggest": {
        const index = await this.#contacts(session);
        const own = this.identities.ownAddresses(session.account, session.email);
        reply({
          type: "contacts",
          id: frame.id,
          contacts: index.suggest(frame.prefix, frame.limit, own),
        });
        return;
      }
      case "identities.list":
        reply({
          type: "identities",
          id: frame.id,
          identities: this.identities.list(session.account),
        });
        return;
      case "identities.save": {
        const identities = this.identities.save(session.account, frame.identities);
        reply({ type: "identities", id: frame.id, identities });
        return;
      }
      default: {
        const unhandled: never = frame;
        void unhandled;
        throw new BridgeError("bad_request", "Unknown frame type.");
      }
    }
  }

  #session(live: LiveSession): ComposeSession {
    if (this.#closed) throw new BridgeError("unauthorized", "The bridge is shutting down.");
    let session = this.#sessions.get(live.key);
    if (!session) {
      session = {
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
      this.#sessions.set(live.key, session);
    }
    session.lastUsed = Date.now();
    return session;
  }

  /** The path of the session's Sent or Drafts mailbox (created when `create` and missing). */
  async #roleMailbox(session: ComposeSession, role: Role, create = true): Promise<string> {
    const known = session.roles.get(role);
    if (known) return known;
    const path = await session.imap.run((client) => findRoleMailbox(client, role, create));
    if (path === null)
      throw new BridgeError("mailbox_not_found", "This account has no such folder.");
    session.roles.set(role, path);
    return path;
  }

  // -------------------------------------------------------------------------------------------
  // Send, undo
  // -------------------------------------------------------------------------------------------

  #assertFromAllowed(session: ComposeSession, draft: TComposeDraft): void {
    const own = this.identities.ownAddresses(session.account, session.email);
    if (!own.has(draft.from.address.toLowerCase())) {
      throw new BridgeError(
        "bad_request",
        "The From address must be your own address or one of your identities.",
      );
    }
  }

  /** The uploads a draft names (each must still exist) and its total size, checked against the limit. */
  #checkAttachments(session: ComposeSession, draft: TComposeDraft): StoredUpload[] {
    const files: StoredUpload[] = [];
    let total = Buffer.byteLength(draft.text) + Buffer.byteLength(draft.html ?? "");
    for (const att of draft.attachments) {
      if ("uploadId" in att) {
        const file = this.uploads.get(session.key, att.uploadId);
        if (!file) {
          throw new BridgeError(
            "bad_request",
            `The attachment "${sanitizeFilename(att.filename)}" is no longer available; attach it again.`,
          );
        }
        files.push(file);
        total += file.size;
      } else {
        total += att.size;
      }
    }
    this.#assertWithinLimit(total);
    return files;
  }

  #assertWithinLimit(total: number): void {
    const limit = this.#deps.config.messageMaxBytes;
    if (total > limit) {
      throw new BridgeError(
        "too_large",
        `A message may carry at most ${Math.round(limit / (1024 * 1024))} MB of attachments.`,
      );
    }
  }

  async #send(
    session: ComposeSession,
    frame: Extract<ComposeFrame, { type: "compose.send" }>,
    reply: Reply,
  ): Promise<void> {
    const { draft } = frame;
    assertDraftHeaders(draft);
    this.#assertFromAllowed(session, draft);
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
    const uploads = this.#checkAttachments(session, draft);
    this.uploads.pin(uploads);
    const sendId = randomBytes(12).toString("base64url");
    const entry = this.#outbox.queue(
      session.key,
      sendId,
      { draft, draftUid: frame.draftUid, access, uploads, session },
      frame.delaySeconds * 1000,
    );
    reply({
      type: "compose.queued",
      id: frame.id,
      sendId,
      sendAt: new Date(entry.sendAt).toISOString(),
    });
  }

  async #cancel(session: ComposeSession, id: string, sendId: string, reply: Reply): Promise<void> {
    const result = this.#outbox.cancel(session.key, sendId);
    if (result.ok) {
      await this.uploads.unpin(session.key, result.item.uploads);
      reply({ type: "compose.cancelled", id, sendId, draft: result.item.draft });
      return;
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

  /** Sends one released message; reports the outcome to the session's sockets. */
  async #deliver(entry: OutboxEntry<QueuedSend>): Promise<"sent" | "failed"> {
    const { draft, access, session, uploads } = entry.item;
    const log = this.#log.child({
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
      const attachments = await this.#resolveAttachments(session, draft);
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
      await this.uploads.unpin(session.key, uploads, { remove: true });
      return "sent";
    } catch (err) {
      const failure = toSendFailure(err);
      if (failure.code === "internal") log.error({ err }, "sending failed");
      else log.info({ code: failure.code }, "sending failed");
      await this.uploads.unpin(session.key, uploads).catch(() => undefined);
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

  /** Bytes of every attachment of `draft`, within the message limit. */
  async #resolveAttachments(
    session: ComposeSession,
    draft: TComposeDraft,
  ): Promise<ResolvedAttachment[]> {
    const limit = this.#deps.config.messageMaxBytes;
    let total = 0;
    const out: ResolvedAttachment[] = [];
    const download = (ref: TMessageRef, part: string | undefined) =>
      session.imap.run((client) => downloadBytes(client, ref, part, Math.max(0, limit - total)));
    for (const att of draft.attachments) {
      const resolved = await this.#resolveAttachment(session, att, download);
      total += resolved.size;
      this.#assertWithinLimit(total);
      out.push(resolved);
    }
    return out;
  }

  async #resolveAttachment(
    session: ComposeSession,
    att: TComposeAttachment,
    download: (ref: TMessageRef, part: string | undefined) => Promise<Buffer>,
  ): Promise<ResolvedAttachment> {
    if ("uploadId" in att) {
      const file = this.uploads.get(session.key, att.uploadId);
      if (!file) {
        throw new BridgeError(
          "bad_request",
          "An attachment is no longer available; attach it again.",
        );
      }
      return {
        filename: sanitizeFilename(att.filename || file.filename),
        type: file.type,
        size: file.size,
        content: () => this.uploads.open(file),
      };
    }
    if ("forwardOf" in att) {
      const bytes = await download(att.forwardOf, undefined);
      let filename = sanitizeFilename(att.filename, "message.eml");
      if (!/\.eml$/i.test(filename)) filename = `${filename}.eml`;
      return { filename, type: "message/rfc822", size: bytes.length, content: bytes };
    }
    const bytes = await download(att.partOf, att.part);
    return {
      filename: sanitizeFilename(att.filename),
      type: sanitizeMimeType(att.type),
      size: bytes.length,
      content: bytes,
    };
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
  ): Promise<{
    sentCopy: TMessageRef | null;
    warnings: ("sent_copy_failed" | "original_not_flagged" | "draft_not_deleted")[];
  }> {
    const { session, draft, draftUid } = item;
    const warnings: ("sent_copy_failed" | "original_not_flagged" | "draft_not_deleted")[] = [];
    let sentCopy: TMessageRef | null = null;
    if (!this.#serverSavesSent(target)) {
      try {
        const sent = await this.#roleMailbox(session, "sent");
        sentCopy = await session.imap.run((client) =>
          appendMessage(client, sent, built.stored, ["\\Seen"], { messageId: built.messageId }),
        );
      } catch (err) {
        log.warn({ code: codeOf(err) }, "sent copy not saved");
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
          log.info({ code: codeOf(err) }, "original not flagged");
          return false;
        });
      // $Forwarded is a keyword the server may not allow; only a failed \Answered is worth saying.
      if (!ok && flag === "\\Answered") warnings.push("original_not_flagged");
    }
    if (draftUid) {
      const ok = await this.#roleMailbox(session, "drafts", false)
        .then((drafts) => session.imap.run((client) => deleteMessage(client, drafts, draftUid)))
        .catch(() => false);
      if (!ok) warnings.push("draft_not_deleted");
    }
    const now = Date.now();
    for (const addr of [...draft.to, ...draft.cc, ...draft.bcc]) {
      session.sentTo.set(addr.address.toLowerCase(), addr);
      session.contacts?.add(addr, WEIGHT.sentTo, now);
    }
    while (session.sentTo.size > 500) {
      const oldest = session.sentTo.keys().next().value;
      if (oldest === undefined) break;
      session.sentTo.delete(oldest);
    }
    return { sentCopy, warnings };
  }

  #serverSavesSent(target: ServerTarget): boolean {
    if (this.#deps.config.smtp !== null) return this.#deps.config.smtpSavesSent;
    return SAVES_SENT_HOSTS.has(target.host.toLowerCase());
  }

  // -------------------------------------------------------------------------------------------
  // Drafts
  // -------------------------------------------------------------------------------------------

  async #saveDraft(
    session: ComposeSession,
    frame: Extract<ComposeFrame, { type: "draft.save" }>,
    reply: Reply,
  ): Promise<void> {
    const { draft } = frame;
    assertDraftHeaders(draft);
    this.#checkAttachments(session, draft);
    const attachments = await this.#resolveAttachments(session, draft);
    const built = await buildMessage({
      draft,
      attachments,
      headers: draft.source ? { [SOURCE_HEADER]: encodeSourceHeader(draft.source) } : {},
    });
    const drafts = await this.#roleMailbox(session, "drafts");
    const saved = await session.imap
      .run((client) =>
        appendMessage(client, drafts, built.stored, ["\\Draft", "\\Seen"], {
          messageId: built.messageId,
        }),
      )
      .catch((err: unknown) => {
        if (isBridgeError(err) && err.code === "mailbox_not_found") session.roles.delete("drafts");
        throw err;
      });
    if (!saved) {
      throw new BridgeError(
        "server_refused",
        "The draft was saved but the mail server did not say where.",
      );
    }
    const replace = frame.replaceUid;
    if (replace && !(replace.uidValidity === saved.uidValidity && replace.uid === saved.uid)) {
      // the new copy is safe; a failure here leaves two copies, never none
      await session.imap
        .run((client) => deleteMessage(client, drafts, replace))
        .catch((err: unknown) =>
          this.#log.info({ code: codeOf(err) }, "previous draft not deleted"),
        );
    }
    reply({ type: "draft.saved", id: frame.id, ...saved });
  }

  async #discardDraft(
    session: ComposeSession,
    id: string,
    ref: TMessageRef,
    reply: Reply,
  ): Promise<void> {
    const drafts = await this.#roleMailbox(session, "drafts", false);
    if (ref.mailbox !== drafts) {
      throw new BridgeError("bad_request", "Only messages in Drafts can be discarded this way.");
    }
    const deleted = await session.imap.run((client: ImapFlow) =>
      withMailbox(client, drafts, { readOnly: false }, async (mb) => {
        assertUidValidity(mb, ref.uidValidity);
        return (await client.messageDelete(String(ref.uid), { uid: true })) === true;
      }),
    );
    if (!deleted)
      throw new BridgeError("server_refused", "The mail server did not delete the draft.");
    reply({ type: "ok", id });
  }

  // -------------------------------------------------------------------------------------------
  // Contacts
  // -------------------------------------------------------------------------------------------

  async #contacts(session: ComposeSession): Promise<ContactIndex> {
    const current = session.contacts;
    const stale = current === null || Date.now() - current.builtAt > CONTACTS_TTL_MS;
    if (stale && !session.contactsBuilding) {
      session.contactsBuilding = (async () => {
        const sent = await this.#roleMailbox(session, "sent", false).catch(() => null);
        const index = await session.imap.run((client) => buildContactIndex(client, sent));
        const now = Date.now();
        for (const addr of session.sentTo.values()) index.add(addr, WEIGHT.sentTo, now);
        session.contacts = index;
        return index;
      })().finally(() => {
        session.contactsBuilding = null;
      });
    }
    // A stale index answers at once while the new one builds; only the first build is awaited.
    if (current) {
      session.contactsBuilding?.catch((err: unknown) =>
        this.#log.info({ code: codeOf(err) }, "contact index not rebuilt"),
      );
      return current;
    }
    return session.contactsBuilding as Promise<ContactIndex>;
  }

  // -------------------------------------------------------------------------------------------
  // Uploads (HTTP)
  // -------------------------------------------------------------------------------------------

  /** Stores `body` as a new upload of the session (HTTP: bridge/src/http/uploads.ts). */
  receiveUpload(
    live: LiveSession,
    body: IncomingMessage,
    filename: string,
    type: string | undefined,
  ): Promise<TUploadInfo> {
    const session = this.#session(live);
    return this.uploads.receive(session.key, body, filename, type);
  }

  /** Removes one of the session's uploads; false when there is no such upload. */
  deleteUpload(live: LiveSession, uploadId: string): Promise<boolean> {
    return this.uploads.remove(live.key, uploadId);
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------------------------

  /**
   * The session ended (sign-out, expiry): what it still holds is sent now, then its uploads
   * and its IMAP connection go. Runs in the background; `close` waits for it.
   */
  endSession(key: string): void {
    const ending = (async () => {
      await this.#outbox.flush(key);
      const session = this.#sessions.get(key);
      this.#sessions.delete(key);
      await session?.imap.close();
      await this.uploads.dropSession(key);
      this.#outbox.forget(key);
    })()
      .catch((err: unknown) => this.#log.warn({ err }, "ending a compose session failed"))
      .finally(() => this.#ending.delete(ending));
    this.#ending.add(ending);
  }

  /** Messages held for a session (tests, metrics). */
  pendingCount(key?: string): number {
    return key === undefined ? this.#outbox.size : this.#outbox.pending(key).length;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, session] of this.#sessions) {
      if (!this.#deps.isLive(key) && this.#outbox.pending(key).length === 0) {
        this.endSession(key);
        continue;
      }
      // an index nobody asked for in a while is rebuilt on demand
      if (session.contacts && now - session.lastUsed > 3 * CONTACTS_TTL_MS) session.contacts = null;
    }
  }

  /** Sends everything held (shutdown: the users pressed Send), then removes every upload. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    await this.#outbox.flush();
    await Promise.allSettled([...this.#ending]);
    await Promise.allSettled([...this.#sessions.values()].map((s) => s.imap.close()));
    this.#sessions.clear();
    await this.uploads.close();
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

function codeOf(err: unknown): string {
  return isBridgeError(err) ? err.code : "internal";
}
