/**
 * Dispatch of one validated client frame: the compose frames go to the compose service, the
 * rest to a `switch` on their type with an exhaustiveness check. Each answer goes through
 * `answer`, which the compiler checks against the protocol's REPLIES for that request.
 * IMAP work goes through the session's MailSession (`live.mail.run`); replies go to the
 * requesting socket only. The open mailbox and its mode are the requesting
 * socket's (`owner`): a set in a mailbox this socket opened read-only is refused read_only,
 * whatever other tabs of the session have open. A change to the folder tree is also announced
 * (`announceFolders`) to every socket of the same account on this bridge.
 */
import {
  DEFAULT_SORT,
  isComposeClientFrame,
  isRulesClientFrame,
  type TClientFrame,
  type TReplyFrameOf,
  type TServerFrame,
  type TUidSet,
} from "@ferry/protocol";
import type { ComposeService } from "../compose/service";
import { BridgeError } from "../errors";
import {
  archiveMessages,
  copyMessages,
  deleteMessages,
  markAllRead,
  moveMessages,
  updateFlags,
} from "../imap/actions";
import {
  createFolder,
  deleteFolder,
  emptyFolder,
  renameFolder,
  subscribeFolder,
} from "../imap/folders";
import { listMailboxes } from "../imap/mailboxes";
import { rowsForRefs } from "../imap/member-rows";
import { type OpenMessageFrame, openMessage } from "../imap/message";
import { readQuota } from "../imap/quota";
import { scopedWindow } from "../imap/search-everywhere";
import { readsOnSent } from "../imap/sent-side";
import { listWindow } from "../imap/window";
import { conversationPushOf } from "../live/conversation-push-of";
import { expectFolderEcho } from "../live/folder-echoes";
import { sentConnectionOf } from "../live/sent-connection";
import type { Logger } from "../log";
import { parseScopedQuery } from "../search";
import { takeConversationsHead, takeInboxHead } from "../session/inbox-head";
import type { LiveSession, MailboxOwner } from "../session/live";
import type { SettingsService } from "../settings/service";
import type { SnoozeService } from "../snooze/service";
import { conversationWindow } from "../threads/conversations";
import { answerRulesFrame, type RulesFrameDeps } from "./rules-frames";

export interface DispatchContext {
  live: LiveSession;
  /** The socket the request came from: owner of its open mailbox (MailSession.openMailbox). */
  owner: MailboxOwner;
  /** Sends a frame to the socket the request came from. */
  reply: (frame: TServerFrame) => void;
  log: Logger;
  /** Writing mail (bridge/src/compose); the compose frames are refused without it. */
  compose?: ComposeService | undefined;
  /** Tells every socket of this account on this bridge that the folder tree changed. */
  announceFolders?: (() => void) | undefined;
  /** Settings that follow the user (bridge/src/settings); its frames are refused without it. */
  settings?: SettingsService | undefined;
  /** Snoozing messages (bridge/src/snooze); its frames are refused without it. */
  snooze?: SnoozeService | undefined;
  /** Filters, vacation, spam and unsubscribe (ws/rules-frames.ts); refused without it. */
  rules?: RulesFrameDeps | undefined;
}

/**
 * Reads that a message being opened may go ahead of on the command connection: their answers
 * stand whether or not an open ran first, and the open is what the user is looking at.
 */
const YIELDS = { yields: true } as const;

export async function dispatch(frame: TClientFrame, ctx: DispatchContext): Promise<void> {
  const { live, reply, owner } = ctx;
  const mail = live.mail;
  /** The mode `mailbox` is open in, when it is this socket's open mailbox. */
  const modeOf = (mailbox: string): { readOnly?: boolean } => {
    const open = mail.openedBy(owner);
    return open?.mailbox === mailbox ? { readOnly: open.readOnly } : {};
  };
  const actionOpts = (set: TUidSet) => ({ readOnly: modeOf(set.mailbox).readOnly === true });
  /** This socket is sent the live conversation rows of the session (conversations.changed). */
  const conversationPush = () =>
    conversationPushOf(mail, () => ({
      run: (fn) => mail.run(fn),
      subscribe: (fn) => mail.subscribe(fn),
      me: [live.email],
      alive: (socket) => (live.sockets as Set<object>).has(socket),
      log: ctx.log,
      sent: sentConnectionOf(mail),
    }));
  const listenToConversations = () => conversationPush().listen(owner, reply);
  /** Sends one of the frames the protocol lets `request` be answered with. */
  const answer = <F extends TClientFrame>(_request: F, out: TReplyFrameOf<F["type"]>): void =>
    reply(out);

  if (isRulesClientFrame(frame)) {
    if (!ctx.rules) throw new BridgeError("internal", "Filters are not available here.");
    const readOnly = (mailbox: string) => modeOf(mailbox).readOnly === true;
    await answerRulesFrame(frame, { live, reply, readOnly }, ctx.rules);
    return;
  }
  if (isComposeClientFrame(frame)) {
    if (!ctx.compose) throw new BridgeError("internal", "Writing mail is not available here.");
    // Saved identities reach the account's other tabs too.
    const settings = frame.type === "identities.save" ? ctx.settings : undefined;
    await ctx.compose.handle(frame, {
      live,
      reply: (out) => {
        reply(out);
        if (settings && out.type === "identities") {
          settings.identitiesChanged(live.account, out.identities);
        }
      },
    });
    return;
  }
  switch (frame.type) {
    case "ping":
      answer(frame, { type: "pong", id: frame.id });
      return;
    case "mailboxes.list": {
      const mailboxes = await mail.run((client) => listMailboxes(client), YIELDS);
      answer(frame, { type: "mailboxes", id: frame.id, mailboxes });
      return;
    }
    case "mailbox.open": {
      // Its first window of conversations may have come with the sign-in answer.
      listenToConversations();
      const opened = await mail.openMailbox(frame.path, frame.readOnly, owner);
      answer(frame, { type: "mailbox.opened", id: frame.id, ...opened });
      return;
    }
    case "list.window": {
      // Parse before touching IMAP: a bad query is the user's typo, answered at once.
      const scoped = frame.query === null ? null : parseScopedQuery(frame.query);
      const query = scoped?.search ?? null;
      const scope = scoped?.scope;
      if (scope && scope.kind !== "mailbox" && query) {
        const result = await mail.run(
          (client) =>
            scopedWindow(client, {
              mailbox: frame.mailbox,
              scope,
              query,
              offset: frame.offset,
              limit: frame.limit,
              ...modeOf(frame.mailbox),
            }),
          YIELDS,
        );
        answer(frame, { type: "list.window", id: frame.id, query: frame.query, ...result });
        return;
      }
      const sorted =
        frame.sort !== undefined &&
        (frame.sort.key !== DEFAULT_SORT.key || frame.sort.reverse !== DEFAULT_SORT.reverse);
      if (frame.conversations === true && query === null && !sorted) {
        // Read ahead at sign-in (inbox-head.ts), it holds every change pushed before it.
        const prefetched =
          modeOf(frame.mailbox).readOnly !== true ? takeConversationsHead(mail, frame) : null;
        const rev = mail.revision(frame.mailbox);
        listenToConversations();
        const shared = prefetched && (await prefetched.catch(() => null));
        // Its rows were read on no cache of this session: the push is told, for Sent's changes.
        if (shared?.conversations)
          conversationPush().servedElsewhere(
            frame.mailbox,
            shared.uidValidity,
            shared.conversations,
          );
        const result =
          shared ??
          (await mail.run(
            (client) =>
              conversationWindow(client, {
                mailbox: frame.mailbox,
                offset: frame.offset,
                limit: frame.limit,
                me: [live.email],
                sent: sentConnectionOf(mail),
                ...modeOf(frame.mailbox),
              }),
            YIELDS,
          ));
        answer(frame, {
          type: "list.window",
          id: frame.id,
          query: frame.query,
          ...result,
          ...(rev ? { rev } : {}),
        });
        return;
      }
      // In another order too: the sign-in answer's read in the user's kept order.
      const prefetched =
        modeOf(frame.mailbox).readOnly !== true ? takeInboxHead(mail, frame) : null;
      // Read before the window is (it asks the server first), or while nothing was pushed since
      // the prefetched one was: the window holds every change pushed before it.
      const rev = mail.revision(frame.mailbox);
      const result =
        (prefetched && (await prefetched.catch(() => null))) ??
        (await mail.run(
          (client) =>
            listWindow(client, {
              mailbox: frame.mailbox,
              offset: frame.offset,
              limit: frame.limit,
              query,
              sort: frame.sort,
              ...modeOf(frame.mailbox),
            }),
          YIELDS,
        ));
      answer(frame, {
        type: "list.window",
        id: frame.id,
        query: frame.query,
        ...result,
        ...(rev ? { rev } : {}),
      });
      return;
    }
    case "message.open": {
      const emit = (part: OpenMessageFrame) => answer(frame, { ...part, id: frame.id });
      // A reply in Sent opened from another folder's conversation: read where Sent stays selected.
      const sent = sentConnectionOf(mail);
      if (readsOnSent(sent, frame.ref.mailbox, mail.openedBy(owner)?.mailbox)) {
        await sent.run((side) => openMessage(side, frame.ref, emit, { readOnly: true }));
        return;
      }
      // The user's open goes ahead of the lists and folders a new session reads (YIELDS).
      await mail.run(
        (client) => openMessage(client, frame.ref, emit, { ...modeOf(frame.ref.mailbox) }),
        frame.background === true ? { background: true } : { urgent: true },
      );
      return;
    }
    case "messages.rows": {
      const found = await mail.run(
        (client) =>
          rowsForRefs(
            client,
            frame.refs,
            (mailbox) => modeOf(mailbox).readOnly,
            sentConnectionOf(mail),
          ),
        { background: frame.background === true },
      );
      answer(frame, { type: "messages.rows", id: frame.id, ...found });
      return;
    }
    case "flags.update":
      await mail.run((client) =>
        updateFlags(client, frame.set, frame.add, frame.remove, actionOpts(frame.set)),
      );
      answer(frame, { type: "ok", id: frame.id });
      return;
    case "messages.move":
    case "messages.copy": {
      const op = frame.type === "messages.move" ? moveMessages : copyMessages;
      const moved = await mail.run((client) =>
        op(client, frame.set, frame.to, actionOpts(frame.set)),
      );
      answer(frame, { type: "messages.moved", id: frame.id, ...moved });
      return;
    }
    case "messages.archive":
    case "messages.delete": {
      const op = frame.type === "messages.archive" ? archiveMessages : deleteMessages;
      const moved = await mail.run((client) => op(client, frame.set, actionOpts(frame.set)));
      answer(frame, { type: "messages.moved", id: frame.id, ...moved });
      return;
    }
    case "mailbox.markAllRead":
      await mail.run((client) => markAllRead(client, frame.mailbox, modeOf(frame.mailbox)));
      answer(frame, { type: "ok", id: frame.id });
      return;
    case "quota.get": {
      const quota = await mail.run((client) => readQuota(client), YIELDS);
      answer(frame, { type: "quota", id: frame.id, quota });
      return;
    }
    case "folder.create":
    case "folder.rename":
    case "folder.delete":
    case "folder.subscribe":
    case "folder.empty": {
      // Announced below; the server's NOTIFY report of the same change is then an echo.
      const note = (paths: readonly string[]) => expectFolderEcho(mail, paths);
      const result = await mail.run((client) => {
        switch (frame.type) {
          case "folder.create":
            return createFolder(client, frame.parent, frame.name, note);
          case "folder.rename":
            return renameFolder(client, frame.path, frame.parent, frame.name, note);
          case "folder.delete":
            return deleteFolder(client, frame.path, note);
          case "folder.subscribe":
            return subscribeFolder(client, frame.path, frame.subscribed, note);
          case "folder.empty":
            return emptyFolder(client, frame.path);
        }
      });
      answer(frame, { type: "folder.done", id: frame.id, ...result });
      ctx.announceFolders?.();
      return;
    }
    case "settings.get":
    case "settings.save": {
      if (!ctx.settings) throw new BridgeError("internal", "Settings are not available here.");
      const stored =
        frame.type === "settings.get"
          ? await ctx.settings.get(live.account)
          : await ctx.settings.save(live.account, frame.change);
      answer(frame, { type: "settings", id: frame.id, ...stored });
      return;
    }
    case "snooze.set":
    case "snooze.list":
    case "snooze.wake": {
      const snooze = ctx.snooze;
      if (!snooze) throw new BridgeError("internal", "Snooze is not available here.");
      if (frame.type === "snooze.set") {
        if (modeOf(frame.set.mailbox).readOnly) {
          throw new BridgeError("read_only", "This folder is open read-only.");
        }
        await snooze.snooze(live, frame.set, frame.wakeAt);
      }
      const snoozes =
        frame.type === "snooze.wake"
          ? await snooze.wakeNow(live, frame.ids)
          : await snooze.list(live);
      answer(frame, { type: "snoozes", id: frame.id, snoozes });
      return;
    }
    default: {
      const unhandled: never = frame;
      void unhandled;
      throw new BridgeError("bad_request", "Unknown frame type.");
    }
  }
}
