/**
 * What the user does to folders: create, rename, move, delete, subscribe, empty, and copy
 * messages into one. Each request's answer carries the new folder tree, which replaces the
 * cached one at once (other tabs refetch it when the bridge tells them); a tab showing a folder
 * that was renamed or deleted here follows it (or goes to the inbox). Failures are toasts with
 * the reason.
 */
import type { TClientFrameType, TMailbox, TRequestOf, TUidSet } from "@ferry/protocol";
import { reasonOf } from "./actions";
import { t } from "./i18n";
import { keys, queryClient, socket } from "./mail-client";
import { getRoute, navigate } from "./route";
import { showToast } from "./toasts";

type FolderRequest = TRequestOf<
  Extract<
    TClientFrameType,
    "folder.create" | "folder.rename" | "folder.delete" | "folder.subscribe" | "folder.empty"
  >
>;

/** Sends a folder request; the new tree goes into the cache. The folder's path after, or throws. */
async function change(request: FolderRequest): Promise<string | null> {
  const reply = await socket.requestNow(request);
  queryClient.setQueryData<TMailbox[]>(keys.mailboxes, reply.mailboxes);
  return reply.path;
}

function failed(err: unknown): void {
  showToast({ text: t("toast.failed", { reason: reasonOf(err) }), tone: "error" });
}

/** Is `path` the folder `top` or inside it? */
export function isWithin(path: string, top: string, delimiter: string | null): boolean {
  return path === top || (delimiter !== null && path.startsWith(`${top}${delimiter}`));
}

/** The tab follows a folder it shows that moved from `from` to `to` (null: deleted). */
function follow(from: string, to: string | null, delimiter: string | null): void {
  const route = getRoute();
  if (!isWithin(route.folder, from, delimiter)) return;
  const folder = to === null ? "INBOX" : `${to}${route.folder.slice(from.length)}`;
  navigate({ folder, msg: null, q: null, view: null }, { replace: true });
}

/** Creates `name` inside `parent` (null: top level). Rejects with the FerryError, for the form. */
export async function createFolder(parent: string | null, name: string): Promise<void> {
  const path = await change({ type: "folder.create", parent, name });
  showToast({ text: t("toast.folderCreated", { name: path ?? name }) });
}

/** Renames or moves `folder`. Rejects with the FerryError, for the form. */
export async function renameFolder(
  folder: TMailbox,
  parent: string | null,
  name: string,
): Promise<void> {
  const path = await change({ type: "folder.rename", path: folder.path, parent, name });
  follow(folder.path, path, folder.delimiter);
  showToast({
    text:
      parent === folder.parent
        ? t("toast.folderRenamed", { name })
        : t("toast.folderMoved", { name }),
  });
}

export async function deleteFolder(folder: TMailbox): Promise<void> {
  try {
    await change({ type: "folder.delete", path: folder.path });
  } catch (err) {
    failed(err);
    return;
  }
  follow(folder.path, null, folder.delimiter);
  showToast({ text: t("toast.folderDeleted", { name: folder.name }) });
}

/** Subscribes or unsubscribes, shown at once (a checkbox follows the click), undone on failure. */
export async function setSubscribed(folder: TMailbox, subscribed: boolean): Promise<void> {
  const before = queryClient.getQueryData<TMailbox[]>(keys.mailboxes);
  queryClient.setQueryData<TMailbox[]>(keys.mailboxes, (list) =>
    list?.map((m) => (m.path === folder.path ? { ...m, subscribed } : m)),
  );
  try {
    await change({ type: "folder.subscribe", path: folder.path, subscribed });
  } catch (err) {
    queryClient.setQueryData(keys.mailboxes, before);
    failed(err);
  }
}

/** Empties Trash or Junk for good; the lists of that folder start over. */
export async function emptyFolder(folder: TMailbox, label: string): Promise<void> {
  try {
    await change({ type: "folder.empty", path: folder.path });
  } catch (err) {
    failed(err);
    return;
  }
  void queryClient.invalidateQueries({ queryKey: keys.lists(folder.path) });
  showToast({ text: t("toast.folderEmptied", { name: label }) });
}

/** Copies messages to `to`; the source is unchanged. */
export async function copyMessages(set: TUidSet, to: TMailbox, label: string): Promise<void> {
  try {
    await socket.requestNow({ type: "messages.copy", set, to: to.path });
  } catch (err) {
    failed(err);
    return;
  }
  void queryClient.invalidateQueries({ queryKey: keys.lists(to.path) });
  void queryClient.invalidateQueries({ queryKey: keys.mailboxes });
  showToast({ text: t("toast.copied", { count: set.uids.length, folder: label }) });
}
