"use client";
/**
 * "Snooze until…": the wake times offered (later today, tomorrow morning, next week, each shown
 * with its time, and "Pick a date and time…", which opens when-picker.tsx), in the user's own
 * time zone, and the clock icon. The action bar shows them; lib/snooze.ts does the rest.
 */
import { t } from "@/lib/i18n";
import { laterToday, nextWeek, tomorrowMorning } from "@/lib/snooze";
import { Icon, type IconProps } from "./icons";
import type { MenuItem } from "./menu";

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
