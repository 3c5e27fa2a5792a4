/**
 * What the user does to mail: flags (read, unread, star), archive, delete, move, and report spam /
 * not spam (keywords $Junk / $NotJunk set by the bridge, then a move to Junk / the Inbox). Each
 * action changes the cache at once (optimistic), sends the request, and puts the cache back if the
 * bridge refuses. Moves that take mail away offer Undo, which moves it back using the new UIDs
 * the server reported (for spam, also taking the keyword off again). Offline (lib/offline-sync),
 * flags and moves change the cache the same way and wait in the offline queue instead.
 */
import type { TMailbox, TMessageRow, TServerFrameOf, TSpecialUse, TUidSet } from "@ferry/protocol";
import { FerryError } from "./errors";
import { t } from "./i18n";
import { applyRemoved, editFlags, type ListData, updateFlags } from "./list-cache";
import { keys, type MessageData, queryClient, socket } from "./mail-client";
import type { QueuedRequest } from "./offline-queue";
import { actingOffline, enqueue } from "./offline-sync";
import { showToast } from "./toasts";

export const SEEN = "\\Seen";
export const FLAGGED = "\\Flagged";

type Snapshot = Array<[readonly unknown[], unknown]>;

function snapshot(mailbox: string): Snapshot {
  return [
    ...queryClient.getQueriesData({ queryKey: keys.lists(mailbox) }),
    ...queryClient.getQueriesData({ queryKey: keys.messages(mailbox) }),
    ...queryClient.getQueriesData({ queryKey: keys.mailboxes }),
  ];
}

function restore(s: Snapshot): void {
  for (const [key, data] of s) queryClient.setQueryData(key, data);
}

function knownRows(mailbox: string, uids: number[]): TMessageRow[] {
  const want = new Set(uids);
  const found = new Map<number, TMessageRow>();
  for (const [, data] of queryClient.getQueriesData<ListData>({ queryKey: keys.lists(mailbox) })) {
    for (const row of Object.values(data?.rows ?? {}))
      if (want.has(row.uid)) found.set(row.uid, row);
  }
  return [...found.values()];
}

function adjustCounts(path: string | null, messages: number, unseen: number): void {
  if (!path) return;
  queryClient.setQueryData<TMailbox[]>(keys.mailboxes, (list) =>
    list?.map((m) =>
      m.path === path
        ? {
            ...m,
            messages: m.messages === null ? null : Math.max(0, m.messages + messages),
            unseen: m.unseen === null ? null : Math.max(0, m.unseen + unseen),
          }
        : m,
    ),
  );
}

function mailboxByRole(role: TSpecialUse): TMailbox | undefined {
  return queryClient.getQueryData<TMailbox[]>(keys.mailboxes)?.find((m) => m.specialUse === role);
}

export function reasonOf(err: unknown): string {
  if (err instanceof FerryError) return t(`error.${err.code}`);
  return t("error.internal");
}

function failed(err: unknown): void {
  showToast({ text: t("toast.failed", { reason: reasonOf(err) }), tone: "error" });
}

/** Offline: keeps `frame` for the next connection. False when it could not be kept. */
async function queued(frame: QueuedRequest): Promise<boolean> {
  if (!actingOffline()) return false;
  try {
    await enqueue(frame);
    return true;
  } catch {
    return false;
  }
}

/** Add and remove flags on a set of messages, optimistically. */
export async function setFlags(set: TUidSet, add: string[], remove: string[]): Promise<void> {
  const before = snapshot(set.mailbox);
  const rows = knownRows(set.mailbox, set.uids);
  let unseenDelta = 0;
  if (add.includes(SEEN)) unseenDelta -= rows.filter((r) => !r.flags.includes(SEEN)).length;
  if (remove.includes(SEEN)) unseenDelta += rows.filter((r) => r.flags.includes(SEEN)).length;

  for (const [key, data] of queryClient.getQueriesData<ListData>({
    queryKey: keys.lists(set.mailbox),
  })) {
    if (data) queryClient.setQueryData(key, updateFlags(data, set.uids, add, remove));
  }
  for (const uid of set.uids) {
    const key = keys.message({ mailbox: set.mailbox, uidValidity: set.uidValidity, uid });
    queryClient.setQueryData<MessageData>(key, (m) =>
      m ? { ...m, header: { ...m.header, flags: editFlags(m.header.flags, add, remove) } } : m,
    );
  }
  adjustCounts(set.mailbox, 0, unseenDelta);
  if (await queued({ type: "flags.update", set, add, remove })) return;

  try {
    await socket.request({ type: "flags.update", set, add, remove });
  } catch (err) {
    restore(before);
    failed(err);
  }
}

export type MoveKind = "archive" | "delete" | "move" | "spam" | "not-spam";

/**
 * Take messages out of their mailbox (archive, delete, move), optimistically, with an Undo
 * toast. Resolves true when the bridge confirmed, or (offline) when the move waits in the queue.
 * `conversations`: how many conversation rows the messages are (the archive toast counts them).
 */
export async function moveMessages(
  kind: MoveKind,
  set: TUidSet,
  to?: { path: string; name: string },
  conversations?: number,
): Promise<boolean> {
  const before = snapshot(set.mailbox);
  const rows = knownRows(set.mailbox, set.uids);
  const unseen = rows.filter((r) => !r.flags.includes(SEEN)).length;
  const sourceRole = queryClient
    .getQueryData<TMailbox[]>(keys.mailboxes)
    ?.find((m) => m.path === set.mailbox)?.specialUse;
  const expunging = kind === "delete" && sourceRole === "trash";
  const dest =
    kind === "move"
      ? (to?.path ?? null)
      : kind === "spam"
        ? (to?.path ?? mailboxByRole("junk")?.path ?? null)
        : kind === "not-spam"
          ? (to?.path ?? "INBOX")
          : kind === "archive"
            ? (mailboxByRole("archive")?.path ?? null)
            : expunging
              ? null
              : (mailboxByRole("trash")?.path ?? null);
  const destBefore = dest && dest !== set.mailbox ? snapshot(dest) : [];

  for (const [key, data] of queryClient.getQueriesData<ListData>({
    queryKey: keys.lists(set.mailbox),
  })) {
    if (data && (data.uidValidity === null || data.uidValidity === set.uidValidity)) {
      queryClient.setQueryData(key, applyRemoved(data, set.uids));
    }
  }
  adjustCounts(set.mailbox, -set.uids.length, -unseen);
  if (dest !== set.mailbox) adjustCounts(dest, set.uids.length, unseen);

  const frame: QueuedRequest =
    kind === "spam" || kind === "not-spam"
      ? {
          type: "messages.spam",
          set,
          verdict: kind === "spam" ? "spam" : "not_spam",
          ...(to ? { to: to.path } : {}),
        }
      : kind === "archive"
        ? { type: "messages.archive", set }
        : kind === "delete"
          ? { type: "messages.delete", set }
          : { type: "messages.move", set, to: to?.path ?? "" };
  if (await queued(frame)) {
    showToast({ text: t("offline.queued") });
    return true;
  }

  let reply: TServerFrameOf<"messages.moved">;
  try {
    reply =
      kind === "spam" || kind === "not-spam"
        ? await socket.request({
            type: "messages.spam",
            set,
            verdict: kind === "spam" ? "spam" : "not_spam",
            ...(to ? { to: to.path } : {}),
          })
        : kind === "archive"
          ? await socket.request({ type: "messages.archive", set })
          : kind === "delete"
            ? await socket.request({ type: "messages.delete", set })
            : await socket.request({ type: "messages.move", set, to: to?.path ?? "" });
  } catch (err) {
    restore(before);
    restore(destBefore);
    failed(err);
    return false;
  }

  const count = set.uids.length;
  const text =
    kind === "spam"
      ? t("toast.spam", { count })
      : kind === "not-spam"
        ? t("toast.notSpam", { count })
        : kind === "archive"
          ? t("toast.archived", { count: conversations ?? count })
          : kind === "delete"
            ? reply.to === null
              ? t("toast.deletedForever", { count })
              : t("toast.deleted", { count })
            : t("toast.moved", { count, folder: to?.name ?? reply.to ?? "" });
  const canUndo = reply.to !== null && reply.uidMap !== null && reply.uidMap.length > 0;
  showToast({
    text,
    ...(canUndo
      ? {
          action: {
            label: t("action.undo"),
            run: () =>
              undoMove(
                reply,
                set.mailbox,
                kind === "spam" || kind === "not-spam" ? "spam" : "move",
              ),
          },
        }
      : {}),
  });
  if (reply.to) void queryClient.invalidateQueries({ queryKey: keys.lists(reply.to) });
  return true;
}

/**
 * Move messages back where they came from, by the UIDs they got in the destination. `spam`
 * undoes a spam verdict: the bridge also takes $Junk and $NotJunk off.
 */
export async function undoMove(
  reply: TServerFrameOf<"messages.moved">,
  source: string,
  how: "move" | "spam" = "move",
): Promise<void> {
  const to = reply.to;
  const uids = (reply.uidMap ?? []).map(([, dest]) => dest).filter((u) => u > 0);
  if (!to || uids.length === 0) return;
  try {
    let uidValidity = reply.toUidValidity ?? null;
    if (uidValidity === null) {
      const head = await socket.request({
        type: "list.window",
        mailbox: to,
        offset: 0,
        limit: 1,
        query: null,
      });
      uidValidity = head.uidValidity;
    }
    const back = { mailbox: to, uidValidity, uids };
    if (how === "spam") {
      await socket.request({ type: "messages.spam", set: back, verdict: "none", to: source });
    } else {
      await socket.request({ type: "messages.move", set: back, to: source });
    }
    showToast({ text: t("toast.undone") });
  } catch (err) {
    showToast({ text: `${t("toast.undoFailed")}: ${reasonOf(err)}`, tone: "error" });
  }
}

export async function markAllRead(mailbox: string): Promise<void> {
  const before = snapshot(mailbox);
  for (const [key, data] of queryClient.getQueriesData<ListData>({
    queryKey: keys.lists(mailbox),
  })) {
    if (!data) continue;
    const uids = Object.values(data.rows).map((r) => r.uid);
    queryClient.setQueryData(key, updateFlags(data, uids, [SEEN], []));
  }
  queryClient.setQueryData<TMailbox[]>(keys.mailboxes, (list) =>
    list?.map((m) => (m.path === mailbox ? { ...m, unseen: 0 } : m)),
  );
  try {
    await socket.requestNow({ type: "mailbox.markAllRead", mailbox });
  } catch (err) {
    restore(before);
    failed(err);
  }
}

/**
 * For a link to a file the bridge serves (an attachment's download): offline, the browser's own
 * download would fail in its downloads list with no word in the page, so it is stopped here and
 * the reason shown in the page.
 */
export function refuseOfflineLink(e: { preventDefault(): void }): void {
  if (typeof navigator === "undefined" || navigator.onLine !== false) return;
  e.preventDefault();
  showToast({ tone: "error", text: t("reader.downloadOffline") });
}
