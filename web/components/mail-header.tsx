"use client";
/**
 * The mailbox screen's account controls: the phone's account menu (settings, shortcuts, sign
 * out) and the desktop's header bar (logo, search, shortcuts, settings, theme, sign out).
 */
import type { RefObject } from "react";
import { openComposeSettings } from "@/lib/compose/store";
import { t } from "@/lib/i18n";
import { GearIcon } from "./compose/compose-icons";
import { iconButton } from "./icon-button";
import { FerryLogo, KeyboardIcon, SignOutIcon } from "./icons";
import { MenuButton } from "./menu";
import { SearchBox } from "./search-box";
import { signOutAfterAsking } from "./sign-out-dialog";
import { ThemeToggle } from "./theme-toggle";

export function AccountMenu({ email, onHelp }: { email: string; onHelp: () => void }) {
  return (
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
          onSelect: onHelp,
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
}

export function DesktopHeader(p: {
  email: string;
  foldersWidth: number;
  searchRef: RefObject<HTMLInputElement | null>;
  q: string | null;
  onSearch: (q: string | null) => void;
  onHelp: () => void;
}) {
  const { email, foldersWidth, searchRef, q, onSearch, onHelp } = p;
  return (
    <header className="flex h-14 shrink-0 items-center gap-3 border-b border-zinc-200 px-3 dark:border-zinc-800">
      <div className="flex shrink-0 items-center gap-2" style={{ width: foldersWidth - 12 }}>
        <FerryLogo className="size-8" />
        <span className="text-lg font-semibold">{t("app.name")}</span>
      </div>
      <SearchBox ref={searchRef} value={q} onSearch={onSearch} className="max-w-2xl flex-1" />
      <div className="ml-auto flex items-center gap-1">
        <button
          type="button"
          aria-label={t("keys.open")}
          title={t("keys.open")}
          onClick={onHelp}
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
  );
}
