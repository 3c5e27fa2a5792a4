/**
 * What the bridge already served of a folder's conversations (KnownConversations, one per
 * ConversationCache: knownOf): the Message-IDs of the rows' members and the ids they reference,
 * each to the UID of a member in the folder, and the last row served of each conversation (by
 * its newest UID). With them the live push moves a conversation's row at once when a new
 * message references one of those ids (withArrival makes its row), before the server is asked;
 * the order cache checks that placement against the folder afterwards (order.ts, placeKnown).
 * Kept per folder and UIDVALIDITY, bounded (the oldest forgotten first). The rows served also say
 * which messages of another folder (the user's Sent) they count (heldIn): a flag change there
 * reaches the rows that hold it, and only those. And a conversation whose messages in the folder
 * were all read with one base subject (RFC 5256) is found by it (memberBySubject): the server's
 * THREAD=REFERENCES joins a message that references nothing to the conversation whose root has
 * its base subject (Dovecot does, "Re:" and "Fwd:" removed), so such an arrival is placed at once
 * too.
 */
import type { TConversationRow, TMessageRow } from "@ferry/protocol";
import { keyOf } from "./order-entry";

/** Ids remembered per folder. */
const MAX_IDS = 20_000;
/** Rows remembered per folder. */
const MAX_ROWS = 2_000;

interface Folder {
  uidValidity: number;
  /** Message-ID → UID of a member of its conversation in the folder. */
  ids: Map<string, number>;
  /** Newest UID in the folder → the conversation's row as last served. */
  rows: Map<number, TConversationRow>;
  /** Newest UID → the one base subject of all its messages in the folder (null: not one). */
  subjects: Map<number, string | null>;
  /** Base subject → the newest UID of a conversation all of whose messages have it. */
  bySubject: Map<string, number>;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

export class KnownConversations {
  private readonly folders = new Map<string, Folder>();

  private folder(path: string, uidValidity: number): Folder {
    const key = keyOf(path);
    let f = this.folders.get(key);
    if (!f || f.uidValidity !== uidValidity) {
      f = {
        uidValidity,
        ids: new Map(),
        rows: new Map(),
        subjects: new Map(),
        bySubject: new Map(),
      };
      this.folders.set(key, f);
    }
    return f;
  }

  /**
   * `row` was served: its members' `ids` (theirs and those they reference) lead to it, and, when
   * all its messages in the folder have one base subject, `subject` (that base; else null).
   */
  note(
    path: string,
    uidValidity: number,
    row: TConversationRow,
    ids: Iterable<string>,
    subject: string | null,
  ): void {
    const member = row.uids[0];
    if (member === undefined) return;
    const f = this.folder(path, uidValidity);
    for (const id of ids) remember(f.ids, id, member, MAX_IDS);
    remember(f.rows, member, row, MAX_ROWS);
    remember(f.subjects, member, subject, MAX_ROWS);
    if (subject !== null && subject !== "") remember(f.bySubject, subject, member, MAX_ROWS);
  }

  /** The one base subject of the served conversation whose newest UID is `newest` (else null). */
  subjectOf(path: string, uidValidity: number, newest: number): string | null {
    const f = this.folders.get(keyOf(path));
    return f && f.uidValidity === uidValidity ? (f.subjects.get(newest) ?? null) : null;
  }

  /**
   * The UID of a folder member of the served conversation all of whose messages have base
   * subject `base`, as last noted (the caller checks that it still has: subjectOf its newest).
   */
  memberBySubject(path: string, uidValidity: number, base: string): number | null {
    const f = this.folders.get(keyOf(path));
    if (!f || f.uidValidity !== uidValidity || base === "") return null;
    return f.bySubject.get(base) ?? null;
  }

  /**
   * The UID of a folder member in the one served conversation that `ids` lead to; null when
   * none does, or more than one.
   */
  memberOf(
    path: string,
    uidValidity: number,
    ids: readonly string[],
    conversationOf: (uid: number) => object | null,
  ): number | null {
    const f = this.folders.get(keyOf(path));
    if (!f || f.uidValidity !== uidValidity) return null;
    let found: { uid: number; conversation: object } | null = null;
    for (const id of ids) {
      const uid = f.ids.get(id);
      if (uid === undefined) continue;
      const conversation = conversationOf(uid);
      if (conversation === null) continue;
      if (found && found.conversation !== conversation) return null;
      found ??= { uid, conversation };
    }
    return found?.uid ?? null;
  }

  /** Whether `id` is one the served rows know (a member's own, or one referenced). */
  knows(path: string, uidValidity: number, id: string): boolean {
    const f = this.folders.get(keyOf(path));
    return f !== undefined && f.uidValidity === uidValidity && f.ids.has(id);
  }

  /**
   * Of the rows served of `path`'s conversations, those that count messages of `mailbox` (of
   * UIDVALIDITY `uidValidity`): each such message's UID there to the newest UIDs in `path` of
   * the rows that count it.
   */
  heldIn(path: string, mailbox: string, uidValidity: number): Map<number, number[]> {
    const out = new Map<number, number[]>();
    const f = this.folders.get(keyOf(path));
    if (!f) return out;
    for (const [newest, row] of f.rows) {
      for (const ref of row.elsewhere) {
        if (ref.mailbox !== mailbox || ref.uidValidity !== uidValidity) continue;
        const rows = out.get(ref.uid) ?? [];
        rows.push(newest);
        out.set(ref.uid, rows);
      }
    }
    return out;
  }

  /** The row last served of the conversation whose newest UID in the folder is `newest`. */
  row(path: string, uidValidity: number, newest: number): TConversationRow | undefined {
    const f = this.folders.get(keyOf(path));
    return f && f.uidValidity === uidValidity ? f.rows.get(newest) : undefined;
  }
}

const perCache = new WeakMap<object, KnownConversations>();

/** The served conversations of the order cache `cache` (made at the first call). */
export function knownOf(cache: object): KnownConversations {
  let known = perCache.get(cache);
  if (!known) {
    known = new KnownConversations();
    perCache.set(cache, known);
  }
  return known;
}

/** Whether a date (ISO) is not older than another (an unknown date counts as oldest). */
function notOlder(a: string | null, b: string | null): boolean {
  return (Date.parse(a ?? "") || 0) >= (Date.parse(b ?? "") || 0);
}

/**
 * The row of conversation `row` once `arrival` (its newest message in the folder) joined it,
 * with `uids` its UIDs there now (newest first; counted and listed as the row lists them):
 * the arrival's row is its newest, its subject and date the arrival's unless an older message
 * is dated later, its sender added to the participants, its flags and markers counted.
 */
export function withArrival(
  row: TConversationRow,
  arrival: TMessageRow,
  uids: readonly number[],
  me: readonly string[],
  listed: number,
): TConversationRow {
  const mine = new Set(me.map((a) => a.toLowerCase()));
  const participants = [...row.participants];
  for (const a of arrival.from) {
    const key = a.address.toLowerCase();
    if (key === "" || participants.some((p) => p.address.toLowerCase() === key)) continue;
    participants.push({ name: a.name, address: a.address, me: mine.has(key) });
  }
  const latest = notOlder(arrival.date, row.date);
  return {
    ...row,
    newest: arrival,
    uids: uids.slice(0, listed),
    count: uids.length + row.elsewhere.length,
    participants,
    subject: latest ? arrival.subject : row.subject,
    date: latest ? arrival.date : row.date,
    unread: row.unread || !arrival.flags.includes("\\Seen"),
    starred: row.starred || arrival.flags.includes("\\Flagged"),
    hasAttachments: row.hasAttachments || arrival.hasAttachments,
    hasDraft: row.hasDraft || arrival.flags.includes("\\Draft"),
  };
}
