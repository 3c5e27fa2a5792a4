"use client";
/**
 * "Snooze until…": a menu of wake times (later today, tomorrow morning, next week, each shown
 * with its time) and a dialog to pick a date and time (when-picker.tsx), all in the user's own
 * time zone. It hands the chosen time to `onSnooze`; lib/snooze.ts does the rest.
 */
import { useState } from "react";
import { t } from "@/lib/i18n";
import { laterToday, nextWeek, tomorrowMorning } from "@/lib/snooze";
import { Icon, type IconProps } from "./icons";
import { MenuButton, type MenuItem } from "./menu";
import { WhenPicker } from "./when-picker";

export const ClockIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 7v5l3 2" />
  </Icon>
);

/** "8:00 AM", or with the day "Tue 8:00 AM", in the user's time zone. */
export function timeOf(d: Date, withDay: boolean): string {
  return new Intl.DateTimeFormat(undefined, {
    ...(withDay ? { weekday: "short" } : {}),
    hour: "numeric",
    minute: "2-digit",
  }).format(d);
}

/** The menu's choices for `now`. */
export function snoozeChoices(now: Date, onSnooze: (at: Date) => void, onPick: () => void) {
  const items: MenuItem[] = [];
  const later = laterToday(now);
  if (later) {
    items.push({
      label: t("snooze.laterToday", { time: timeOf(later, false) }),
      onSelect: () => onSnooze(later),
    });
  }
  const tomorrow = tomorrowMorning(now);
  items.push({
    label: t("snooze.tomorrow", { time: timeOf(tomorrow, true) }),
    onSelect: () => onSnooze(tomorrow),
  });
  const week = nextWeek(now);
  items.push({
    label: t("snooze.nextWeek", { time: timeOf(week, true) }),
    onSelect: () => onSnooze(week),
  });
  items.push({ label: t("snooze.pick"), onSelect: onPick });
  return items;
}

export function SnoozeButton({
  disabled,
  className,
  onSnooze,
}: {
  disabled: boolean;
  className: string;
  onSnooze(at: Date): void;
}) {
  const [picking, setPicking] = useState(false);
  return (
    <>
      <MenuButton
        label={t("snooze.menu")}
        disabled={disabled}
        className={className}
        items={() => snoozeChoices(new Date(), onSnooze, () => setPicking(true))}
      >
        <ClockIcon className="size-5" />
        <span className="sr-only lg:not-sr-only">{t("snooze.button")}</span>
      </MenuButton>
      {picking ? (
        <WhenPicker
          title={t("snooze.menu")}
          submitLabel={t("snooze.submit")}
          initial={tomorrowMorning(new Date())}
          onClose={() => setPicking(false)}
          onPick={(at) => {
            setPicking(false);
            onSnooze(at);
          }}
        />
      ) : null}
    </>
  );
}
