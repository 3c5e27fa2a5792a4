"use client";
/**
 * The search field: Gmail-style operators go to the bridge as the list's query. `/` focuses
 * it (see the keyboard handler); Escape clears it and returns to the folder. "Search all
 * folders" adds or takes out `in:anywhere` (and searches again when there is a search).
 */
import { type FormEvent, forwardRef, useEffect, useState } from "react";
import { t } from "@/lib/i18n";
import { searchesAllFolders, withAllFolders } from "@/lib/list-sort";
import { CloseIcon, SearchIcon } from "./icons";

export const SearchBox = forwardRef<
  HTMLInputElement,
  { value: string | null; onSearch(q: string | null): void; className?: string }
>(function SearchBox({ value, onSearch, className = "" }, ref) {
  const [text, setText] = useState(value ?? "");
  useEffect(() => setText(value ?? ""), [value]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(text.trim() ? text.trim() : null);
  };
  const allFolders = searchesAllFolders(text);
  const toggleAllFolders = () => {
    const next = withAllFolders(text, !allFolders);
    setText(next);
    if (withAllFolders(next, false)) onSearch(next);
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is not in React's element types yet
    <form role="search" onSubmit={submit} className={`relative flex items-center ${className}`}>
      <SearchIcon className="pointer-events-none absolute left-3 size-4 text-zinc-500" />
      <input
        ref={ref}
        type="search"
        aria-label={t("search.label")}
        placeholder={t("search.placeholder")}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            setText("");
            if (value) onSearch(null);
            e.currentTarget.blur();
          }
        }}
        enterKeyHint="search"
        autoComplete="off"
        spellCheck={false}
        className="h-10 w-full rounded-full border border-transparent bg-zinc-100 pr-20 pl-9 text-base text-zinc-900 placeholder:text-zinc-500 focus:border-accent-500 focus:bg-white focus:outline-none md:text-sm dark:bg-zinc-800 dark:text-zinc-100 dark:focus:bg-zinc-900 [&::-webkit-search-cancel-button]:hidden"
      />
      <button
        type="button"
        aria-pressed={allFolders}
        aria-label={t("search.allFolders")}
        title={t("search.allFolders")}
        onClick={toggleAllFolders}
        className={`absolute right-9 inline-flex h-7 items-center rounded-full px-2 text-[11px] font-semibold ${
          allFolders
            ? "bg-accent-600 text-white"
            : "text-zinc-500 hover:bg-zinc-200 dark:hover:bg-zinc-700"
        }`}
      >
        {t("search.allShort")}
      </button>
      {text ? (
        <button
          type="button"
          aria-label={t("search.clear")}
          onClick={() => {
            setText("");
            onSearch(null);
          }}
          className="absolute right-1 inline-flex size-8 items-center justify-center rounded-full text-zinc-500 hover:bg-zinc-200 dark:hover:bg-zinc-700"
        >
          <CloseIcon className="size-4" />
        </button>
      ) : null}
    </form>
  );
});
