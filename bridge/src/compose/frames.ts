/**
 * The compose frames of one session, answered to the socket that asked; each answer is checked
 * by the compiler against the protocol's REPLIES. `compose.send`, `compose.cancel` and
 * `scheduled.*` go to the durable outbox (sending.ts), `draft.save` and `draft.discard` to Drafts (drafts.ts),
 * `compose.context` prepares a reply, forward or saved draft (context.ts), `contacts.suggest`
 * answers from the session's address book and `identities.*` from the account's identities.
 */
import type {
  TComposeClientFrame,
  TComposeDraft,
  TReplyFrameOf,
  TServerFrame,
} from "@ferry/protocol";
import { BridgeError } from "../errors";
import { composeContext } from "./context";
import { type DraftDeps, discardDraft, saveDraft } from "./drafts";
import type { IdentityStore } from "./identities";
import type { Sender } from "./sending";
import { type ComposeSession, contactsOf, roleMailbox } from "./session";

export interface ComposeFrameDeps extends DraftDeps {
  sender: Sender;
  identities: IdentityStore;
}

export async function answerComposeFrame(
  frame: TComposeClientFrame,
  session: ComposeSession,
  reply: (frame: TServerFrame) => void,
  deps: ComposeFrameDeps,
): Promise<void> {
  const { identities } = deps;
  /** Sends one of the frames the protocol lets `request` be answered with. */
  const answer = <F extends TComposeClientFrame>(_request: F, out: TReplyFrameOf<F["type"]>) =>
    reply(out);
  switch (frame.type) {
    case "compose.send": {
      await deps.uploads.restore(session.key, uploadIds(frame.draft));
      const { sendId, sendAt } = await deps.sender.queue(
        session,
        frame.draft,
        frame.draftUid,
        frame.sendAt === undefined
          ? { delaySeconds: frame.delaySeconds }
          : { sendAt: Date.parse(frame.sendAt) },
      );
      answer(frame, {
        type: "compose.queued",
        id: frame.id,
        sendId,
        sendAt: new Date(sendAt).toISOString(),
      });
      return;
    }
    case "scheduled.list":
      answer(frame, {
        type: "scheduled",
        id: frame.id,
        messages: await deps.sender.scheduled(session),
      });
      return;
    case "scheduled.sendNow":
      await deps.sender.sendNow(session, frame.sendId);
      answer(frame, { type: "ok", id: frame.id });
      return;
    case "compose.cancel": {
      const draft = await deps.sender.cancel(session, frame.sendId);
      answer(frame, { type: "compose.cancelled", id: frame.id, sendId: frame.sendId, draft });
      return;
    }
    case "draft.save": {
      await deps.uploads.restore(session.key, uploadIds(frame.draft));
      const saved = await saveDraft(deps, session, frame.draft, frame.replaceUid);
      answer(frame, { type: "draft.saved", id: frame.id, ...saved });
      return;
    }
    case "draft.discard":
      await discardDraft(session, frame.ref);
      answer(frame, { type: "ok", id: frame.id });
      return;
    case "compose.context": {
      const draftsMailbox =
        frame.mode === "draft"
          ? await roleMailbox(session, "drafts", false).catch(() => null)
          : null;
      const ownIdentities = await identities.list(session.account);
      const result = await session.imap.run((client) =>
        composeContext(client, {
          ref: frame.ref,
          mode: frame.mode,
          email: session.email,
          identities: ownIdentities,
          timeZone: frame.timeZone,
          draftsMailbox,
          maxDraftBytes: Math.ceil(deps.messageMaxBytes * 1.5),
          storeAttachment: async (filename, type, data) => {
            const info = await deps.uploads.add(session.key, filename, type, data);
            return {
              uploadId: info.uploadId,
              filename: info.filename,
              size: info.size,
              type: info.type,
            };
          },
        }),
      );
      answer(frame, { type: "compose.context", id: frame.id, mode: frame.mode, ...result });
      return;
    }
    case "contacts.suggest": {
      const index = await contactsOf(session, deps.log);
      const own = await identities.ownAddresses(session.account, session.email);
      answer(frame, {
        type: "contacts",
        id: frame.id,
        contacts: index.suggest(frame.prefix, frame.limit, own),
      });
      return;
    }
    case "identities.list":
      answer(frame, {
        type: "identities",
        id: frame.id,
        identities: await identities.list(session.account),
      });
      return;
    case "identities.save":
      answer(frame, {
        type: "identities",
        id: frame.id,
        identities: await identities.save(session.account, frame.identities),
      });
      return;
    default: {
      const unhandled: never = frame;
      void unhandled;
      throw new BridgeError("bad_request", "Unknown frame type.");
    }
  }
}

/** The uploads a draft names (an upload of another bridge is fetched before it is checked). */
function uploadIds(draft: TComposeDraft): string[] {
  return draft.attachments.flatMap((a) => ("uploadId" in a ? [a.uploadId] : []));
}
