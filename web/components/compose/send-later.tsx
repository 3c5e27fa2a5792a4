"use client";
/**
 * "Send later": the menu button beside Send, with quick choices (tomorrow morning, Monday
 * morning, each shown with its time) and a date-time picker, all in the user's own time zone.
 * It hands the chosen time to `onSendAt` (use-compose-send.ts).
 */
import { useState } from "react";
import { t } from "@/lib/i18n";
import { nextWeek, tomorrowMorning } from "@/lib/snooze";
import { MenuButton, type MenuItem } from "../menu";
import { ClockIcon, timeOf } from "../snooze-menu";
import { WhenPicker } from "../when-picker";

/** The menu's choices for `now`. */
export function sendLaterChoices(now: Date, onSendAt: (at: Date) => void, onPick: () => void) {
  const tomorrow = tomorrowMorning(now);
  const monday = nextWeek(now);
  const items: MenuItem[] = [
    {
      label: t("compose.later.tomorrow", { time: timeOf(tomorrow, true) }),
      onSelect: () => onSendAt(tomorrow),
    },
  ];
  if (monday.getTime() !== tomorrow.getTime()) {
    items.push({
      // On a Monday "Monday morning, Mon 8:00" reads as this morning: it is a week away.
      label: t(now.getDay() === 1 ? "compose.later.nextMonday" : "compose.later.monday", {
        time: timeOf(monday, true),
      }),
      onSelect: () => onSendAt(monday),
    });
  }
  items.push({ label: t("compose.later.pick"), onSelect: onPick });
  return items;
}

export function SendLaterButton(p: { disabled: boolean; onSendAt(at: Date): void }) {
  const [picking, setPicking] = useState(false);
  return (
    <>
      <MenuButton
        label={t("compose.later.menu")}
        disabled={p.disabled}
        className="touch-target inline-flex items-center justify-center rounded-full text-zinc-600 hover:bg-zinc-200/70 disabled:opacity-60 md:min-h-9 md:min-w-9 dark:text-zinc-300 dark:hover:bg-zinc-800"
        items={() => sendLaterChoices(new Date(), p.onSendAt, () => setPicking(true))}
      >
        <ClockIcon className="size-5" />
      </MenuButton>
      {picking ? (
        <WhenPicker
          title={t("compose.later.menu")}
          submitLabel={t("compose.later.submit")}
          initial={tomorrowMorning(new Date())}
          onClose={() => setPicking(false)}
          onPick={(at) => {
            setPicking(false);
            p.onSendAt(at);
          }}
        />
      ) : null}
    </>
  );
}
