"use client";
/**
 * The mailbox screen's shell. On a desktop: folders, message list and reader side by side with
 * resizable splitters. On a phone (≤ 768 px): one of them at a time, with Back. It wires the
 * route to the screen's state (hooks/use-mail-folders, use-list-view, use-list-selection,
 * use-open-message, use-message-actions, use-mail-keyboard) and lays out the panes (the list
 * pane is list-pane.tsx, the header and account menu mail-header.tsx); where the user is lives
 * in the URL. What the rows do not need (dialogs, toasts, the quota, banners, the offline copies'
 * task) renders from the frame after the first (hooks/use-after-first-paint.ts).
 */
import { SNOOZED_FOLDER, type TMessageRow } from "@ferry/protocol";
import { type ReactNode, useCallback, useMemo, useRef } from "react";
import { useAfterFirstPaint } from "@/hooks/use-after-first-paint";
import { useListSelection, useSelectionEdits } from "@/hooks/use-list-selection";
import { useListView } from "@/hooks/use-list-view";
import { useMailFolders } from "@/hooks/use-mail-folders";
import { useMailKeyboard } from "@/hooks/use-mail-keyboard";
import { findByRole, folderLabel } from "@/hooks/use-mailboxes";
import { useIsPhone } from "@/hooks/use-media-query";
import { useMessageActions, useRowGestures, useTargetFlags } from "@/hooks/use-message-actions";
import { useOpenActions, useOpenMessage } from "@/hooks/use-open-message";
import { usePaneWidth } from "@/hooks/use-pane-width";
import { conversationUids } from "@/lib/conversations";
import { t } from "@/lib/i18n";
import { useOfflineBodies } from "@/lib/offline-bodies-task";
import { navigate, useRoute } from "@/lib/route";
import { useWindowTitle } from "@/lib/unread-badge";
import { ActionBar } from "./action-bar";
import { ComposeButton, ComposeHost } from "./compose/compose-host";
import { FolderDialogs } from "./folder-dialogs";
import { FolderList, folderListStatus } from "./folder-list";
import { FerryLogo, MailIcon } from "./icons";
import { ListPane } from "./list-pane";
import { AccountMenu, DesktopHeader } from "./mail-header";
import { OutboxEntry } from "./outbox-entry";
import { QuotaMeter } from "./quota-meter";
import { RulesHost, VacationBanner } from "./rules/rules-host";
import { ScheduledEntry, ScheduledView } from "./scheduled-view";
import { ShortcutsDialog } from "./shortcuts-dialog";
import { SignOutDialog } from "./sign-out-dialog";
import { Splitter } from "./splitter";
import { ConnectingPill, StatusBar } from "./status-bar";
import { ThemeToggle } from "./theme-toggle";
import { Toasts } from "./toasts";

/** Keeps the offline copies of recent messages (its first run reads the browser's storage). */
function OfflineBodies() {
  useOfflineBodies();
  return null;
}

export function MailApp({ email }: { email: string }) {
  const route = useRoute();
  // The first frame holds the panes and the rows; dialogs, the quota and banners follow it.
  const painted = useAfterFirstPaint();
  const isPhone = useIsPhone();
  const { mailboxes, folders, current } = useMailFolders(route);
  const {
    readOnly,
    sort,
    chooseSort,
    serverCanSort,
    otherFolders,
    conversations,
    data,
    searchError,
    uidValidity,
    listKey,
  } = useListView(route, email);

  // ---- selection and cursor, per list ------------------------------------------------------------
  const { selected, setSelection, cursor, setCursor } = useListSelection(listKey);

  const { openRef, Reader, openFound, openIndex } = useOpenMessage(route, data, setCursor);

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
  const { openMessage, closeMessage, openFolder } = useOpenActions({
    route,
    data,
    current,
    setCursor,
  });

  // ---- actions ----------------------------------------------------------------------------------
  const { act, moveTo, snoozeTarget, spamTarget, copyTarget } = useMessageActions({
    route,
    data,
    targetUids,
    readOnly,
    uidValidity,
    openRef,
    openIndex,
    isPhone,
    listKey,
    closeMessage,
    setSelection,
  });
  const { toggleSelect, selectAll } = useSelectionEdits({
    listKey,
    data,
    route,
    sort,
    conversations,
    setSelection,
  });
  const { toggleStar, onSwipe, dragUids } = useRowGestures(act, data, selected);

  const archiveFolder = findByRole(mailboxes.data, "archive");
  const canArchive = archiveFolder !== undefined && archiveFolder.path !== route.folder;
  const { anyUnread, allStarred } = useTargetFlags(openRef, targetRows);
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
      onCopy={copyTarget}
    />
  );

  // ---- keyboard ----------------------------------------------------------------------------------
  const { searchRef, helpOpen, setHelpOpen } = useMailKeyboard({
    route,
    data,
    sort,
    conversations,
    isPhone,
    mailboxes: mailboxes.data,
    cursor,
    setCursor,
    openRef,
    openIndex,
    scrollToIndex,
    openMessage,
    closeMessage,
    openFolder,
    act,
    allStarred,
    toggleSelect,
  });

  // ---- window title --------------------------------------------------------------------------------
  // Before the folder list is in, Inbox is still named as the folder pane will name it.
  const folderName = current
    ? folderLabel(current)
    : route.folder.toUpperCase() === "INBOX"
      ? t("folder.inbox")
      : route.folder;
  const unread = current?.unseen ?? 0;
  useWindowTitle(folderName, route.folder === "INBOX", mailboxes.data);

  // ---- panes ---------------------------------------------------------------------------------------
  const [foldersWidth, setFoldersWidth] = usePaneWidth("ferry.pane.folders", 232);
  const [listWidth, setListWidth] = usePaneWidth("ferry.pane.list", 420);

  const onSearch = (q: string | null) => navigate({ q, msg: null, view: null });

  const accountMenu = <AccountMenu email={email} onHelp={() => setHelpOpen(true)} />;

  const folderPane = (
    <>
      <FolderList
        folders={folders}
        status={folderListStatus(mailboxes)}
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
      {painted ? <QuotaMeter /> : null}
    </>
  );

  const listPane = (
    <ListPane
      route={route}
      folderName={folderName}
      current={current}
      isPhone={isPhone}
      readOnly={readOnly}
      unread={unread}
      data={data}
      sort={sort}
      serverCanSort={serverCanSort}
      otherFolders={otherFolders}
      conversations={conversations}
      searchError={searchError}
      selected={selected}
      cursor={cursor}
      actionBar={actionBar}
      searchRef={searchRef}
      onSearch={onSearch}
      chooseSort={chooseSort}
      openFolder={openFolder}
      selectAll={selectAll}
      openMessage={openMessage}
      setCursor={setCursor}
      toggleSelect={toggleSelect}
      toggleStar={toggleStar}
      onSwipe={onSwipe}
      dragUids={dragUids}
      registerScroll={registerScroll}
    />
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

  const dialogs = painted ? (
    <>
      <OfflineBodies />
      <Toasts />
      <SignOutDialog />
      <ComposeHost email={email} />
      <ShortcutsDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
      <FolderDialogs all={mailboxes.data ?? []} />
      <RulesHost />
    </>
  ) : null;

  if (isPhone) {
    let pane: ReactNode;
    if (route.view === "folders") {
      pane = (
        <div className="flex min-h-0 flex-1 flex-col bg-zinc-50 dark:bg-zinc-900">
          <div className="pt-safe flex items-center gap-2 border-b border-zinc-200 px-3 py-2 dark:border-zinc-800">
            <FerryLogo className="size-7" />
            <span className="flex-1 text-lg font-semibold">{t("app.name")}</span>
            <ConnectingPill />
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
        {painted ? <VacationBanner /> : null}
        {pane}
        {dialogs}
      </div>
    );
  }

  return (
    <div className="flex h-dvh flex-col overflow-hidden bg-zinc-50 dark:bg-zinc-900">
      <DesktopHeader
        email={email}
        foldersWidth={foldersWidth}
        searchRef={searchRef}
        q={route.q}
        onSearch={onSearch}
        onHelp={() => setHelpOpen(true)}
      />
      <StatusBar />
      {painted ? <VacationBanner /> : null}
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
