/**
 * Threading without the server: the REFERENCES algorithm of RFC 5256 §3 (Jamie Zawinski's
 * algorithm, as the IMAP THREAD command specifies it), in pure TypeScript, for servers that do
 * not offer THREAD=REFERENCES. It takes each message's Message-ID, References, In-Reply-To,
 * subject and date and returns the same shape as the server's THREAD answer (server-thread.ts):
 * a forest whose roots are conversations.
 *
 * Steps, as the RFC numbers them:
 * 1. link messages by their References (else the first In-Reply-To id); a link that would make
 *    a loop is not made, an existing parent is kept for referenced ids, and a message's own
 *    parent is the last id it references. A missing or repeated Message-ID gets a unique one,
 *    so the message still threads by what it references and by subject.
 * 2. the roots are the containers with no parent;
 * 3. empty containers are pruned: without children they go, otherwise their children move up
 *    (at the top only a single child moves up, so a dummy keeps siblings together);
 * 4. siblings are ordered by date (then UID);
 * 5. roots with the same base subject (base-subject.ts) are merged, preferring as parent a dummy,
 *    then a message that is not a reply or forward;
 * 6. siblings are ordered again.
 */
import { baseSubject } from "./base-subject";

/** What threading needs of one message. */
export interface ThreadInput {
  uid: number;
  /** With or without angle brackets; null or empty when the message has none. */
  messageId: string | null | undefined;
  /** The raw References header value. */
  references?: string | null | undefined;
  /** The raw In-Reply-To header value (or the envelope's). */
  inReplyTo?: string | null | undefined;
  subject?: string | null | undefined;
  /** The sent date (ms); messages without one sort by UID. */
  date?: number | null | undefined;
}

/** One node of a thread: `uid` is null for a dummy (a message referenced but not here). */
export interface ThreadNode {
  uid: number | null;
  children: ThreadNode[];
}

interface Container {
  message: ThreadInput | null;
  parent: Container | null;
  children: Container[];
}

/** The message ids in a References or In-Reply-To value, in order (`<…>` tokens). */
export function messageIds(value: string | null | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const m of value.matchAll(/<([^<>]*)>/g)) {
    const id = (m[1] ?? "").replace(/\s+/g, "");
    if (id.length > 0) out.push(id);
  }
  return out;
}

function normalizeId(id: string | null | undefined): string | null {
  if (!id) return null;
  const ids = messageIds(id);
  if (ids.length > 0) return ids[0] ?? null;
  const bare = id.replace(/\s+/g, "");
  return bare.length > 0 ? bare : null;
}

function isAncestor(maybeAncestor: Container, of: Container): boolean {
  for (let c: Container | null = of; c !== null; c = c.parent) if (c === maybeAncestor) return true;
  return false;
}

function unlink(child: Container): void {
  const parent = child.parent;
  if (!parent) return;
  const i = parent.children.indexOf(child);
  if (i >= 0) parent.children.splice(i, 1);
  child.parent = null;
}

function link(parent: Container, child: Container): void {
  unlink(child);
  child.parent = parent;
  parent.children.push(child);
}

function sortDate(c: Container): number {
  if (c.message) return c.message.date ?? 0;
  const first = c.children[0];
  return first ? sortDate(first) : 0;
}

function sortUid(c: Container): number {
  if (c.message) return c.message.uid;
  const first = c.children[0];
  return first ? sortUid(first) : 0;
}

function sortSiblings(list: Container[]): void {
  for (const c of list) sortSiblings(c.children);
  list.sort((a, b) => sortDate(a) - sortDate(b) || sortUid(a) - sortUid(b));
}

/** Step 3: prunes the children of `parent` (the roots when `parent` is null). */
function prune(list: Container[], atRoot: boolean): Container[] {
  const out: Container[] = [];
  for (const c of list) {
    c.children = prune(c.children, false);
    for (const child of c.children) child.parent = c;
    if (c.message !== null) {
      out.push(c);
    } else if (c.children.length === 0) {
    } else if (!atRoot || c.children.length === 1) {
      out.push(...c.children);
    } else {
      out.push(c);
    }
  }
  return out;
}

function subjectOf(c: Container): string | null | undefined {
  if (c.message) return c.message.subject;
  return c.children[0]?.message?.subject;
}

/** Step 5: merges roots that share a base subject. */
function groupBySubject(roots: Container[]): Container[] {
  const table = new Map<string, Container>();
  for (const r of roots) {
    const { base } = baseSubject(subjectOf(r));
    if (base === "") continue;
    const old = table.get(base);
    if (
      old === undefined ||
      (r.message === null && old.message !== null) ||
      (old.message !== null &&
        r.message !== null &&
        baseSubject(old.message.subject).isReplyOrForward &&
        !baseSubject(r.message.subject).isReplyOrForward)
    ) {
      table.set(base, r);
    }
  }
  const removed = new Set<Container>();
  const added: Container[] = [];
  for (const r of roots) {
    const { base } = baseSubject(subjectOf(r));
    if (base === "") continue;
    const old = table.get(base);
    if (old === undefined || old === r) continue;
    const rIsReply = r.message !== null && baseSubject(r.message.subject).isReplyOrForward;
    const oldIsReply = old.message !== null && baseSubject(old.message.subject).isReplyOrForward;
    if (r.message === null && old.message === null) {
      for (const child of [...r.children]) link(old, child);
    } else if (old.message === null) {
      link(old, r);
    } else if (rIsReply && !oldIsReply) {
      link(old, r);
    } else {
      const dummy: Container = { message: null, parent: null, children: [] };
      link(dummy, old);
      link(dummy, r);
      removed.add(old);
      added.push(dummy);
      table.set(base, dummy);
    }
    removed.add(r);
  }
  return [...roots.filter((r) => !removed.has(r)), ...added];
}

function toNode(c: Container): ThreadNode {
  return { uid: c.message?.uid ?? null, children: c.children.map(toNode) };
}

/**
 * Threads `messages` as RFC 5256's REFERENCES does: one tree per conversation, roots and
 * siblings ordered by date.
 */
export function threadByReferences(messages: readonly ThreadInput[]): ThreadNode[] {
  const byId = new Map<string, Container>();
  const all: Container[] = [];
  const containerOf = (id: string): Container => {
    let c = byId.get(id);
    if (!c) {
      c = { message: null, parent: null, children: [] };
      byId.set(id, c);
      all.push(c);
    }
    return c;
  };
  for (const m of messages) {
    // 1A: the message's own container (a unique one for a missing or repeated Message-ID)
    const id = normalizeId(m.messageId);
    let own: Container;
    const existing = id === null ? undefined : byId.get(id);
    if (id !== null && (existing === undefined || existing.message === null)) {
      own = containerOf(id);
      own.message = m;
    } else {
      own = { message: m, parent: null, children: [] };
      all.push(own);
    }
    // 1B: the chain of references
    let refs = messageIds(m.references);
    if (refs.length === 0) refs = messageIds(m.inReplyTo).slice(0, 1);
    let prev: Container | null = null;
    for (const ref of refs) {
      const c = containerOf(ref);
      if (prev !== null && c.parent === null && prev !== c && !isAncestor(c, prev)) link(prev, c);
      prev = c;
    }
    // 1C: the last reference is the message's parent
    unlink(own);
    if (prev !== null && prev !== own && !isAncestor(own, prev)) link(prev, own);
  }
  let roots = prune(
    all.filter((c) => c.parent === null),
    true,
  );
  for (const r of roots) r.parent = null;
  sortSiblings(roots);
  roots = groupBySubject(roots);
  sortSiblings(roots);
  return roots.map(toNode);
}

/** The UIDs of a thread, depth first (parents before replies). */
export function threadUids(node: ThreadNode): number[] {
  const out: number[] = [];
  const walk = (n: ThreadNode): void => {
    if (n.uid !== null) out.push(n.uid);
    for (const c of n.children) walk(c);
  };
  walk(node);
  return out;
}
