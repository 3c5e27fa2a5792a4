/**
 * Drafts in the account's Drafts folder. Saving builds the whole message (attachments included,
 * the reply/forward it answers in a header of its own) and APPENDs it \Draft \Seen, then deletes
 * the copy it replaces: a failure there leaves two copies, never none. Discarding deletes a
 * saved draft, and only from Drafts.
 */
import type { TComposeDraft, TMessageRef, TUidRef } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { BridgeError, errorCodeOf, isBridgeError } from "../errors";
import { assertUidValidity, withMailbox } from "../imap/mailbox-access";
import type { Logger } from "../log";
import { checkAttachments, resolveAttachments } from "./attachments";
import { buildMessage } from "./build";
import { encodeSourceHeader, SOURCE_HEADER } from "./context";
import { assertDraftHeaders } from "./headers";
import { appendMessage, deleteMessage } from "./imap";
import { type ComposeSession, roleMailbox } from "./session";
import type { UploadStore } from "./uploads";

export interface DraftDeps {
  uploads: UploadStore;
  /** The message limit (config.messageMaxBytes). */
  messageMaxBytes: number;
  log: Logger;
}

/** Saves `draft` to Drafts in place of `replaceUid`; where the new copy is. */
export async function saveDraft(
  deps: DraftDeps,
  session: ComposeSession,
  draft: TComposeDraft,
  replaceUid: TUidRef | null,
): Promise<TMessageRef> {
  assertDraftHeaders(draft);
  checkAttachments(deps.uploads, session.key, draft, deps.messageMaxBytes);
  const attachments = await resolveAttachments(deps.uploads, session, draft, deps.messageMaxBytes);
  const built = await buildMessage({
    draft,
    attachments,
    headers: draft.source ? { [SOURCE_HEADER]: encodeSourceHeader(draft.source) } : {},
  });
  const drafts = await roleMailbox(session, "drafts");
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
  if (
    replaceUid &&
    !(replaceUid.uidValidity === saved.uidValidity && replaceUid.uid === saved.uid)
  ) {
    await session.imap
      .run((client) => deleteMessage(client, drafts, replaceUid))
      .catch((err: unknown) =>
        deps.log.info({ code: errorCodeOf(err) }, "previous draft not deleted"),
      );
  }
  return saved;
}

/** Deletes the saved draft `ref`, which must be in the session's Drafts folder. */
export async function discardDraft(session: ComposeSession, ref: TMessageRef): Promise<void> {
  const drafts = await roleMailbox(session, "drafts", false);
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
}
