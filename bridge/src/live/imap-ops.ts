/**
 * The IMAP commands the live layer's connections run outside a watcher's bookkeeping: opening a
 * mailbox with its failures as BridgeErrors, listing every UID, and logging a connection out
 * without ever throwing.
 */
import type { ImapFlow, MailboxObject } from "imapflow";
import { BridgeError } from "../errors";
import { connectionLost, isMailboxMissing } from "../imap/errors";
import { UidList } from "./uid-list";
import { iterateSequenceSet } from "./uid-set";

/**
 * SELECTs (EXAMINEs when `readOnly`) `path`, with QRESYNC's (uidvalidity modseq) when `since` is
 * given. mailbox_not_found for a mailbox that does not exist, connection_lost when the
 * connection went, server_refused otherwise.
 */
export async function selectMailbox(
  client: ImapFlow,
  path: string,
  readOnly: boolean,
  since: { uidValidity: number; modseq: bigint | null } | null,
): Promise<MailboxObject> {
  const qresync =
    since && since.modseq !== null
      ? { uidValidity: BigInt(since.uidValidity), changedSince: since.modseq }
      : {};
  try {
    return await client.mailboxOpen(path, { readOnly, ...qresync });
  } catch (err) {
    if (isMailboxMissing(err)) {
      throw new BridgeError("mailbox_not_found", "That folder does not exist.", { cause: err });
    }
    if (!client.usable) throw connectionLost(err);
    throw new BridgeError("server_refused", "The mail server would not open that folder.", {
      cause: err,
    });
  }
}

/** Every UID of the selected mailbox; compact (ESEARCH ALL) where the server has it. */
export async function allUids(client: ImapFlow): Promise<UidList> {
  const answer = await client.search({ all: true }, { uid: true, returnOptions: ["ALL"] });
  if (Array.isArray(answer)) return UidList.from(answer);
  if (answer && typeof answer === "object") {
    return UidList.from(answer.all ? iterateSequenceSet(answer.all) : []);
  }
  throw new Error("UID SEARCH ALL failed");
}

/** Logs `client` out (bounded wait) and closes its socket; never throws. */
export async function closeQuietly(client: ImapFlow | null, timeoutMs = 2000): Promise<void> {
  if (!client) return;
  if (client.usable) {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.logout(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
    } catch {
      // logging out of a dying connection: nothing to do
    } finally {
      clearTimeout(timer);
    }
  }
  try {
    client.close();
  } catch {
    // already closed
  }
}
