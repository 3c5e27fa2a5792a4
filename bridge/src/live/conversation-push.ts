/**
 * Live conversation rows (ConversationPush) for the sockets that may show a list of
 * conversations (they opened a folder or read such a list). One ConversationPush serves all the
 * sessions of an account in this process (conversation-push-of.ts), whose events reach each of
 * them as the same frame, taken once here. When
 * `messages.new`, `messages.flags` or `messages.expunged` comes, one job, on the command
 * connection of a session whose order cache keeps that folder (threads/order.ts: a window of its
 * conversations was read there, at sign-in or on a socket), brings that order up to date (an
 * arrival costs O(new messages)) and the one `conversations.changed` it makes goes to every
 * listening socket of every session: each changed conversation's row with where it moved from
 * and to (a new message's conversation to the top), or `refetch` when the order was rebuilt (an
 * expunge, conversations merged, or a large folder's head replaced by its full order in the
 * background: order.ts, onComplete). The other sessions' caches catch up at their next window;
 * when a folder's pushes move to another session (the one before closed its sockets), the first
 * is a `refetch`. Events that come while a job runs join the next one, one job at a time. A
 * session whose sockets all closed leaves.
 *
 * Sent. The user's replies in Sent count on the rows of other folders, but no event of those
 * folders says when one is filed (from Ferry or another client). So when Sent's message count
 * changes (`mailbox.status`), the messages filed since the last look are read and the
 * conversations of each kept folder that they belong to are pushed where they stand
 * (SentWatch, conversation-sent.ts); a deletion in Sent, or a burst, asks the lists again
 * (`refetch`). Sent is read on the account's Sent connection (deps.sent).
 *
 * At once. A new message that references a conversation whose row the bridge served (its
 * Message-ID and References come with the row of `messages.new`: imap/rows.ts, threads/known.ts)
 * moves that row before any IMAP command (placeAtOnce): the order cache places it
 * (order.ts placeKnown) and checks it against the folder's older messages afterwards, and the
 * job that follows reads the conversation's row from the server and pushes it only where it
 * differs; a placement the folder contradicts rebuilds the order, and the lists ask again.
 * Only an arrival about a conversation not served waits for the server.
 *
 * A folder whose kept order was lost (a push that failed, or the order pushed out of the cache
 * by other folders) is sent `refetch` once, so the lists on screen ask again and its order is
 * kept anew, instead of missing every later change.
 */
import type { TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import { placeAtOnce } from "../threads/at-once";
import { conversationCacheOf, conversationChanges, type SentSide } from "../threads/conversations";
import type { ConversationCache } from "../threads/order";
import { SentWatch } from "./conversation-sent";

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

type ConversationsChanged = Extract<TServerFrame, { type: "conversations.changed" }>;
type NewMessages = Extract<TServerFrame, { type: "messages.new" }>;

/** Rows pushed at once kept for comparison with the server's (more: they are sent again). */
const MAX_TOLD = 1_000;

/**
 * A folder's events not pushed yet: UIDs whose rows may have changed (flags, a reply filed in
 * Sent), whether any was expunged, and whether the lists must ask again.
 */
interface Pending {
  touched: Set<number>;
  expunged: boolean;
  refetch: boolean;
}

/** What the lists were last told of a kept folder: enough for a `refetch` after it is lost. */
interface Kept {
  uidValidity: number;
  total: number;
}

/** One session sharing the push: how to run on it, and its sockets that listen. */
interface Member {
  deps: ConversationPushDeps;
  targets: Map<object, (frame: TServerFrame) => void>;
  unsubscribe: () => void;
  /** The order cache of its command connection, as last seen in a job on it. */
  cache: ConversationCache | null;
  /** That command connection. */
  client: ImapFlow | null;
}

export class ConversationPush {
  private readonly members = new Map<object, Member>();
  private readonly pending = new Map<string, Pending>();
  private running = false;
  /** Events already taken (the same frame reaches every member of one account). */
  private readonly seen = new WeakSet<object>();
  /** The caches (one per command connection) whose completed orders are pushed. */
  private readonly attached = new WeakSet<ConversationCache>();
  private readonly detach: Array<() => void> = [];
  /** Folders whose order was kept at the last job, with what a `refetch` of them says. */
  private readonly kept = new Map<string, Kept>();
  /** Where Sent stood at the last look, and whether it changed since (conversation-sent.ts). */
  private readonly sent = new SentWatch();
  /** The session each folder's last push ran on. */
  private readonly ranOn = new Map<string, Member>();
  /** Rows pushed at once (placeAtOnce) by their newest UID, until the server's are read. */
  private readonly told = new Map<number, string>();

  /** With `deps`: a push of that one session (more join with `join`). */
  constructor(deps?: ConversationPushDeps) {
    if (deps) this.join(this, deps);
  }

  /** Session `member` (its MailSession) shares this push; its events are followed. */
  join(member: object, deps: ConversationPushDeps): void {
    if (this.members.has(member)) return;
    this.members.set(member, {
      deps,
      targets: new Map(),
      unsubscribe: deps.subscribe((frame) => this.onEvent(frame)),
      cache: null,
      client: null,
    });
  }

  /**
   * `owner` (a socket of session `member`) may show lists of conversations: it is sent
   * `conversations.changed`.
   */
  listen(owner: object, send: (frame: TServerFrame) => void, member: object = this): void {
    const m = this.members.get(member);
    if (!m) return;
    m.targets.set(owner, send);
    void this.runOn(m, async (client) => {
      if (this.sent.unknown) await this.sent.look(client);
    }).catch((err) => m.deps.log.debug({ err }, "live: conversation push setup failed"));
  }

  /** Stops listening to the sessions' events. */
  close(): void {
    for (const stop of this.detach.splice(0)) stop();
    for (const m of this.members.values()) m.unsubscribe();
    this.members.clear();
    this.pending.clear();
  }

  /** Whether session `member` shares this push. */
  has(member: object): boolean {
    return this.members.has(member);
  }

  /** Whether no session shares this push any more. */
  get empty(): boolean {
    return this.members.size === 0;
  }

  /** Runs `fn` on `m`'s command connection, its order cache noted. */
  private runOn<T>(m: Member, fn: (client: ImapFlow, cache: ConversationCache) => Promise<T>) {
    return m.deps.run((client) => {
      const cache = conversationCacheOf(client);
      m.cache = cache;
      m.client = client;
      this.attach(cache);
      return fn(client, cache);
    });
  }

  /**
   * Notes the folders `cache` keeps; a head of `cache` replaced by its full order is pushed as a
   * rebuilt order.
   */
  private attach(cache: ConversationCache): void {
    for (const path of cache.paths) {
      this.kept.set(path, {
        uidValidity: this.kept.get(path)?.uidValidity ?? 0,
        total: cache.total(path),
      });
    }
    if (this.attached.has(cache)) return;
    this.attached.add(cache);
    this.detach.push(cache.onComplete((path) => this.enqueue(path, false, [], true)));
  }

  private enqueue(
    path: string,
    expunged: boolean,
    touched: readonly number[] = [],
    refetch = false,
  ): void {
    const pending = this.pending.get(path) ?? {
      touched: new Set(),
      expunged: false,
      refetch: false,
    };
    for (const uid of touched) pending.touched.add(uid);
    if (expunged) pending.expunged = true;
    if (refetch) pending.refetch = true;
    this.pending.set(path, pending);
    void this.drain();
  }

  private onEvent(frame: TServerFrame): void {
    if (this.seen.has(frame)) return;
    this.seen.add(frame);
    if (frame.type === "mailboxes.changed") {
      this.sent.stale = true;
      return;
    }
    if (frame.type === "mailbox.status") {
      if (!this.sent.countChanged(frame) || !this.listened()) return;
      this.sent.changed = true;
      void this.drain();
      return;
    }
    if (
      frame.type !== "messages.new" &&
      frame.type !== "messages.flags" &&
      frame.type !== "messages.expunged"
    ) {
      return;
    }
    if (!this.listened()) return;
    this.enqueue(
      frame.mailbox,
      frame.type === "messages.expunged",
      frame.type === "messages.flags"
        ? frame.changes.map((c) => c.uid)
        : frame.type === "messages.new"
          ? this.placeAtOnce(frame)
          : [],
    );
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        if (this.sent.changed) {
          this.sent.changed = false;
          await this.followSent();
          continue;
        }
        const next = this.pending.entries().next();
        if (next.done) break;
        const [path, pending] = next.value;
        this.pending.delete(path);
        await this.push(path, pending);
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * New messages that reference a conversation whose row was served move that row at once
   * (threads/known.ts; order.ts placeKnown checks it against the folder afterwards): one
   * `conversations.changed` before any IMAP command. Returns the UIDs so placed: the job that
   * follows reads their conversations' rows from the server and pushes them where they stand
   * when they differ. The others (and those after the first that cannot be) wait for that job.
   */
  private placeAtOnce(frame: NewMessages): number[] {
    const path = frame.mailbox;
    const m = this.runner(path);
    const cache = m?.cache;
    const client = m?.client;
    if (!m || !cache || !client || !cache.has(path)) return [];
    if (this.told.size > MAX_TOLD) this.told.clear();
    const changes = placeAtOnce(client, cache, frame, m.deps.me);
    for (const c of changes)
      this.told.set(c.conversation.newest.uid, JSON.stringify(c.conversation));
    if (changes.length === 0) return [];
    this.send({
      type: "conversations.changed",
      mailbox: path,
      uidValidity: frame.uidValidity,
      total: cache.total(path),
      changes,
      refetch: false,
    });
    return changes.map((c) => c.conversation.newest.uid);
  }

  /**
   * Sent's count changed: the conversations of the kept folders that its new messages belong
   * to are pushed where they stand; a deletion there, or a burst, has their lists ask again.
   */
  private async followSent(): Promise<void> {
    const m = this.runner(null);
    if (!m) return;
    try {
      const kept = [...this.kept.keys()];
      const pushes = await this.runOn(m, (client) => this.sent.follow(client, m.deps.sent, kept));
      for (const p of pushes) this.enqueue(p.path, false, p.touched, p.refetch);
    } catch (err) {
      this.sent.mark = undefined;
      m.deps.log.debug({ err }, "live: conversation push of Sent failed");
    }
  }

  /** Whether any session has a socket that listened (without asking whether it is open). */
  private listened(): boolean {
    for (const m of this.members.values()) if (m.targets.size > 0) return true;
    return false;
  }

  /**
   * The session a job on `path` runs on: the first whose order cache keeps it (else, or for no
   * path, the first), among those with a socket still open. Closed sockets are forgotten, and a
   * session with none left leaves.
   */
  private runner(path: string | null): Member | null {
    let first: Member | null = null;
    for (const [key, m] of [...this.members]) {
      for (const owner of [...m.targets.keys()]) {
        if (!m.deps.alive(owner)) m.targets.delete(owner);
      }
      if (m.targets.size === 0) {
        if (key !== this) {
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

  /** The same frame to every listening socket of every session. */
  private send(frame: ConversationsChanged): void {
    for (const m of this.members.values()) for (const send of m.targets.values()) send(frame);
  }

  /** The lists of `path` are told to ask again (its order is no longer kept here). */
  private lost(path: string): void {
    const kept = this.kept.get(path);
    if (!kept) return;
    this.kept.delete(path);
    this.send({
      type: "conversations.changed",
      mailbox: path,
      uidValidity: kept.uidValidity,
      total: kept.total,
      changes: [],
      refetch: true,
    });
  }

  private async push(path: string, pending: Pending): Promise<void> {
    const m = this.runner(path);
    if (!m) return;
    const used: { cache: ConversationCache | null } = { cache: null };
    try {
      const found = await this.runOn(m, (client, cache) => {
        used.cache = cache;
        if (pending.expunged) cache.expunged(path);
        return conversationChanges(
          client,
          cache,
          path,
          [...pending.touched],
          m.deps.me,
          m.deps.sent,
        );
      });
      if (!found) {
        this.lost(path);
        return;
      }
      this.kept.set(path, { uidValidity: found.uidValidity, total: found.total });
      // Another session's cache may hold moves already pushed from this one's: ask again.
      const switched = (this.ranOn.get(path) ?? m) !== m;
      this.ranOn.set(path, m);
      const refetch = found.rebuilt || pending.refetch || switched;
      // A row pushed at once that the server's rows confirm is not sent again.
      const changes = found.changes.filter((c) => {
        const told = this.told.get(c.conversation.newest.uid);
        return !(c.from === c.to && told === JSON.stringify(c.conversation));
      });
      for (const uid of pending.touched) this.told.delete(uid);
      if (!refetch && changes.length === 0) return;
      this.send({
        type: "conversations.changed",
        mailbox: found.mailbox,
        uidValidity: found.uidValidity,
        total: found.total,
        changes: refetch ? [] : changes,
        refetch,
      });
    } catch (err) {
      // The next window threads the folder again: the lists on screen are asked to read one.
      (used.cache as ConversationCache | null)?.drop(path);
      m.deps.log.debug({ err, mailbox: path }, "live: conversation push failed");
      this.lost(path);
    }
  }
}
