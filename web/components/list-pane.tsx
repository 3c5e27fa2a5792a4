"use client";
/**
 * The mailbox screen's middle pane: the list's header (select-all, the folder's or search's
 * title, read-only badge, count, folder options, the phone's search box, the order with the first
 * connection's pill beside it, a search's syntax error, the selection's action bar) over the
 * message list (or the Snoozed view).
 */
import { SNOOZED_FOLDER, type TListSort, type TMailbox, type TMessageRow } from "@ferry/protocol";
import type { ReactNode, RefObject } from "react";
import { markAllRead } from "@/lib/actions";
import type { FerryError } from "@/lib/errors";
import { t } from "@/lib/i18n";
import type { ListData } from "@/lib/list-cache";
import { listCountText } from "@/lib/list-count";
import { navigate, type Route } from "@/lib/route";
import { folderMenuItems } from "./folder-menu";
import { iconButton } from "./icon-button";
import { LockIcon, MenuIcon, MoreIcon } from "./icons";
import { MenuButton } from "./menu";
import { MessageList } from "./message-list";
import { preloadReader } from "./reader-chunk";
import { SearchBox } from "./search-box";
import { SnoozedView } from "./snoozed-view";
import { SortMenu } from "./sort-menu";
import { ConnectingPill } from "./status-bar";

export interface ListPaneProps {
  route: Route;
  folderName: string;
  current: TMailbox | undefined;
  isPhone: boolean;
  readOnly: boolean;
  unread: number;
  data: ListData | undefined;
  sort: TListSort;
  serverCanSort: boolean;
  otherFolders: boolean;
  conversations: boolean;
  searchError: FerryError | null;
  selected: Set<number>;
  cursor: number;
  actionBar: ReactNode;
  searchRef: RefObject<HTMLInputElement | null>;
  onSearch(q: string | null): void;
  chooseSort(next: TListSort): void;
  openFolder(path: string, ro: boolean): void;
  selectAll(on: boolean): void;
  openMessage(row: TMessageRow, index: number): void;
  setCursor(index: number): void;
  toggleSelect(row: TMessageRow, index: number, range: boolean): void;
  toggleStar(row: TMessageRow): void;
  onSwipe(kind: "archive" | "delete", row: TMessageRow): void;
  dragUids(row: TMessageRow): number[];
  registerScroll(fn: (i: number) => void): void;
}

export function ListPane(p: ListPaneProps) {
  const { route, folderName, current, isPhone, readOnly, unread, data, sort, selected } = p;
  const { conversations, searchError, openFolder } = p;
  const total = data?.total ?? 0;
  const allSelected = total > 0 && selected.size >= total;
  return (
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
              onChange={(e) => p.selectAll(e.target.checked)}
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
            <SearchBox ref={p.searchRef} value={route.q} onSearch={p.onSearch} />
          </div>
        ) : null}
        <SortMenu
          value={sort}
          canSort={p.serverCanSort}
          allFolders={p.otherFolders}
          onChange={p.chooseSort}
          aside={<ConnectingPill />}
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
            {p.actionBar}
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
          cursor={p.cursor}
          selected={selected}
          isPhone={isPhone}
          readOnly={readOnly}
          onOpen={p.openMessage}
          onCursor={p.setCursor}
          onToggleSelect={p.toggleSelect}
          onToggleStar={p.toggleStar}
          onSwipe={p.onSwipe}
          dragUids={p.dragUids}
          scrollRef={p.registerScroll}
        />
      )}
    </section>
  );
}
