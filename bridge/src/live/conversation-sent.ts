/**
 * The user's Sent as the live conversation push follows it (SentWatch, one per
 * ConversationPush; moved out of conversation-push.ts): where Sent stood at the last look, and,
 * when its count changed, the messages filed since, turned into the pushes of the kept folders'
 * conversations they belong to (threads/sent-links.ts); after a deletion in Sent, the rows
 * served (threads/known.ts, heldIn) that counted a message now gone; a `refetch` of each after a
 * burst. And when Sent changed at all (NOTIFY reports a flag change that moves no count; an
 * event of Sent where it is watched), the flags of the Sent messages that rows served count,
 * changed since the last look (CHANGEDSINCE; without CONDSTORE, those whose flags differ from
 * what was last read of them): a `messages.flags` of Sent for the pages' collapsed lines, and
 * the pushes of the rows that count them. When no row served counts a Sent message, neither
 * asks the server anything. Sent is read on the account's Sent connection when there is one.
 */
import type { TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { forgetSpecialFolders } from "../imap/mailboxes";
import type { SentSide } from "../imap/sent-side";
import {
  linkedUids,
  presentIn,
  type SentMark,
  sentFlagsSince,
  sentFolder,
  sentMark,
  sentSince,
} from "../threads/sent-links";

/** A push a change of Sent asks for: of `path`'s conversations holding `touched`, or a refetch. */
export interface SentPush {
  path: string;
  touched: number[];
  refetch: boolean;
}

/**
 * The rows served of the kept folders that count messages of Sent (`mailbox`, `uidValidity`):
 * by folder, each such message's UID to the newest UIDs of the rows counting it.
 */
export type HeldInSent = (
  mailbox: string,
  uidValidity: number,
) => Map<string, Map<number, number[]>>;

type FlagsFrame = Extract<TServerFrame, { type: "messages.flags" }>;

/** Sent messages whose flags are remembered (more: forgotten, and told again once). */
const MAX_FLAGS_SEEN = 10_000;

export class SentWatch {
  /** Where Sent stood at the last look (undefined: not looked at yet; null: no Sent). */
  mark: SentMark | null | undefined = undefined;
  /** Sent's count changed since the last look. */
  changed = false;
  /** The folder set changed since Sent was found: the next look finds it again. */
  stale = false;
  /** Sent changed since its flags were last looked at (followFlags). */
  flagsChanged = false;
  /** Sent's MODSEQ as of that look: later flag changes are asked for (null: all of them). */
  private flagsSince: bigint | null = null;
  /**
   * The flags last read of Sent messages (UID → flags): a message read again with the same
   * flags is not a change (a server without CONDSTORE answers every message asked for).
   */
  private readonly flagsSeen = new Map<number, string>();

  /** Whether Sent must be looked at (again) before it can be followed. */
  get unknown(): boolean {
    return this.mark === undefined || this.stale;
  }

  /** Sent's place now, as the next look starts from. */
  async look(client: ImapFlow): Promise<void> {
    if (this.stale) forgetSpecialFolders(client);
    this.stale = false;
    const path = await sentFolder(client);
    this.mark = path === null ? null : await sentMark(client, path);
    this.flagsSince = this.mark?.highestModseq ?? null;
  }

  /** Whether `path` is Sent. */
  isSent(path: string): boolean {
    return !!this.mark && this.mark.path === path;
  }

  /**
   * The flags of the Sent messages that the rows `held` gives count, changed since the last look
   * (read on `sent`, else on `client`): the `messages.flags` of Sent to send (null: none
   * changed), and the pushes of the kept folders' rows that count them.
   */
  async followFlags(
    client: ImapFlow,
    sent: SentSide | undefined,
    held: HeldInSent,
  ): Promise<{ frame: FlagsFrame | null; pushes: SentPush[] }> {
    const mark = this.mark;
    const none = { frame: null, pushes: [] };
    if (!mark) return none;
    const byPath = held(mark.path, mark.uidValidity);
    const uids = heldUids(byPath);
    if (uids.length === 0) return none;
    const since = this.flagsSince;
    const read = (on: ImapFlow) => sentFlagsSince(on, mark.path, uids, since);
    const found = await (sent ? sent.run(read) : read(client));
    if (found.uidValidity !== mark.uidValidity) {
      this.flagsSince = null;
      this.flagsSeen.clear();
      return none;
    }
    this.flagsSince = found.since;
    if (this.flagsSeen.size > MAX_FLAGS_SEEN) this.flagsSeen.clear();
    const changes = found.changes.filter((c) => {
      const flags = [...c.flags].sort().join(" ");
      const same = this.flagsSeen.get(c.uid) === flags;
      this.flagsSeen.set(c.uid, flags);
      return !same;
    });
    if (changes.length === 0) return none;
    const changed = new Set(changes.map((c) => c.uid));
    const pushes: SentPush[] = [];
    for (const [path, touched] of rowsHolding(byPath, (uid) => changed.has(uid)))
      pushes.push({ path, touched, refetch: false });
    const frame: FlagsFrame = {
      type: "messages.flags",
      mailbox: mark.path,
      uidValidity: found.uidValidity,
      changes,
    };
    return { frame, pushes };
  }

  /** Whether `frame` (a `mailbox.status`) says Sent's count changed. */
  countChanged(frame: Extract<TServerFrame, { type: "mailbox.status" }>): boolean {
    const mark = this.mark;
    return !!mark && frame.mailbox === mark.path && frame.messages !== mark.messages;
  }

  /**
   * The pushes of the `kept` folders that what was filed in Sent since the last look asks for
   * (read on `sent`, else on `client`): the conversations its new messages belong to, where
   * they stand; after a deletion there, the rows `held` gives that counted a message now gone
   * (one UID SEARCH of the Sent messages they count; none when they count none); a refetch of
   * each after a burst, or when Sent was reset.
   */
  async follow(
    client: ImapFlow,
    sent: SentSide | undefined,
    kept: readonly string[],
    held: HeldInSent,
  ): Promise<SentPush[]> {
    const before = this.mark;
    if (!before) return [];
    if (this.stale) {
      this.stale = false;
      forgetSpecialFolders(client);
      if ((await sentFolder(client)) !== before.path) {
        await this.look(client);
        return [];
      }
    }
    const { mark, messages } = await (sent
      ? sent.run((side) => sentSince(side, before))
      : sentSince(client, before));
    this.mark = mark;
    const others = kept.filter((p) => p !== mark.path);
    if (messages === null) return others.map((path) => ({ path, touched: [], refetch: true }));
    const gone =
      mark.messages < before.messages + messages.length
        ? await this.goneRows(client, sent, held(mark.path, mark.uidValidity))
        : new Map<string, number[]>();
    const pushes: SentPush[] = [];
    for (const path of others) {
      const touched = new Set(gone.get(path));
      if (messages.length > 0)
        for (const uid of await linkedUids(client, path, messages)) touched.add(uid);
      if (touched.size > 0) pushes.push({ path, touched: [...touched], refetch: false });
    }
    return pushes;
  }

  /** Of the rows `byPath` gives, those counting a Sent message no longer there (newest UIDs). */
  private async goneRows(
    client: ImapFlow,
    sent: SentSide | undefined,
    byPath: Map<string, Map<number, number[]>>,
  ): Promise<Map<string, number[]>> {
    const mark = this.mark;
    const uids = heldUids(byPath);
    if (!mark || uids.length === 0) return new Map();
    const read = (on: ImapFlow) => presentIn(on, mark.path, uids);
    const present = await (sent ? sent.run(read) : read(client));
    return rowsHolding(byPath, (uid) => !present.has(uid));
  }
}

/** The Sent UIDs the rows of `byPath` count. */
function heldUids(byPath: Map<string, Map<number, number[]>>): number[] {
  const uids = new Set<number>();
  for (const rows of byPath.values()) for (const uid of rows.keys()) uids.add(uid);
  return [...uids];
}

/** By folder, the newest UIDs of the rows of `byPath` that count a Sent UID `which` picks. */
function rowsHolding(
  byPath: Map<string, Map<number, number[]>>,
  which: (uid: number) => boolean,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [path, rows] of byPath) {
    const touched = new Set<number>();
    for (const [uid, newest] of rows) if (which(uid)) for (const n of newest) touched.add(n);
    if (touched.size > 0) out.set(path, [...touched]);
  }
  return out;
}
