/**
 * Snooze in the page: the wake-time choices (in the user's own time zone, the browser's), the
 * account's snoozes as a query kept current by `snoozes.changed` (pushed to every tab), how
 * many there are (for the question before signing out), and the requests that snooze messages
 * and bring them back early. What the bridge does with them, and
 * why a Snoozed folder, is said in bridge/src/snooze/service.ts.
 */
import type { TSnooze, TUidSet } from "@ferry/protocol";
import { useQuery } from "@tanstack/react-query";
import { queryClient, socket } from "./mail-client";
import { onSessionEnd } from "./session";

export const snoozesKey = ["snoozes"] as const;

const HOUR = 60 * 60 * 1000;
/** The hour "tomorrow" and "next week" wake at. */
export const MORNING_HOUR = 8;

/** `now` plus three hours, rounded up to the hour; null once that is no longer today. */
export function laterToday(now: Date): Date | null {
  const at = new Date(now.getTime() + 3 * HOUR);
  if (at.getMinutes() > 0 || at.getSeconds() > 0 || at.getMilliseconds() > 0) {
    at.setHours(at.getHours() + 1, 0, 0, 0);
  }
  return at.getDate() === now.getDate() && at.getMonth() === now.getMonth() ? at : null;
}

/** Tomorrow at MORNING_HOUR, local time. */
export function tomorrowMorning(now: Date): Date {
  const at = new Date(now);
  at.setDate(at.getDate() + 1);
  at.setHours(MORNING_HOUR, 0, 0, 0);
  return at;
}

/** The next Monday (a week on, from a Monday) at MORNING_HOUR, local time. */
export function nextWeek(now: Date): Date {
  const at = new Date(now);
  const days = (8 - at.getDay()) % 7 || 7;
  at.setDate(at.getDate() + days);
  at.setHours(MORNING_HOUR, 0, 0, 0);
  return at;
}

/** A `datetime-local` value (local time, minutes) for `d`. */
export function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The time a `datetime-local` value names in the user's time zone, or null when invalid. */
export function fromLocalInput(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const at = new Date(y, mo - 1, d, h, mi, 0, 0);
  return Number.isNaN(at.getTime()) ? null : at;
}

let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  socket.onEvent((e) => {
    if (e.type === "snoozes.changed") queryClient.setQueryData(snoozesKey, e.snoozes);
  });
  // Snoozes that woke while this tab was offline.
  socket.onOpen(() => void queryClient.invalidateQueries({ queryKey: snoozesKey }));
  onSessionEnd(() => queryClient.removeQueries({ queryKey: snoozesKey }));
}

async function listSnoozes(): Promise<TSnooze[]> {
  return (await socket.request({ type: "snooze.list" })).snoozes;
}

/** The account's snoozes, by wake time, live. */
export function useSnoozes() {
  listen();
  return useQuery({ queryKey: snoozesKey, queryFn: listSnoozes });
}

/**
 * How many messages the account has snoozed, asked of the bridge when this page does not know
 * yet (a page that never opened the Snoozed view); what the page knows when the bridge cannot
 * answer.
 */
export async function snoozedCount(): Promise<number> {
  listen();
  try {
    const list = await queryClient.fetchQuery({
      queryKey: snoozesKey,
      queryFn: listSnoozes,
      // kept current by snoozes.changed and by the refetch after each reconnect (listen)
      staleTime: Number.POSITIVE_INFINITY,
    });
    return list.length;
  } catch {
    return queryClient.getQueryData<TSnooze[]>(snoozesKey)?.length ?? 0;
  }
}

/** Snoozes `set` until `wakeAt`; the messages leave their folder (live, by the bridge's push). */
export async function snoozeMessages(set: TUidSet, wakeAt: Date): Promise<TSnooze[]> {
  listen();
  const reply = await socket.requestNow({ type: "snooze.set", set, wakeAt: wakeAt.getTime() });
  queryClient.setQueryData(snoozesKey, reply.snoozes);
  return reply.snoozes;
}

/** Brings snoozed messages back to the Inbox now. */
export async function wakeSnoozes(ids: string[]): Promise<TSnooze[]> {
  const reply = await socket.requestNow({ type: "snooze.wake", ids });
  queryClient.setQueryData(snoozesKey, reply.snoozes);
  return reply.snoozes;
}
