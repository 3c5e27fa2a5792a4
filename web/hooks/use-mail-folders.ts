/**
 * The mailbox screen's folders: the ones the folder pane shows and the one the route has open.
 * When the open folder is deleted or renamed elsewhere, it says so and goes to the inbox.
 */
import type { TMailbox } from "@ferry/protocol";
import { useEffect, useMemo } from "react";
import { t } from "@/lib/i18n";
import { navigate, type Route } from "@/lib/route";
import { showToast } from "@/lib/toasts";
import { roleOf, sortFolders, useMailboxes } from "./use-mailboxes";

/** When this page started: a folder list fetched before it (restored from storage) may be old. */
const PAGE_START = Date.now();

export function useMailFolders(route: Route) {
  const mailboxes = useMailboxes();
  // The pane shows subscribed folders (and always Inbox, the special-use ones and the open one).
  const folders = useMemo(
    () =>
      sortFolders(
        (mailboxes.data ?? []).filter(
          (m) => m.subscribed || roleOf(m) !== null || m.path === route.folder,
        ),
      ),
    [mailboxes.data, route.folder],
  );
  const current: TMailbox | undefined = mailboxes.data?.find((m) => m.path === route.folder);
  // The open folder was deleted or renamed elsewhere (another tab, device or client): say so
  // and go to the inbox, once the tree is one fetched by this page.
  const folderGone =
    mailboxes.data !== undefined &&
    !mailboxes.isFetching &&
    mailboxes.dataUpdatedAt >= PAGE_START &&
    route.folder.toUpperCase() !== "INBOX" &&
    current === undefined;
  useEffect(() => {
    if (!folderGone) return;
    showToast({ text: t("toast.folderGone", { name: route.folder }), tone: "error" });
    navigate({ folder: "INBOX", msg: null, q: null, ro: false, view: null }, { replace: true });
  }, [folderGone, route.folder]);
  return { mailboxes, folders, current };
}
