/**
 * The reader's conversation stack as data: which messages it lists (membersOf), in which order
 * (orderMembers: oldest first, replies sent within the same second after what they reply to),
 * the pages their rows are asked in (pagesOf, at most MAX_ROWS_REFS refs each), the rows made
 * from messages this browser keeps when the bridge cannot be reached (keptMemberRows), the flag
 * changes pushed later applied to the rows already read (applyMemberFlags), which collapsed
 * lines are folded behind an "N older messages" button (stackLayout, as Gmail does), and which
 * expanded messages are opened as soon as the lines are known (openAhead).
 */
import {
  MAX_ROWS_REFS,
  type TConversationRow,
  type TMemberRow,
  type TMessageRef,
} from "@ferry/protocol";
import type { QueryClient } from "@tanstack/react-query";
import type { MessageData } from "./mail-client";

export function refId(ref: TMessageRef): string {
  return `${ref.mailbox}\u0000${ref.uidValidity}\u0000${ref.uid}`;
}

/** The conversation's messages but `current`: in this folder, then elsewhere (the user's Sent). */
export function membersOf(conversation: TConversationRow, current: TMessageRef): TMessageRef[] {
  const here = conversation.uids
    .filter((uid) => uid !== current.uid)
    .map((uid) => ({ mailbox: current.mailbox, uidValidity: current.uidValidity, uid }));
  const there = conversation.elsewhere.map((m) => ({
    mailbox: m.mailbox,
    uidValidity: m.uidValidity,
    uid: m.uid,
  }));
  return [...here, ...there];
}

/** `refs` in pages of at most `size` (MAX_ROWS_REFS: what one `messages.rows` may name). */
export function pagesOf(refs: readonly TMessageRef[], size = MAX_ROWS_REFS): TMessageRef[][] {
  const pages: TMessageRef[][] = [];
  for (let i = 0; i < refs.length; i += size) pages.push(refs.slice(i, i + size));
  return pages;
}

/** Characters of a kept message's text shown as its collapsed line's snippet. */
const SNIPPET_CHARS = 200;

/** The collapsed line's row of a message this browser keeps (opened before, or kept offline). */
export function memberRowOf(ref: TMessageRef, data: MessageData): TMemberRow {
  const { header } = data;
  const { envelope } = header;
  const text = data.bodies.find((b) => b.type === "text/plain")?.text ?? "";
  return {
    mailbox: ref.mailbox,
    uidValidity: ref.uidValidity,
    uid: ref.uid,
    flags: header.flags,
    date: envelope.date,
    subject: envelope.subject,
    from: envelope.from,
    to: envelope.to,
    size: header.size,
    hasAttachments: header.attachments.some((a) => !a.inline),
    preview: text.replace(/\s+/g, " ").trim().slice(0, SNIPPET_CHARS),
    messageId: envelope.messageId,
    inReplyTo: envelope.inReplyTo,
  };
}

/**
 * A `messages.rows` answer from what this browser keeps, for when the bridge cannot be reached:
 * a row for each ref whose message `kept` has, the others missing.
 */
export async function keptMemberRows(
  refs: readonly TMessageRef[],
  kept: (ref: TMessageRef) => Promise<MessageData | null | undefined>,
): Promise<{ rows: TMemberRow[]; missing: TMessageRef[] }> {
  const found = await Promise.all(refs.map((ref) => kept(ref).catch(() => null)));
  const rows: TMemberRow[] = [];
  const missing: TMessageRef[] = [];
  refs.forEach((ref, i) => {
    const data = found[i];
    if (data) rows.push(memberRowOf(ref, data));
    else missing.push(ref);
  });
  return { rows, missing };
}

/** The query key prefix of the member rows' pages (lib/member-rows.ts). */
export const MEMBER_ROWS_KEY = "member-rows";

/** Flags that changed in one folder: a `messages.flags` event. */
export interface FlagChanges {
  mailbox: string;
  uidValidity: number;
  changes: ReadonlyArray<{ uid: number; flags: string[] }>;
}

/** `page` with its rows' flags as `e` says; `page` itself when none of its rows changed. */
export function memberPageWithFlags<P extends { rows: TMemberRow[] }>(page: P, e: FlagChanges): P {
  const byUid = new Map(e.changes.map((c) => [c.uid, c.flags]));
  let changed = false;
  const rows = page.rows.map((r) => {
    const flags = r.mailbox === e.mailbox && r.uidValidity === e.uidValidity && byUid.get(r.uid);
    if (!flags) return r;
    changed = true;
    return { ...r, flags };
  });
  return changed ? { ...page, rows } : page;
}

/**
 * Applies `e` to every page of member rows `client` holds, so a collapsed line's unread and
 * starred state follows what was done to its message after its row was read (in this tab or
 * elsewhere: the bridge pushes every flag change of a watched folder).
 */
export function applyMemberFlags(client: QueryClient, e: FlagChanges): void {
  for (const [key, page] of client.getQueriesData<{ rows: TMemberRow[] }>({
    queryKey: [MEMBER_ROWS_KEY],
  })) {
    if (!page) continue;
    const next = memberPageWithFlags(page, e);
    if (next !== page) client.setQueryData(key, next);
  }
}

/** For each row, how many of the others it replies to through In-Reply-To, in a chain. */
function replyDepths(rows: ReadonlyArray<TMemberRow | undefined>): number[] {
  const byId = new Map<string, TMemberRow>();
  for (const r of rows) if (r?.messageId) byId.set(r.messageId, r);
  return rows.map((r) => {
    let n = 0;
    let parent = r?.inReplyTo ?? null;
    while (parent && n < rows.length) {
      const found = byId.get(parent);
      if (!found) break;
      n++;
      parent = found.inReplyTo;
    }
    return n;
  });
}

/**
 * Members oldest first: by date, then (within the same second) by how deep each replies, then
 * by UID within a folder. Members whose row is not known yet keep their place at the end.
 */
export function orderMembers<T extends { ref: TMessageRef; row: TMemberRow | undefined }>(
  members: readonly T[],
): T[] {
  const depth = replyDepths(members.map((m) => m.row));
  return members
    .map((m, i) => ({ m, i, depth: depth[i] ?? 0 }))
    .sort((a, b) => {
      const da = a.m.row?.date;
      const db = b.m.row?.date;
      if (!da || !db) return da ? -1 : db ? 1 : a.i - b.i;
      const sameFolder = a.m.ref.mailbox === b.m.ref.mailbox ? a.m.ref.uid - b.m.ref.uid : 0;
      return Date.parse(da) - Date.parse(db) || a.depth - b.depth || sameFolder || a.i - b.i;
    })
    .map((x) => x.m);
}

/** Stacks longer than this fold runs of collapsed lines. */
export const FOLD_OVER = 8;
/** The newest collapsed lines that are never folded. */
export const KEEP_NEWEST = 3;

export type StackEntry =
  | { kind: "message"; index: number }
  /** Collapsed lines `from … to-1`, behind one button. */
  | { kind: "fold"; from: number; to: number };

/**
 * The stack as shown: in a stack of more than FOLD_OVER messages, each run of at least two
 * collapsed lines between the oldest message and the KEEP_NEWEST newest is one fold ("N older
 * messages"); expanded messages are never folded. `unfolded` shows every line.
 */
export function stackLayout(open: readonly boolean[], unfolded: boolean): StackEntry[] {
  const n = open.length;
  const foldable = (i: number) =>
    !unfolded && n > FOLD_OVER && i > 0 && i < n - KEEP_NEWEST && !open[i];
  const out: StackEntry[] = [];
  let i = 0;
  while (i < n) {
    let j = i;
    while (j < n && foldable(j)) j++;
    if (j - i >= 2) {
      out.push({ kind: "fold", from: i, to: j });
      i = j;
    } else {
      out.push({ kind: "message", index: i });
      i++;
    }
  }
  return out;
}

/** Expanded messages opened as soon as the stack's lines are known, before it is laid out. */
export const OPEN_AHEAD = 4;

/**
 * The members opened ahead: of `ordered` (oldest first, as orderMembers gives), the first `n`
 * shown expanded at first, top first: the top of the stack, what its first screen shows. The
 * others expanded are opened as they come near the viewport.
 */
export function openAhead<T>(
  ordered: readonly T[],
  expanded: (member: T) => boolean,
  n = OPEN_AHEAD,
): T[] {
  const out: T[] = [];
  for (const m of ordered) {
    if (out.length >= n) break;
    if (expanded(m)) out.push(m);
  }
  return out;
}
