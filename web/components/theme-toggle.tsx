"use client";
import { t } from "@/lib/i18n/start";
import { nextTheme, setTheme, useTheme } from "@/lib/theme";
import { MonitorIcon, MoonIcon, SunIcon } from "./icons";

/** Cycles the colour scheme: follow the system, dark, light. */
export function ThemeToggle({ className = "" }: { className?: string }) {
  const theme = useTheme();
  const Icon = theme === "dark" ? MoonIcon : theme === "light" ? SunIcon : MonitorIcon;
  const label = t("theme.toggle", { mode: t(`theme.${theme}`) });
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      onClick={() => setTheme(nextTheme(theme))}
      className={`touch-target inline-flex items-center justify-center rounded-full text-zinc-600 hover:bg-zinc-200/70 dark:text-zinc-300 dark:hover:bg-zinc-800 ${className}`}
    >
      <Icon className="size-5" />
    </button>
  );
}
