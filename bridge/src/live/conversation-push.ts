/**
 * Live conversation rows (ConversationPush) for the sockets that may show a list of
 * conversations (they opened a folder or read such a list). One ConversationPush serves all the
 * sessions of an account in this process (conversation-push-of.ts); their events reach it as
 * one frame. When `messages.new`, `messages.flags` or `messages.expunged` comes, one job, on the
 * command connection of a session whose order cache keeps that folder (threads/order.ts: a
 * window of its conversations was read there), brings that order up to date (an arrival costs
 * O(new messages)), and its `conversations.changed` goes to every listening socket of every
 * session: each changed conversation's row with where it moved from and to (a new message's
 * conversation to the top), or `refetch` when the order was rebuilt (an expunge, conversations
 * merged, or a large folder's head replaced by its full order: order.ts, onComplete). Other
 * sessions' caches catch up at their next window; when a folder's pushes move to another
 * session, the first is a `refetch`. Events that come while a job runs join the next one, one
 * job at a time. Members, and which runs a job: conversation-push-members.ts.
 *
 * Sent. The user's replies in Sent count on the rows of other folders, but no event of those
 * folders says when one is filed (from Ferry or another client). So when Sent's message count
 * changes (`mailbox.status`), the messages filed since the last look are read and the
 * conversations of each kept folder that they belong to are pushed where they stand
 * (SentWatch, conversation-sent.ts), as are the rows served that counted a message deleted
 * there; a burst asks the lists again (`refetch`). A flag change in Sent moves no count: the
 * account watch's NOTIFY reports it (folderChanged, through conversation-push-of.ts), as do
 * Sent's own events where it is watched; then the flags of the Sent messages that the rows
 * served count, changed since the last look (CHANGEDSINCE), are read, the rows counting those
 * that changed are pushed where they stand, and a `messages.flags` of Sent goes to the pages
 * for the reader's collapsed lines. Sent is read on the account's Sent connection (deps.sent).
 *
 * At once. A new message that references a conversation whose row the bridge served (its
 * Message-ID and References come with the row of `messages.new`: imap/rows.ts, threads/known.ts)
 * moves that row before any IMAP command (placeAtOnce): the order cache places it
 * (order.ts placeKnown) and checks it against the folder's older messages afterwards, and the
 * job that follows reads the conversation's row from the server and pushes it only where it
 * differs; a placement the folder contradicts rebuilds the order, and the lists ask again.
 * Only an arrival about a conversation not served waits for the server.
 *
 * A folder whose kept order was lost (a push that failed, the order pushed out of the cache) is
 * sent `refetch` once, so the lists on screen ask again and its order is kept anew. So is one
 * served from an order only the account's kept orders hold: the sign-in answer's, read on the
 * connection that checked the password (session/inbox-head.ts), until the page asks for a
 * window over its socket; its rows are known here (servedElsewhere), so a change in Sent that
 * they count asks that too.
 */
import type { TConversationRow, TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { forgetSpecialFolders } from "../imap/mailboxes";
import { placeAtOnce } from "../threads/at-once";
import { conversationCacheOf, conversationChanges } from "../threads/conversations";
import type { ConversationCache } from "../threads/order";
import {
  type ConversationPushDeps,
  type PushMember as Member,
  PushMembers,
} from "./conversation-push-members";
import { SentWatch } from "./conversation-sent";

export type { ConversationPushDeps };

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

export class ConversationPush {
  private readonly members = new PushMembers((frame) => this.onEvent(frame), this);
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
  /** Folders sent `refetch` for an order kept elsewhere (lost), until one is kept here. */
  private readonly askedAgain = new Set<string>();

  /** With `deps`: a push of that one session (more join with `join`). */
  constructor(deps?: ConversationPushDeps) {
    if (deps) this.join(this, deps);
  }

  /** Session `member` (its MailSession) shares this push; its events are followed. */
  join(member: object, deps: ConversationPushDeps): void {
    this.members.join(member, deps);
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

  /** `rows` of `path` were served from the sign-in's read, on no member's cache. */
  servedElsewhere(path: string, uidValidity: number, rows: readonly TConversationRow[]): void {
    this.members.servedElsewhere(path, uidValidity, rows);
  }

  /**
   * The server reported a change in folder `path` (NOTIFY: also a flag change that moves no
   * count): when it is Sent, the flags of its messages that rows count are looked at.
   */
  folderChanged(path: string): void {
    if (!this.sent.isSent(path) || !this.members.listened()) return;
    this.sent.flagsChanged = true;
    void this.drain();
  }

  /** Stops listening to the sessions' events. */
  close(): void {
    for (const stop of this.detach.splice(0)) stop();
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
      this.askedAgain.delete(path);
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
      for (const m of this.members.all()) if (m.client) forgetSpecialFolders(m.client);
      return;
    }
    if (frame.type === "mailbox.status") {
      this.folderChanged(frame.mailbox);
      if (!this.sent.countChanged(frame) || !this.members.listened()) return;
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
    if (!this.members.listened()) return;
    if (frame.type !== "messages.new") this.folderChanged(frame.mailbox);
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
        if (this.sent.flagsChanged) {
          this.sent.flagsChanged = false;
          await this.followSentFlags();
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
    const m = this.members.runner(path);
    const cache = m?.cache;
    const client = m?.client;
    if (!m || !cache || !client || !cache.has(path)) return [];
    if (this.told.size > MAX_TOLD) this.told.clear();
    const changes = placeAtOnce(client, cache, frame, m.deps.me);
    for (const c of changes)
      this.told.set(c.conversation.newest.uid, JSON.stringify(c.conversation));
    if (changes.length === 0) return [];
    this.members.send({
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
   * to, and the rows that counted a message deleted there, are pushed where they stand; a burst
   * has their lists ask again.
   */
  private async followSent(): Promise<void> {
    const m = this.members.runner(null);
    if (!m) return;
    try {
      // With the folders served from the sign-in's read: a reply filed there asks their lists.
      const kept = [...new Set([...this.kept.keys(), ...this.members.servedOnly()])];
      const held = (mailbox: string, uidValidity: number) =>
        this.members.heldIn([...this.kept.keys()], mailbox, uidValidity);
      const pushes = await this.runOn(m, (client) =>
        this.sent.follow(client, m.deps.sent, kept, held),
      );
      for (const p of pushes) this.enqueue(p.path, false, p.touched, p.refetch);
    } catch (err) {
      this.sent.mark = undefined;
      m.deps.log.debug({ err }, "live: conversation push of Sent failed");
    }
  }

  /**
   * Sent changed: the flags of its messages that the rows served count, changed since the last
   * look, go to the pages (`messages.flags` of Sent) and the rows counting them are pushed.
   */
  private async followSentFlags(): Promise<void> {
    const m = this.members.runner(null);
    if (!m) return;
    const held = (mailbox: string, uidValidity: number) =>
      this.members.heldIn([...this.kept.keys()], mailbox, uidValidity);
    try {
      const found = await this.runOn(m, (client) =>
        this.sent.followFlags(client, m.deps.sent, held),
      );
      if (found.frame) this.members.send(found.frame);
      for (const p of found.pushes) this.enqueue(p.path, false, p.touched, p.refetch);
    } catch (err) {
      m.deps.log.debug({ err }, "live: conversation push of Sent's flags failed");
    }
  }

  /**
   * The lists of `path` are told to ask again: its order is no longer kept here, or (`elsewhere`)
   * it never was and the account's kept order of it says what the lists were served (once, until
   * it is kept here).
   */
  private lost(path: string, elsewhere: Kept | null = null): void {
    const kept =
      this.kept.get(path) ?? (elsewhere && !this.askedAgain.has(path) ? elsewhere : undefined);
    if (!kept) return;
    this.kept.delete(path);
    if (elsewhere) this.askedAgain.add(path);
    this.members.send({
      type: "conversations.changed",
      mailbox: path,
      uidValidity: kept.uidValidity,
      total: kept.total,
      changes: [],
      refetch: true,
    });
  }

  private async push(path: string, pending: Pending): Promise<void> {
    const m = this.members.runner(path);
    if (!m) return;
    const used: { cache: ConversationCache | null; elsewhere: Kept | null } = {
      cache: null,
      elsewhere: null,
    };
    try {
      const found = await this.runOn(m, (client, cache) => {
        used.cache = cache;
        used.elsewhere = cache.keptElsewhere(path);
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
        this.lost(path, used.elsewhere);
        return;
      }
      this.askedAgain.delete(path);
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
      this.members.send({
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
