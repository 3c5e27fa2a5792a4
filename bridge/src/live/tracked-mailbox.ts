/**
 * What a watcher knows about the mailbox it watches (Tracked), as a SELECT/EXAMINE leaves it,
 * and the mailbox's revisions (ZRevision): every list event carries where it stands in the
 * mailbox's history. Where the mailbox has CONDSTORE the numbers are its mod-sequences as the
 * watcher's connection knows them (imapflow raises its HIGHESTMODSEQ with every MODSEQ the
 * server sends, new rows' included); otherwise, or with `counterRevisions`, a counter that starts
 * over (with a new source) at every SELECT. What the connection's view holds beyond what the
 * watcher has accounted for (unaccounted) is how a watcher finds mail it was never told about.
 */
import { randomBytes } from "node:crypto";
import type { TEventRevision, TOpenedMailbox } from "@ferry/protocol";
import type { ImapFlow, MailboxObject } from "imapflow";
import { UidList } from "./uid-list";

/** What a SELECT/EXAMINE answered, as `mailbox.opened` carries it. */
export type OpenedMailbox = TOpenedMailbox;

/** What is known about the watched mailbox. */
export interface Tracked {
  path: string;
  /** The access mode asked for (the server may still answer READ-ONLY). */
  readOnly: boolean;
  uidValidity: number;
  /** Every message below this UID has been reported (or was there when the mailbox was opened). */
  uidNext: number;
  /**
   * The message count the watcher has accounted for: as the SELECT answered it, then as each
   * EXISTS, EXPUNGE or VANISHED it recorded, or each look for new mail, left it.
   */
  exists: number;
  /** Every change up to this mod-sequence has been reported; null without CONDSTORE. */
  modseq: bigint | null;
  /** Sequence → UID map, only when the connection has no QRESYNC. */
  uids: UidList | null;
  /** False while `uids` may not match the server's numbering (during a resync). */
  positionsValid: boolean;
  /** ZRevision source of the events: `modseq:<uidValidity>` or `bridge:<id>`. */
  revSource: string;
  /** Revision of the last event emitted (or of the SELECT). */
  rev: number;
}

/**
 * What is known right after a SELECT. Without QRESYNC `uids` holds only pending entries: the
 * caller loads the UID list with a resync.
 */
export async function trackMailbox(
  client: ImapFlow,
  mb: MailboxObject,
  readOnly: boolean,
  counterRevisions: boolean,
): Promise<Tracked> {
  let uidNext = mb.uidNext;
  if (!(uidNext > 0)) {
    // No UIDNEXT in the SELECT answer: one past the highest UID there is.
    const last = mb.exists > 0 ? await client.fetchOne("*", { uid: true }) : false;
    uidNext = last ? last.uid + 1 : 1;
  }
  const modseq = client.enabled.has("CONDSTORE") && !counterRevisions ? safeModseq(mb) : null;
  const t: Tracked = {
    path: mb.path,
    readOnly,
    uidValidity: Number(mb.uidValidity),
    uidNext,
    exists: mb.exists,
    modseq: mb.noModseq ? null : (mb.highestModseq ?? null),
    uids: null,
    positionsValid: true,
    revSource:
      modseq === null
        ? `bridge:${randomBytes(6).toString("base64url")}`
        : `modseq:${Number(mb.uidValidity)}`,
    rev: modseq ?? 0,
  };
  if (!client.enabled.has("QRESYNC")) {
    t.uids = new UidList();
    t.uids.addPending(mb.exists);
  }
  return t;
}

/**
 * What the connection knows of the mailbox that `t` does not account for: more messages than
 * counted ("count"), or a UIDNEXT past `t`'s ("uids": a UID seen in some answer but never
 * reported). Either means mail may have come in without its EXISTS reaching the watcher.
 */
export function unaccounted(client: ImapFlow, t: Tracked): "count" | "uids" | null {
  const mb = client.mailbox;
  if (!mb || mb.path !== t.path) return null;
  if (mb.exists > t.exists) return "count";
  if (mb.uidNext > t.uidNext) return "uids";
  return null;
}

/** The revision of the next event: the mod-sequence now known, or the counter's next step. */
export function nextRevision(client: ImapFlow, t: Tracked): TEventRevision {
  const since = t.rev;
  const known = t.revSource.startsWith("modseq:") ? safeModseq(client.mailbox) : null;
  t.rev = known === null ? since + 1 : Math.max(since, known);
  return { source: t.revSource, since, n: t.rev };
}

/** HIGHESTMODSEQ as this connection knows it, when the mailbox has one that JSON carries exactly. */
function safeModseq(mb: MailboxObject | false): number | null {
  if (!mb || mb.noModseq || mb.highestModseq === undefined) return null;
  return mb.highestModseq <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(mb.highestModseq) : null;
}

/** The `mailbox.opened` fields of a SELECT/EXAMINE answer, for the mode asked. */
export function opened(mb: MailboxObject, askedReadOnly: boolean): OpenedMailbox {
  const readOnly = askedReadOnly || mb.readOnly === true;
  return {
    mailbox: mb.path,
    uidValidity: Number(mb.uidValidity),
    exists: mb.exists,
    readOnly,
    permanentFlags: readOnly ? [] : [...(mb.permanentFlags ?? mb.flags ?? [])],
  };
}

/** The mailbox's message count as the connection knows it now. */
export function currentTotal(client: ImapFlow, t: Tracked): number {
  if (client.mailbox) return client.mailbox.exists;
  return t.uids?.length ?? 0;
}
