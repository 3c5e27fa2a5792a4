/**
 * The IMAP side of snoozing: the Snoozed folder (created and subscribed on demand), reading what
 * a snoozed message looks like in the list before it goes, and bringing one back to the Inbox
 * unread. Bringing back is safe to repeat: a message no longer in the Snoozed folder (already
 * woken, or moved away by the user in another client) is left where it is.
 */
import { SNOOZED_FOLDER, type TAddress, type TUidSet } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { assertUidValidity, packUids, uidValidityOf, withMailbox } from "../imap/mailbox-access";
import { invalidateWindowCache } from "../imap/window";

export interface SnoozedMessage {
  uid: number;
  subject: string;
  from: TAddress[];
  date: string | null;
  messageId: string | null;
}

/** Creates the Snoozed folder when it is missing, and subscribes to it. Returns its path. */
export async function ensureSnoozedFolder(client: ImapFlow): Promise<string> {
  const list = await client.list();
  const found = list.find((m) => m.path === SNOOZED_FOLDER);
  if (!found) {
    await client.mailboxCreate(SNOOZED_FOLDER);
    await client.mailboxSubscribe(SNOOZED_FOLDER).catch(() => false);
  } else if (!found.subscribed) {
    await client.mailboxSubscribe(SNOOZED_FOLDER).catch(() => false);
  }
  return SNOOZED_FOLDER;
}

/** The envelopes of `set` (its UIDVALIDITY checked), in UID order; missing UIDs left out. */
export async function readSnoozed(client: ImapFlow, set: TUidSet): Promise<SnoozedMessage[]> {
  return withMailbox(client, set.mailbox, {}, async (mailbox) => {
    assertUidValidity(mailbox, set.uidValidity);
    const out: SnoozedMessage[] = [];
    for await (const msg of client.fetch(
      packUids(set.uids),
      { uid: true, envelope: true },
      { uid: true },
    )) {
      const env = msg.envelope;
      out.push({
        uid: msg.uid,
        subject: env?.subject ?? "",
        from: (env?.from ?? []).map((a) => ({ name: a.name ?? "", address: a.address ?? "" })),
        date: env?.date ? new Date(env.date).toISOString() : null,
        messageId: env?.messageId ?? null,
      });
    }
    return out.sort((a, b) => a.uid - b.uid);
  });
}

/** Where a snoozed message waits: its UID in the Snoozed folder, and its Message-ID. */
export interface WaitingMessage {
  uidValidity: number;
  uid: number;
  messageId: string | null;
}

/**
 * Moves the message back to INBOX without \Seen (it arrives last, so at the top of the list).
 * Found by UID while the folder's UIDVALIDITY is unchanged, else by Message-ID. Returns false
 * when it is not in the Snoozed folder (any more).
 */
export async function wakeMessage(client: ImapFlow, waiting: WaitingMessage): Promise<boolean> {
  let exists = true;
  const moved = await withMailbox(client, SNOOZED_FOLDER, {}, async (mailbox) => {
    let uid: number | undefined;
    if (uidValidityOf(mailbox) === waiting.uidValidity && waiting.uid > 0) {
      const hit = await client.search({ uid: String(waiting.uid) }, { uid: true });
      if (Array.isArray(hit) && hit.length > 0) uid = waiting.uid;
    }
    if (uid === undefined && waiting.messageId) {
      const hit = await client.search(
        { header: { "message-id": waiting.messageId } },
        { uid: true },
      );
      if (Array.isArray(hit) && hit.length > 0) uid = hit[0];
    }
    if (uid === undefined) return false;
    await client.messageFlagsRemove(String(uid), ["\\Seen"], { uid: true });
    await client.messageMove(String(uid), "INBOX", { uid: true });
    return true;
  }).catch((err: unknown) => {
    if (isMissingFolder(err)) {
      exists = false;
      return false;
    }
    throw err;
  });
  if (moved || !exists) {
    invalidateWindowCache(client, SNOOZED_FOLDER);
    invalidateWindowCache(client, "INBOX");
  }
  return moved;
}

function isMissingFolder(err: unknown): boolean {
  return (
    typeof err === "object" && err !== null && "code" in err && err.code === "mailbox_not_found"
  );
}
