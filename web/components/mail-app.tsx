"use client";
/**
 * The mailbox screen. On a desktop: folders, message list and reader side by side with
 * resizable splitters. On a phone (≤ 768 px): one of them at a time, with Back. It owns the
 * selection, the keyboard cursor and the actions, and keeps where the user is in the URL.
 */
import {
  SNOOZED_FOLDER,
  type TListSort,
  type TMailbox,
  type TMessageRow,
  type TUidSet,
} from "@ferry/protocol";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { useComposeShortcuts } from "@/hooks/use-compose-shortcuts";
import { prefetchConversationMembers } from "@/hooks/use-conversation-members";
import { findByRole, folderLabel, roleOf, sortFolders, useMailboxes } from "@/hooks/use-mailboxes";
import { useIsPhone } from "@/hooks/use-media-query";
import { useMessageList } from "@/hooks/use-message-list";
import { useOpenedMailbox } from "@/hooks/use-opened-mailbox";
import { useShortcuts } from "@/hooks/use-shortcuts";
import { FLAGGED, markAllRead, moveMessages, reasonOf, SEEN, setFlags } from "@/lib/actions";
import { chunk } from "@/lib/chunk";
import { openComposer, openComposeSettings } from "@/lib/compose/store";
import { conversationUids } from "@/lib/conversations";
import { FerryError } from "@/lib/errors";
import { copyMessages } from "@/lib/folders";
import { t } from "@/lib/i18n";
import { whenIdle } from "@/lib/idle";
import { findRow, type ListData } from "@/lib/list-cache";
import { listCountText } from "@/lib/list-count";
import {
  effectiveSort,
  isDefaultSort,
  loadSortChoice,
  saveSortChoice,
  searchesOtherFolders,
  sortId,
} from "@/lib/list-sort";
import {
  ensureRange,
  fetchMessage,
  keys,
  type MessageData,
  prefetchMessage,
} from "@/lib/mail-client";
import { useOfflineBodies } from "@/lib/offline-bodies-task";
import { openWhenReady } from "@/lib/open-ready";
import { goBack, navigate, useRoute } from "@/lib/route";
import { useSettings } from "@/lib/settings";
import { snoozeMessages } from "@/lib/snooze";
import { showToast } from "@/lib/toasts";
import { useWindowTitle } from "@/lib/unread-badge";
import { ActionBar, type ActionKind } from "./action-bar";
import { ComposeButton, ComposeHost } from "./compose/compose-host";
import { GearIcon } from "./compose/compose-icons";
import { FolderDialogs } from "./folder-dialogs";
import { FolderList } from "./folder-list";
import { folderMenuItems } from "./folder-menu";
import {
  FerryLogo,
  KeyboardIcon,
  LockIcon,
  MailIcon,
  MenuIcon,
  MoreIcon,
  SignOutIcon,
} from "./icons";
import { MenuButton } from "./menu";
import { MessageList } from "./message-list";
import { OutboxEntry } from "./outbox-entry";
import { QuotaMeter } from "./quota-meter";
import { RulesHost, VacationBanner } from "./rules/rules-host";
import { ScheduledEntry, ScheduledView } from "./scheduled-view";
import { SearchBox } from "./search-box";
import { ShortcutsDialog } from "./shortcuts-dialog";
import { SignOutDialog, signOutAfterAsking } from "./sign-out-dialog";
import { SnoozedView } from "./snoozed-view";
import { SortMenu } from "./sort-menu";
import { Splitter } from "./splitter";
import { StatusBar } from "./status-bar";
import { ThemeToggle } from "./theme-toggle";
import { Toasts } from "./toasts";

const EMPTY = new Set<number>();
/** When this page started: a folder list fetched before it (restored from storage) may be old. */
const PAGE_START = Date.now();

// The reader is its own chunk: the first paint of the list doesn't wait for it. It is fetched
// once the list has painted and the page is idle, or sooner when the user reaches for a message
// (hover, focus, a key) or opens one; it renders without a Suspense boundary (lib/chunk.ts).
const readerChunk = chunk(() => import("./reader"));

export function preloadReader(): void {
  void readerChunk.preload().catch(() => undefined);
}

function usePaneWidth(key: string, initial: number): [number, (v: number) => void] {
  const [value, setValue] = useState(() => {
    try {
      const saved = Number(localStorage.getItem(key));
      return saved > 0 ? saved : initial;
    } catch {
      return initial;
    }
  });
  const set = useCallback(
    (v: number) => {
      setValue(v);
      try {
        localStorage.setItem(key, String(v));
      } catch {
        // not saved
      }
    },
    [key],
  );
  return [value, set];
}

const iconButton =
  "touch-target inline-flex items-center justify-center rounded-full text-zinc-600 hover:bg-zinc-200/70 md:min-h-10 md:min-w-10 dark:text-zinc-300 dark:hover:bg-zinc-800";

export function MailApp({ email }: { email: string }) {
  const route = useRoute();
  const isPhone = useIsPhone();
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
  const opened = useOpenedMailbox(route.folder, route.ro);
  const readOnly = route.ro || opened.data?.readOnly === true;
  const [savedSort, setSavedSort] = useState(() => loadSortChoice(email));
  const [serverCanSort, setServerCanSort] = useState(true);
  const otherFolders = searchesOtherFolders(route.q);
  const sort = effectiveSort(route.sort ?? null, savedSort, serverCanSort && !otherFolders);
  // Conversation view groups the plain list only (not a search, not another order).
  const conversations = useSettings().conversations && route.q === null && isDefaultSort(sort);
  const list = useMessageList(route.folder, route.q, sort, conversations);
  const listCanSort = list.data?.canSort;
  useEffect(() => {
    if (listCanSort !== undefined) setServerCanSort(listCanSort);
  }, [listCanSort]);
  const chooseSort = (next: TListSort) => {
    saveSortChoice(email, next);
    setSavedSort(next);
    navigate({ sort: next }, { replace: true });
  };
  const data: ListData | undefined = list.data;
  const searchError =
    list.error instanceof FerryError && list.error.code === "search_syntax" ? list.error : null;
  // Results from several folders are addressed by their own folder, not this one: the actions
  // below (which act on UIDs of `route.folder`) are off for them.
  const uidValidity = otherFolders ? null : (data?.uidValidity ?? opened.data?.uidValidity ?? null);

  // ---- selection and cursor, per list ------------------------------------------------------------
  const listKey = `${route.folder}\u0000${route.q ?? ""}\u0000${sortId(sort)}`;
  const [selection, setSelection] = useState<{
    key: string;
    uids: Set<number>;
    anchor: number | null;
  }>({
    key: listKey,
    uids: new Set(),
    anchor: null,
  });
  const selected = selection.key === listKey ? selection.uids : EMPTY;
  const [cursorState, setCursorState] = useState({ key: listKey, index: 0 });
  const cursor = cursorState.key === listKey ? cursorState.index : 0;
  const setCursor = useCallback(
    (index: number) =>
      setCursorState((was) =>
        was.key === listKey && was.index === index ? was : { key: listKey, index },
      ),
    [listKey],
  );

  const openRef = route.msg ? { mailbox: route.folder, ...route.msg } : null;
  const Reader = readerChunk.useModule(openRef !== null)?.Reader;
  // Once the first rows are on screen, fetch the reader's code while the page is idle.
  const listPainted = data !== undefined;
  useEffect(() => {
    if (!listPainted || readerChunk.loaded) return;
    return whenIdle(preloadReader);
  }, [listPainted]);
  const openFound = route.msg ? findRow(data, route.msg.uid) : null;
  const openIndex = openFound?.index ?? null;
  useEffect(() => {
    if (openIndex !== null) setCursor(openIndex);
  }, [openIndex, setCursor]);

  const scrollToIndex = useRef<(i: number) => void>(() => undefined);
  const registerScroll = useCallback((fn: (i: number) => void) => {
    scrollToIndex.current = fn;
  }, []);

  // A conversation row stands for all of its messages in this folder.
  const targetUids: number[] = conversationUids(
    data,
    selected.size > 0 ? [...selected] : openRef ? [openRef.uid] : [],
  );
  const targetRows: TMessageRow[] = useMemo(() => {
    if (!data) return [];
    const want = new Set(targetUids);
    return Object.values(data.rows).filter((r) => want.has(r.uid));
  }, [data, targetUids.join(",")]);

  // ---- navigation --------------------------------------------------------------------------------
  const openMessage = useCallback(
    (row: TMessageRow, index: number, opts: { replace?: boolean } = {}) => {
      if (row.mailbox !== undefined && row.uidValidity !== undefined) {
        // A result from another folder opens there; the search stays on screen.
        setCursor(index);
        navigate(
          { folder: row.mailbox, msg: { uidValidity: row.uidValidity, uid: row.uid }, view: null },
          opts.replace ? { replace: true } : { backable: true },
        );
        return;
      }
      if (!data?.uidValidity) return;
      if (current?.specialUse === "drafts") {
        // A draft opens in the composer, to be finished there.
        setCursor(index);
        openComposer({
          kind: "context",
          mode: "draft",
          ref: { mailbox: route.folder, uidValidity: data.uidValidity, uid: row.uid },
        });
        return;
      }
      const { uidValidity, rows } = data;
      const mailbox = route.folder;
      const conversation = data.conversations?.[row.uid];
      if (conversation)
        prefetchConversationMembers(conversation, { mailbox, uidValidity, uid: row.uid });
      // Asked for now; the reader shows once its text is in, in one render (lib/open-ready.ts).
      openWhenReady(
        { mailbox, uidValidity, uid: row.uid },
        () => {
          flushSync(() => {
            setCursor(index);
            navigate(
              { msg: { uidValidity, uid: row.uid }, view: null },
              opts.replace ? { replace: true } : { backable: true },
            );
          });
          // The neighbours are likely next (j/k): fetch them ahead.
          for (const n of [index + 1, index - 1]) {
            const r = rows[n];
            if (r) prefetchMessage({ mailbox, uidValidity, uid: r.uid });
          }
        },
        readerChunk.loaded ? undefined : readerChunk.preload(),
      );
    },
    [data, route.folder, setCursor, current?.specialUse],
  );
  const closeMessage = useCallback(() => goBack({ msg: null }), []);
  const openFolder = useCallback((path: string, ro: boolean) => {
    navigate({ folder: path, msg: null, q: null, ro, view: null });
  }, []);

  // ---- actions ----------------------------------------------------------------------------------
  const act = useCallback(
    (kind: ActionKind, uids: number[] = targetUids) => {
      if (uids.length === 0 || readOnly || uidValidity === null) return;
      const set: TUidSet = { mailbox: route.folder, uidValidity, uids };
      switch (kind) {
        case "read":
          void setFlags(set, [SEEN], []);
          return;
        case "unread":
          void setFlags(set, [], [SEEN]);
          return;
        case "star":
          void setFlags(set, [FLAGGED], []);
          return;
        case "unstar":
          void setFlags(set, [], [FLAGGED]);
          return;
        case "archive":
        case "delete": {
          const gone = new Set(uids);
          if (openRef && gone.has(openRef.uid)) {
            // Desktop: go on to the next (older) message; phone: back to the list.
            let next: TMessageRow | undefined;
            if (!isPhone && data && openIndex !== null) {
              for (let i = openIndex + 1; i < openIndex + 50 && !next; i++) {
                const r = data.rows[i];
                if (r && !gone.has(r.uid)) next = r;
              }
            }
            if (next && data?.uidValidity) {
              navigate(
                { msg: { uidValidity: data.uidValidity, uid: next.uid } },
                { replace: true },
              );
            } else {
              closeMessage();
            }
          }
          setSelection({ key: listKey, uids: new Set(), anchor: null });
          // In conversation view a row is a conversation: a row's key is its newest message.
          const rowCount = data?.conversations
            ? uids.filter((uid) => data.conversations?.[uid] !== undefined).length
            : 0;
          void moveMessages(kind, set, undefined, rowCount > 0 ? rowCount : undefined);
          return;
        }
      }
    },
    [
      targetUids,
      readOnly,
      uidValidity,
      route.folder,
      openRef,
      isPhone,
      data,
      openIndex,
      closeMessage,
      listKey,
    ],
  );

  const moveTo = useCallback(
    (to: TMailbox, uids: number[] = targetUids, from: string = route.folder) => {
      if (uids.length === 0 || readOnly || uidValidity === null) return;
      if (openRef && uids.includes(openRef.uid)) closeMessage();
      setSelection({ key: listKey, uids: new Set(), anchor: null });
      void moveMessages(
        "move",
        { mailbox: from, uidValidity, uids },
        { path: to.path, name: folderLabel(to) },
      );
    },
    [targetUids, readOnly, uidValidity, route.folder, openRef, closeMessage, listKey],
  );

  const snoozeTarget = (at: Date) => {
    if (targetUids.length === 0 || readOnly || uidValidity === null) return;
    const set = { mailbox: route.folder, uidValidity, uids: targetUids };
    if (openRef && targetUids.includes(openRef.uid)) closeMessage();
    setSelection({ key: listKey, uids: new Set(), anchor: null });
    const time = new Intl.DateTimeFormat(undefined, {
      dateStyle: "medium",
      timeStyle: "short",
    }).format(at);
    snoozeMessages(set, at).then(
      () => showToast({ text: t("snooze.done", { time }) }),
      (err: unknown) =>
        showToast({ tone: "error", text: t("snooze.failed", { reason: reasonOf(err) }) }),
    );
  };

  const toggleSelect = useCallback(
    (row: TMessageRow, index: number, range: boolean) => {
      setSelection((prev) => {
        const base =
          prev.key === listKey ? prev : { key: listKey, uids: new Set<number>(), anchor: null };
        const uids = new Set(base.uids);
        if (range && base.anchor !== null && data) {
          const [a, b] = base.anchor < index ? [base.anchor, index] : [index, base.anchor];
          for (let i = a; i <= b; i++) {
            const r = data.rows[i];
            if (r) uids.add(r.uid);
          }
        } else if (uids.has(row.uid)) {
          uids.delete(row.uid);
        } else {
          uids.add(row.uid);
        }
        return { key: listKey, uids, anchor: index };
      });
    },
    [listKey, data],
  );

  const selectAll = useCallback(
    (on: boolean) => {
      if (!on || !data) {
        setSelection({ key: listKey, uids: new Set(), anchor: null });
        return;
      }
      // Everything loaded; in a small folder, fetch the rest first so "all" means all.
      if (data.total <= 500) ensureRange(route.folder, route.q, 0, data.total, sort, conversations);
      setSelection({
        key: listKey,
        uids: new Set(Object.values(data.rows).map((r) => r.uid)),
        anchor: null,
      });
    },
    [data, listKey, route.folder, route.q, sort],
  );

  const toggleStar = useCallback(
    (row: TMessageRow) => {
      const starred = data?.conversations?.[row.uid]?.starred ?? row.flags.includes(FLAGGED);
      act(starred ? "unstar" : "star", conversationUids(data, [row.uid]));
    },
    [act, data],
  );
  const onSwipe = useCallback(
    (kind: "archive" | "delete", row: TMessageRow) => act(kind, conversationUids(data, [row.uid])),
    [act, data],
  );
  const dragUids = useCallback(
    (row: TMessageRow) => conversationUids(data, selected.has(row.uid) ? [...selected] : [row.uid]),
    [selected, data],
  );

  const archiveFolder = findByRole(mailboxes.data, "archive");
  const canArchive = archiveFolder !== undefined && archiveFolder.path !== route.folder;
  // The flags of what the actions apply to: the rows, or (an open message not in the loaded
  // rows, e.g. a deep link far down a folder) the message's own header.
  const openHeader = useQuery({
    queryKey: openRef ? keys.message(openRef) : ["message", "none"],
    queryFn: () => (openRef ? fetchMessage(openRef) : null),
    enabled: false,
    select: (m: MessageData | null) => m?.header.flags ?? null,
  }).data;
  const targetFlags: string[][] =
    targetRows.length > 0 ? targetRows.map((r) => r.flags) : openHeader ? [openHeader] : [];
  const anyUnread = targetFlags.some((f) => !f.includes(SEEN));
  const allStarred = targetFlags.length > 0 && targetFlags.every((f) => f.includes(FLAGGED));

  const spamTarget = (verdict: "spam" | "not-spam") => {
    const uids = targetUids;
    if (uids.length === 0 || readOnly || uidValidity === null) return;
    if (openRef && uids.includes(openRef.uid)) closeMessage();
    setSelection({ key: listKey, uids: new Set(), anchor: null });
    void moveMessages(verdict, { mailbox: route.folder, uidValidity, uids });
  };
  const spamOffered =
    route.folder !== SNOOZED_FOLDER &&
    current?.specialUse !== "drafts" &&
    current?.specialUse !== "sent";

  const actionBar = (
    <ActionBar
      count={targetUids.length}
      anyUnread={anyUnread}
      allStarred={allStarred}
      readOnly={readOnly}
      canArchive={canArchive}
      folders={folders}
      currentFolder={route.folder}
      onAction={(k) => act(k)}
      onMove={(to) => moveTo(to)}
      onSnooze={route.folder === SNOOZED_FOLDER ? undefined : snoozeTarget}
      onSpam={spamOffered ? spamTarget : undefined}
      inJunk={current?.specialUse === "junk"}
      onCopy={(to) => {
        if (targetUids.length === 0 || uidValidity === null) return;
        void copyMessages(
          { mailbox: route.folder, uidValidity, uids: targetUids },
          to,
          folderLabel(to),
        );
      }}
    />
  );

  // ---- keyboard ----------------------------------------------------------------------------------
  const searchRef = useRef<HTMLInputElement>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const step = (delta: number) => {
    preloadReader();
    if (!data) return;
    const from = openIndex ?? cursor;
    const to = Math.max(0, Math.min(data.total - 1, from + delta));
    if (route.msg) {
      const row = data.rows[to];
      if (row) openMessage(row, to, { replace: true });
      else ensureRange(route.folder, route.q, to, to, sort, conversations);
    } else {
      setCursor(to);
    }
    scrollToIndex.current(to);
  };
  useShortcuts(
    {
      next: () => step(1),
      prev: () => step(-1),
      open: () => {
        const row = data?.rows[cursor];
        if (row) openMessage(row, cursor);
      },
      back: () => {
        if (route.msg) closeMessage();
      },
      archive: () => act("archive"),
      remove: () => act("delete"),
      star: () => act(allStarred ? "unstar" : "star"),
      select: () => {
        const row = data?.rows[cursor];
        if (row) toggleSelect(row, cursor, false);
      },
      markRead: () => act("read"),
      markUnread: () => act("unread"),
      search: () => {
        if (isPhone && (route.msg || route.view)) navigate({ msg: null, view: null });
        requestAnimationFrame(() => searchRef.current?.focus());
      },
      help: () => setHelpOpen(true),
      goto: (where) => {
        const role = where === "starred" ? "flagged" : where === "inbox" ? "inbox" : where;
        const target = findByRole(mailboxes.data, role);
        if (target) openFolder(target.path, false);
        else if (where === "starred") {
          navigate({ folder: "INBOX", msg: null, q: "is:starred", ro: false });
        } else if (where === "inbox") openFolder("INBOX", false);
        else if (!mailboxes.data) {
          // Folders not loaded yet: go by the names servers use by convention.
          openFolder(where === "sent" ? "Sent" : "Drafts", false);
        }
      },
    },
    true,
  );
  useComposeShortcuts(openRef);

  // ---- window title --------------------------------------------------------------------------------
  const folderName = current ? folderLabel(current) : route.folder;
  const unread = current?.unseen ?? 0;
  useWindowTitle(folderName, route.folder === "INBOX", mailboxes.data);
  useOfflineBodies();

  // ---- panes ---------------------------------------------------------------------------------------
  const [foldersWidth, setFoldersWidth] = usePaneWidth("ferry.pane.folders", 232);
  const [listWidth, setListWidth] = usePaneWidth("ferry.pane.list", 420);

  const onSearch = (q: string | null) => navigate({ q, msg: null, view: null });

  const accountMenu = (
    <MenuButton
      label={t("app.account", { email })}
      className={iconButton}
      items={() => [
        {
          label: t("settings.open"),
          onSelect: openComposeSettings,
          icon: <GearIcon className="size-4" />,
        },
        {
          label: t("keys.title"),
          onSelect: () => setHelpOpen(true),
          icon: <KeyboardIcon className="size-4" />,
        },
        {
          label: t("signOut.button"),
          onSelect: () => void signOutAfterAsking(),
          icon: <SignOutIcon className="size-4" />,
        },
      ]}
    >
      <span
        aria-hidden="true"
        className="flex size-8 items-center justify-center rounded-full bg-accent-600 text-sm font-semibold text-white uppercase"
      >
        {email.charAt(0)}
      </span>
    </MenuButton>
  );

  const folderPane = (
    <>
      <FolderList
        folders={folders}
        current={route.view === "scheduled" ? "" : route.folder}
        currentReadOnly={readOnly}
        onOpen={openFolder}
        onDropMessages={(to, payload) => moveTo(to, payload.uids, payload.mailbox)}
        afterStandard={
          <>
            <ScheduledEntry
              key="scheduled"
              active={route.view === "scheduled"}
              onOpen={() => navigate({ view: "scheduled", msg: null, q: null })}
            />
            <OutboxEntry key="outbox" />
          </>
        }
      />
      <QuotaMeter />
    </>
  );

  const total = data?.total ?? 0;
  const allSelected = total > 0 && selected.size >= total;
  const listPane = (
    <section
      aria-label={folderName}
      onPointerEnter={preloadReader}
      onFocus={preloadReader}
      onTouchStart={preloadReader}
      className="flex min-h-0 min-w-0 flex-1 flex-col bg-white dark:bg-zinc-950"
    >
      <div className="border-b border-zinc-200 dark:border-zinc-800">
        <div className="flex min-h-14 items-center gap-1 px-1.5 py-1">
          {isPhone ? (
            <button
              type="button"
              aria-label={t("folders.open")}
              onClick={() => navigate({ view: "folders" }, { backable: true })}
              className={iconButton}
            >
              <MenuIcon className="size-6" />
            </button>
          ) : null}
          <label className="touch-target flex shrink-0 items-center justify-center md:min-h-9 md:min-w-9">
            <input
              type="checkbox"
              aria-label={t("list.selectAll")}
              checked={allSelected}
              ref={(el) => {
                if (el) el.indeterminate = selected.size > 0 && !allSelected;
              }}
              onChange={(e) => selectAll(e.target.checked)}
              className="size-4 accent-accent-600"
            />
          </label>
          <h1 className="min-w-0 flex-1 truncate px-1 text-lg font-semibold">
            {route.q ? t("search.results") : folderName}
          </h1>
          {readOnly ? (
            <span className="inline-flex shrink-0 items-center gap-1 rounded-full bg-zinc-200 px-2 py-0.5 text-xs font-medium text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
              <LockIcon className="size-3" />
              {t("folders.readOnly")}
            </span>
          ) : null}
          <span className="shrink-0 px-1 text-xs text-zinc-500 tabular-nums">
            {data ? listCountText(data, { search: Boolean(route.q), conversations }) : ""}
          </span>
          <MenuButton
            label={t("folders.options")}
            className={iconButton}
            items={() =>
              current
                ? folderMenuItems(current, { openReadOnly: readOnly, onOpen: openFolder })
                : [
                    route.ro
                      ? {
                          label: t("folders.openWritable"),
                          onSelect: () => openFolder(route.folder, false),
                        }
                      : {
                          label: t("folders.openReadOnly"),
                          onSelect: () => openFolder(route.folder, true),
                        },
                    {
                      label: t("folders.markAllRead"),
                      disabled: readOnly || unread === 0,
                      onSelect: () => void markAllRead(route.folder),
                    },
                  ]
            }
          >
            <MoreIcon className="size-5" />
          </MenuButton>
        </div>
        {isPhone ? (
          <div className="px-3 pb-2">
            <SearchBox ref={searchRef} value={route.q} onSearch={onSearch} />
          </div>
        ) : null}
        <SortMenu
          value={sort}
          canSort={serverCanSort}
          allFolders={otherFolders}
          onChange={chooseSort}
        />
        {readOnly ? (
          <p className="px-4 pb-2 text-xs text-zinc-500">{t("folders.readOnlyNote")}</p>
        ) : null}
        {searchError ? (
          <p
            role="alert"
            className="mx-3 mb-2 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
          >
            {searchError.position !== undefined
              ? t("search.syntaxAt", {
                  position: searchError.position + 1,
                  reason: searchError.message,
                })
              : t("search.syntax", { reason: searchError.message })}
          </p>
        ) : null}
        {selected.size > 0 ? (
          <div className="flex min-h-11 flex-wrap items-center gap-1 bg-accent-50 px-2 dark:bg-accent-900/40">
            <span className="px-1 text-sm font-medium text-zinc-700 dark:text-zinc-200">
              {t("list.selected", { count: selected.size })}
            </span>
            {actionBar}
          </div>
        ) : null}
      </div>
      {route.folder === SNOOZED_FOLDER && route.q === null ? (
        <SnoozedView />
      ) : (
        <MessageList
          mailbox={route.folder}
          query={route.q}
          sort={sort}
          conversations={conversations}
          data={data}
          openUid={route.msg?.uid ?? null}
          cursor={cursor}
          selected={selected}
          isPhone={isPhone}
          readOnly={readOnly}
          onOpen={openMessage}
          onCursor={setCursor}
          onToggleSelect={toggleSelect}
          onToggleStar={toggleStar}
          onSwipe={onSwipe}
          dragUids={dragUids}
          scrollRef={registerScroll}
        />
      )}
    </section>
  );

  // The Scheduled view (mail to send later) takes the message list's place.
  const middlePane =
    route.view === "scheduled" ? (
      <ScheduledView
        {...(isPhone
          ? { onShowFolders: () => navigate({ view: "folders" }, { backable: true }) }
          : {})}
      />
    ) : (
      listPane
    );

  const readerPane = openRef ? (
    Reader ? (
      <Reader
        key={`${openRef.uidValidity}:${openRef.uid}`}
        msgRef={openRef}
        row={openFound?.row}
        conversation={data?.conversations?.[openRef.uid]}
        readOnly={readOnly}
        toolbar={selected.size > 0 && !isPhone ? null : actionBar}
        isPhone={isPhone}
        onBack={closeMessage}
      />
    ) : (
      <div className="flex-1 bg-white dark:bg-zinc-950" aria-busy="true" />
    )
  ) : (
    <div className="flex flex-1 flex-col items-center justify-center gap-3 text-zinc-400">
      <MailIcon className="size-12" />
      <p className="text-sm">{t("reader.empty")}</p>
    </div>
  );

  const dialogs = (
    <>
      <Toasts />
      <SignOutDialog />
      <ComposeHost email={email} />
      <ShortcutsDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
      <FolderDialogs all={mailboxes.data ?? []} />
      <RulesHost />
    </>
  );

  if (isPhone) {
    let pane: ReactNode;
    if (route.view === "folders") {
      pane = (
        <div className="flex min-h-0 flex-1 flex-col bg-zinc-50 dark:bg-zinc-900">
          <div className="pt-safe flex items-center gap-2 border-b border-zinc-200 px-3 py-2 dark:border-zinc-800">
            <FerryLogo className="size-7" />
            <span className="flex-1 text-lg font-semibold">{t("app.name")}</span>
            <ThemeToggle />
            {accountMenu}
          </div>
          <div className="flex min-h-0 flex-1 flex-col" onClickCapture={() => undefined}>
            {folderPane}
          </div>
        </div>
      );
    } else if (openRef) {
      pane = readerPane;
    } else {
      pane = (
        <div className="pt-safe flex min-h-0 flex-1 flex-col">
          {middlePane}
          <ComposeButton variant="fab" />
        </div>
      );
    }
    return (
      <div className="pl-safe pr-safe pb-safe flex h-dvh flex-col overflow-hidden">
        <StatusBar />
        <VacationBanner />
        {pane}
        {dialogs}
      </div>
    );
  }

  return (
    <div className="flex h-dvh flex-col overflow-hidden bg-zinc-50 dark:bg-zinc-900">
      <header className="flex h-14 shrink-0 items-center gap-3 border-b border-zinc-200 px-3 dark:border-zinc-800">
        <div className="flex shrink-0 items-center gap-2" style={{ width: foldersWidth - 12 }}>
          <FerryLogo className="size-8" />
          <span className="text-lg font-semibold">{t("app.name")}</span>
        </div>
        <SearchBox
          ref={searchRef}
          value={route.q}
          onSearch={onSearch}
          className="max-w-2xl flex-1"
        />
        <div className="ml-auto flex items-center gap-1">
          <button
            type="button"
            aria-label={t("keys.open")}
            title={t("keys.open")}
            onClick={() => setHelpOpen(true)}
            className={iconButton}
          >
            <KeyboardIcon className="size-5" />
          </button>
          <button
            type="button"
            aria-label={t("settings.open")}
            title={t("settings.open")}
            onClick={openComposeSettings}
            className={iconButton}
          >
            <GearIcon className="size-5" />
          </button>
          <ThemeToggle />
          <button
            type="button"
            onClick={() => void signOutAfterAsking()}
            title={t("app.account", { email })}
            className="touch-target inline-flex items-center gap-2 rounded-full px-3 text-sm text-zinc-700 hover:bg-zinc-200/70 md:min-h-10 dark:text-zinc-200 dark:hover:bg-zinc-800"
          >
            <SignOutIcon className="size-5" />
            {t("signOut.button")}
          </button>
        </div>
      </header>
      <StatusBar />
      <VacationBanner />
      <div className="flex min-h-0 flex-1">
        <div
          id="pane-folders"
          className="flex min-h-0 shrink-0 flex-col"
          style={{ width: foldersWidth }}
        >
          <div className="px-3 pt-3 pb-1">
            <ComposeButton variant="sidebar" />
          </div>
          {folderPane}
        </div>
        <Splitter
          label={t("pane.resizeFolders")}
          controls="pane-folders"
          value={foldersWidth}
          min={160}
          max={400}
          onChange={setFoldersWidth}
        />
        <div
          id="pane-list"
          className="flex min-h-0 shrink-0 flex-col border-r border-zinc-200 dark:border-zinc-800"
          style={{ width: listWidth }}
        >
          {middlePane}
        </div>
        <Splitter
          label={t("pane.resizeList")}
          controls="pane-list"
          value={listWidth}
          min={280}
          max={800}
          onChange={setListWidth}
        />
        <div className="flex min-h-0 min-w-0 flex-1 flex-col">{readerPane}</div>
      </div>
      {dialogs}
    </div>
  );
}
