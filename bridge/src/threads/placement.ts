/**
 * Placing new messages in a folder's kept conversation order (order.ts) without a THREAD: reading
 * the arrivals (one UID FETCH of their envelopes and References), finding for each the
 * conversation a fresh THREAD would put it in (placeOf), and checking later that the older
 * messages agree with arrivals placed by the newest ones only (olderAgree).
 *
 * For each arrival, one UID SEARCH asks the server which older messages share an id with it (its
 * Message-ID, the ids it references) and, when none does, another which have the words of its
 * base subject; their headers, read then, decide. A message linked to exactly one conversation
 * joins it; a message linked to none, whose base subject no older message has, starts one; one
 * whose base subject older messages have joins their conversation when they are all in one and
 * all its messages have that base subject (as THREAD's subject merging joins it: allOfSubject).
 * Anything else (a message linking two conversations, one that older messages were waiting for,
 * one whose subject could merge it with an unrelated conversation, too many ids or candidates)
 * is answered with undefined or false: only a THREAD can place it, and the caller rebuilds.
 * Nothing of a SEARCH crosses the wire but the few matches.
 */
import type { ImapFlow, SearchObject } from "imapflow";
import { baseSubject } from "./base-subject";
import type { Conversation } from "./order-entry";
import { messageIds } from "./references";
import { referencesOf } from "./server-thread";

/** Ids of one message looked up (a longer References rebuilds). */
const MAX_IDS = 100;
/** Older messages that could matter to one arrival, read one by one (more rebuild). */
const MAX_CANDIDATES = 200;

/**
 * An arrival placed by the newest messages only, or by the rows served (order.ts, placeKnown):
 * what the rest of the folder must not change.
 */
export interface Placed {
  arrival: Arrival;
  /** The conversation it joined; null: it started one. */
  into: Conversation | null;
  /** Older messages that were read to place it (with those found later, at most MAX_CANDIDATES). */
  read: number;
  /** The messages below this UID are not looked at yet. */
  below: number;
}

/** One new message, as placing it needs. */
export interface Arrival {
  uid: number;
  messageId: string | null;
  refs: string[];
  subject: string;
}

/**
 * The messages from UID `uidNext` on (the folder selected on `client`) that `known` does not
 * hold, as placing them needs.
 */
export async function arrivalsOf(
  client: ImapFlow,
  uidNext: number,
  known: ReadonlyMap<number, unknown> | null,
): Promise<Arrival[]> {
  const arrivals: Arrival[] = [];
  for await (const m of client.fetch(
    `${uidNext}:*`,
    { uid: true, envelope: true, headers: ["references"] },
    { uid: true },
  )) {
    if (m.uid < uidNext || known?.has(m.uid)) continue;
    const references = messageIds(referencesOf(m.headers));
    arrivals.push({
      uid: m.uid,
      messageId: messageIds(m.envelope?.messageId)[0] ?? null,
      refs: references.length > 0 ? references : messageIds(m.envelope?.inReplyTo).slice(0, 1),
      subject: m.envelope?.subject ?? "",
    });
  }
  return arrivals;
}

function header(name: string, id: string): SearchObject {
  return { header: { [name]: `<${id}>` } };
}

function anyOf(terms: SearchObject[]): SearchObject {
  return terms.length === 1 ? (terms[0] as SearchObject) : { or: terms };
}

/** What placing a message needs of an older one. */
interface Candidate {
  uid: number;
  messageId: string | null;
  mentions: string[];
  subject: string;
}

/** Envelope ids and the References of `uids` (few: the candidates of one arrival). */
async function candidates(client: ImapFlow, uids: number[]): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for await (const m of client.fetch(
    uids.join(","),
    { uid: true, envelope: true, headers: ["references"] },
    { uid: true },
  )) {
    const references = messageIds(referencesOf(m.headers));
    out.push({
      uid: m.uid,
      messageId: messageIds(m.envelope?.messageId)[0] ?? null,
      // As threading reads them: References, else the first id of In-Reply-To.
      mentions: references.length > 0 ? references : messageIds(m.envelope?.inReplyTo).slice(0, 1),
      subject: m.envelope?.subject ?? "",
    });
  }
  return out;
}

/** The ids `m` is threaded by: its Message-ID and those it references. */
function idsOf(m: Arrival): string[] {
  return m.messageId === null ? m.refs : [m.messageId, ...m.refs];
}

/** Older messages that share an id with `ids` (their Message-ID, References or In-Reply-To). */
function sharingAnId(ids: string[]): SearchObject {
  return anyOf(
    ids.flatMap((id) => [
      header("message-id", id),
      header("references", id),
      header("in-reply-to", id),
    ]),
  );
}

/**
 * What older message `c` says of `m`: undefined when only a THREAD can place `m` (the same id,
 * or `c` was waiting for it), true when it links `m` (an id `m` references), else false.
 */
function linkOf(c: Candidate, m: Arrival, refs: ReadonlySet<string>): boolean | undefined {
  if (m.messageId !== null && (c.messageId === m.messageId || c.mentions.includes(m.messageId)))
    return undefined;
  return (c.messageId !== null && refs.has(c.messageId)) || c.mentions.some((r) => refs.has(r));
}

/**
 * The conversation `m` joins (into; null: it starts one), how many older messages were read to
 * say so, and whether all older messages were looked at (whole), or undefined when only a THREAD
 * can say. Looks at the older messages from UID `near` on (1: all of them): one UID SEARCH finds
 * those that share an id with `m` (its Message-ID, the ids it references); only when none links
 * it, a second one those with the words of its base subject. Their headers, read then, decide.
 * A reply that none of those from `near` on links is looked up among all of them.
 */
export async function placeOf(
  client: ImapFlow,
  byUid: Map<number, Conversation>,
  m: Arrival,
  near: number,
): Promise<{ into: Conversation | null; read: number; whole: boolean } | undefined> {
  if (m.refs.length > MAX_IDS) return undefined;
  if (near >= m.uid) return { into: null, read: 0, whole: near <= 1 };
  const older = `${near}:${m.uid - 1}`;
  const ids = idsOf(m);
  let read = 0;
  if (ids.length > 0) {
    const found = await client.search({ uid: older, ...sharingAnId(ids) }, { uid: true });
    if (!found || found.length > MAX_CANDIDATES) return undefined;
    read = found.length;
    const refs = new Set(m.refs);
    const linked = new Set<Conversation>();
    for (const c of found.length > 0 ? await candidates(client, found) : []) {
      const link = linkOf(c, m, refs);
      if (link === undefined) return undefined;
      if (link) {
        const conversation = byUid.get(c.uid);
        if (!conversation) return undefined;
        linked.add(conversation);
      }
    }
    if (linked.size > 1) return undefined;
    const [only] = linked;
    if (only) return { into: only, read, whole: near <= 1 };
    // A reply to nothing among the newest: its conversation is older (or absent), so look there.
    if (near > 1 && m.refs.length > 0) return placeOf(client, byUid, m, 1);
  }
  // Linked to nothing: it starts a conversation unless its base subject merges it with one.
  const { base } = baseSubject(m.subject);
  if (base === "") return { into: null, read, whole: near <= 1 };
  const similar = await client.search({ uid: older, subject: base }, { uid: true });
  if (!similar || similar.length > MAX_CANDIDATES) return undefined;
  if (similar.length === 0) return { into: null, read, whole: near <= 1 };
  const same = (await candidates(client, similar)).filter(
    (c) => baseSubject(c.subject).base === base,
  );
  read += similar.length;
  if (same.length === 0) return { into: null, read, whole: near <= 1 };
  const into = await allOfSubject(client, byUid, same, base);
  return into === undefined ? undefined : { into, read: read + into.uids.length, whole: near <= 1 };
}

/**
 * The conversation a message that links nothing joins by its base subject `base`, as THREAD's
 * subject merging (RFC 5256 step 5) joins it: the one conversation holding every older message
 * of that base subject (`same`), when all its messages have it (so that its root does; a
 * conversation whose root has it is the only one, THREAD having merged any other). Undefined
 * otherwise: only a THREAD can say.
 */
async function allOfSubject(
  client: ImapFlow,
  byUid: Map<number, Conversation>,
  same: readonly Candidate[],
  base: string,
): Promise<Conversation | undefined> {
  const joined = new Set(same.map((c) => byUid.get(c.uid)));
  const [into] = joined;
  if (joined.size !== 1 || !into) return undefined;
  const known = new Set(same.map((c) => c.uid));
  const rest = into.uids.filter((uid) => !known.has(uid));
  if (rest.length > MAX_CANDIDATES) return undefined;
  const others = rest.length > 0 ? await candidates(client, rest) : [];
  if (others.length !== rest.length) return undefined;
  return others.every((c) => baseSubject(c.subject).base === base) ? into : undefined;
}

/**
 * Whether the older messages in `range` (those below where `placed` were placed from) leave each
 * of `placed` where it is: none shares an id with one so as to link it elsewhere (or to be
 * waiting for it), and none has the base subject of one that started a conversation. One
 * SEARCH of all their ids, and one of each new conversation's subject.
 */
export async function olderAgree(
  client: ImapFlow,
  byUid: Map<number, Conversation>,
  placed: Placed[],
  range: string,
): Promise<boolean> {
  const ids = [...new Set(placed.flatMap((p) => idsOf(p.arrival)))];
  if (ids.length > MAX_IDS) return false;
  if (ids.length > 0) {
    const found = await client.search({ uid: range, ...sharingAnId(ids) }, { uid: true });
    if (!found) return false;
    if (placed.some((p) => p.read + found.length > MAX_CANDIDATES)) return false;
    const older = found.length > 0 ? await candidates(client, found) : [];
    for (const p of placed) {
      const refs = new Set(p.arrival.refs);
      for (const c of older) {
        if (c.uid >= p.arrival.uid) continue;
        const link = linkOf(c, p.arrival, refs);
        if (link === false) continue;
        if (link === undefined || p.into === null || byUid.get(c.uid) !== p.into) return false;
      }
    }
  }
  for (const p of placed) {
    if (p.into !== null) continue;
    const { base } = baseSubject(p.arrival.subject);
    if (base === "") continue;
    const similar = await client.search({ uid: range, subject: base }, { uid: true });
    if (!similar) return false;
    const before = similar.filter((uid) => uid < p.arrival.uid);
    if (before.length === 0) continue;
    if (p.read + before.length > MAX_CANDIDATES) return false;
    const subjects = await candidates(client, before);
    if (subjects.some((c) => baseSubject(c.subject).base === base)) return false;
  }
  return true;
}
