/**
 * The sessions that share one ConversationPush (PushMembers; moved out of conversation-push.ts):
 * what each needs to be run on and listened to (ConversationPushDeps), its sockets that listen,
 * the order cache and command connection it last ran a job on, which one runs a folder's job
 * (runner: the first whose cache keeps the folder, among those with a socket still open), and
 * the one frame sent to every listening socket of every session, and which rows served by any of
 * them count messages of another folder (heldIn): also the rows a socket was served from a read
 * on no member's cache (the sign-in's, session/inbox-head.ts: servedElsewhere), whose folder no
 * member's cache keeps yet, so that a change in Sent they count reaches them too (their lists
 * are then asked again, as the push does for a folder whose order it does not keep). A session
 * whose sockets all closed leaves.
 */
import type { TConversationRow, TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import type { SentSide } from "../imap/sent-side";
import { KnownConversations, knownOf } from "../threads/known";
import type { ConversationCache } from "../threads/order";

/** What ConversationPush needs of its session. */
export interface ConversationPushDeps {
  /** Runs `fn` on the session's command connection (MailSession.run). */
  run<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T>;
  /** The session's pushed events (MailSession.subscribe). */
  subscribe(fn: (frame: TServerFrame) => void): () => void;
  /** The user's addresses, "me" on the rows. */
  me: readonly string[];
  /** Whether a socket that listen()ed is still open. */
  alive(owner: object): boolean;
  log: Logger;
  /** Where Sent is read (live/sent-connection.ts; default: the command connection). */
  sent?: SentSide | undefined;
}

/** One session sharing the push: how to run on it, and its sockets that listen. */
export interface PushMember {
  deps: ConversationPushDeps;
  targets: Map<object, (frame: TServerFrame) => void>;
  unsubscribe: () => void;
  /** The order cache of its command connection, as last seen in a job on it. */
  cache: ConversationCache | null;
  /** That command connection. */
  client: ImapFlow | null;
}

export class PushMembers {
  private readonly members = new Map<object, PushMember>();
  /** Rows served from reads on no member's cache, and their folders. */
  private readonly shared = new KnownConversations();
  private readonly sharedPaths = new Set<string>();

  /** `key`'s events go to `onEvent`; `self` is the push itself (a member that never leaves). */
  constructor(
    private readonly onEvent: (frame: TServerFrame) => void,
    private readonly self: object,
  ) {}

  join(key: object, deps: ConversationPushDeps): void {
    if (this.members.has(key)) return;
    this.members.set(key, {
      deps,
      targets: new Map(),
      unsubscribe: deps.subscribe((frame) => this.onEvent(frame)),
      cache: null,
      client: null,
    });
  }

  get(key: object): PushMember | undefined {
    return this.members.get(key);
  }

  has(key: object): boolean {
    return this.members.has(key);
  }

  get size(): number {
    return this.members.size;
  }

  /** Every member (its cache and connection as last seen). */
  all(): IterableIterator<PushMember> {
    return this.members.values();
  }

  /** Stops listening to every member's events. */
  clear(): void {
    for (const m of this.members.values()) m.unsubscribe();
    this.members.clear();
  }

  /** Whether any session has a socket that listened (without asking whether it is open). */
  listened(): boolean {
    for (const m of this.members.values()) if (m.targets.size > 0) return true;
    return false;
  }

  /**
   * The session a job on `path` runs on: the first whose order cache keeps it (else, or for no
   * path, the first), among those with a socket still open. Closed sockets are forgotten, and a
   * session with none left leaves.
   */
  runner(path: string | null): PushMember | null {
    let first: PushMember | null = null;
    for (const [key, m] of [...this.members]) {
      for (const owner of [...m.targets.keys()]) {
        if (!m.deps.alive(owner)) m.targets.delete(owner);
      }
      if (m.targets.size === 0) {
        if (key !== this.self) {
          m.unsubscribe();
          this.members.delete(key);
        }
        continue;
      }
      if (path !== null && m.cache?.has(path)) return m;
      first ??= m;
    }
    return first;
  }

  /**
   * The rows any session served of the folders `paths` that count messages of `mailbox` (of
   * UIDVALIDITY `uidValidity`): by folder, each such message's UID to the newest UIDs of those
   * rows (threads/known.ts).
   */
  heldIn(
    paths: readonly string[],
    mailbox: string,
    uidValidity: number,
  ): Map<string, Map<number, number[]>> {
    const byPath = new Map<string, Map<number, number[]>>();
    for (const m of this.members.values()) {
      if (!m.cache) continue;
      const known = knownOf(m.cache);
      for (const path of paths) {
        const rows = byPath.get(path) ?? new Map<number, number[]>();
        for (const [uid, newest] of known.heldIn(path, mailbox, uidValidity))
          rows.set(uid, [...(rows.get(uid) ?? []), ...newest]);
        if (rows.size > 0) byPath.set(path, rows);
      }
    }
    // Rows served from the sign-in's read count until a member's cache keeps their folder: its
    // own rows, once a window of it is read there, say what the lists show.
    for (const path of this.servedOnly()) {
      const rows = byPath.get(path) ?? new Map<number, number[]>();
      for (const [uid, newest] of this.shared.heldIn(path, mailbox, uidValidity))
        rows.set(uid, [...(rows.get(uid) ?? []), ...newest]);
      if (rows.size > 0) byPath.set(path, rows);
    }
    return byPath;
  }

  /** `rows` of `path` were served from a read on no member's cache (the sign-in's). */
  servedElsewhere(path: string, uidValidity: number, rows: readonly TConversationRow[]): void {
    this.sharedPaths.add(path);
    for (const row of rows) this.shared.note(path, uidValidity, row, [], null);
  }

  /** The folders of rows served from the sign-in's read that no member's cache keeps. */
  servedOnly(): string[] {
    const caches = [...this.members.values()].map((m) => m.cache);
    return [...this.sharedPaths].filter((path) => !caches.some((c) => c?.has(path)));
  }

  /** The same frame to every listening socket of every session. */
  send(frame: TServerFrame): void {
    for (const m of this.members.values()) for (const send of m.targets.values()) send(frame);
  }
}
