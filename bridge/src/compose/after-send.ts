/**
 * What follows a message SMTP accepted, over the session's IMAP connection: its copy filed in
 * Sent (unless the submission server files it itself), the original marked \Answered or
 * $Forwarded, the saved draft deleted, the recipients remembered. Each failure is a warning of
 * `compose.sent`, never a failed send: the message itself went out.
 */
import type { TComposeDraft, TMessageRef, TServerFrame, TUidRef } from "@ferry/protocol";
import type { Config, ServerTarget } from "../config";
import { errorCodeOf } from "../errors";
import type { Logger } from "../log";
import type { BuiltMessage } from "./build";
import { appendMessage, deleteMessage, flagOriginal } from "./imap";
import { type ComposeSession, rememberRecipients, roleMailbox } from "./session";

/**
 * SMTP submission hosts known to file sent mail in Sent themselves: no APPEND (it would make
 * a second copy). Pinned servers say so with FERRY_SMTP_SAVES_SENT.
 */
export const SAVES_SENT_HOSTS = new Set([
  "smtp.gmail.com",
  "smtp.office365.com",
  "smtp-mail.outlook.com",
]);

export type SendWarning = Extract<TServerFrame, { type: "compose.sent" }>["warnings"][number];

/** Whether the submission server `target` files sent mail in Sent itself. */
export function serverSavesSent(config: Config, target: ServerTarget): boolean {
  if (config.smtp !== null) return config.smtpSavesSent;
  return SAVES_SENT_HOSTS.has(target.host.toLowerCase());
}

/**
 * What follows a sent message: its copy in Sent (\Seen), the original marked \Answered or
 * $Forwarded, the saved draft deleted, the recipients remembered. Failures become warnings:
 * the message itself went out.
 */
export async function afterSend(
  session: ComposeSession,
  draft: TComposeDraft,
  draftUid: TUidRef | null,
  built: BuiltMessage,
  savesSent: boolean,
  log: Logger,
): Promise<{ sentCopy: TMessageRef | null; warnings: SendWarning[] }> {
  const warnings: SendWarning[] = [];
  let sentCopy: TMessageRef | null = null;
  if (!savesSent) {
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
