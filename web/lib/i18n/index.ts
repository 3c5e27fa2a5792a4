/**
 * Looking up and formatting user-facing text: `t(key, params)` over the message catalog, and
 * locale-aware dates, sizes and counts with `Intl`. The locale is the browser's.
 */
import { cached, currentLocale, fill, numberFormat, type Params, pick, switchLocale } from "./core";
import en, { type Catalog, type MessageKey } from "./en";

export { formatWait, type Params } from "./core";
export type { MessageKey } from "./en";

let catalog: Catalog = en;

/** For tests and a future language switch. */
export function setLocale(next: string, messages: Catalog = en): void {
  switchLocale(next);
  catalog = messages;
}

/** The catalog text for `key`, with `{name}` replaced by `params.name` (numbers localised). */
export function t(key: MessageKey, params: Params = {}): string {
  return fill(catalog[key], params);
}

/** A count with the locale's grouping, e.g. "100,000". */
export function formatCount(n: number): string {
  return numberFormat().format(n);
}

const SIZE_UNITS = ["byte", "kilobyte", "megabyte", "gigabyte"] as const;

/** A byte size in the largest unit that keeps it ≥ 1, e.g. "2.4 MB". */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const u = SIZE_UNITS[unit] ?? "byte";
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return cached(
    `size:${u}:${digits}`,
    () =>
      new Intl.NumberFormat(currentLocale(), {
        style: "unit",
        unit: u,
        unitDisplay: unit === 0 ? "long" : "short",
        maximumFractionDigits: digits,
      }),
  ).format(value);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function relativeFormat(): Intl.RelativeTimeFormat {
  return cached(
    "relative",
    () => new Intl.RelativeTimeFormat(currentLocale(), { numeric: "auto", style: "short" }),
  );
}

/**
 * Makes the formatters the message list uses ahead of time (the sign-in page calls it while
 * idle), so the first rows after signing in do not wait for the locale's data to load.
 */
export function warmFormatters(): void {
  const now = new Date();
  formatCount(1);
  pick({ one: "", other: "" }, 1);
  for (const ago of [0, 5 * MINUTE, 2 * HOUR, DAY, 3 * DAY, 40 * DAY, 400 * DAY]) {
    formatListDate(new Date(now.getTime() - ago).toISOString(), now);
  }
}

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/**
 * A short date for the message list, relative when recent: "now", "5 min. ago", a time today,
 * "yesterday", a weekday within the week, a month and day this year, else a full date.
 */
export function formatListDate(iso: string | null, now: Date = new Date()): string {
  if (!iso) return "";
  const d = new Date(iso);
  const ms = d.getTime();
  if (Number.isNaN(ms)) return "";
  const diff = now.getTime() - ms;
  const l = currentLocale();
  if (diff >= 0 && diff < MINUTE) return relativeFormat().format(0, "second");
  if (diff >= 0 && diff < HOUR)
    return relativeFormat().format(-Math.floor(diff / MINUTE), "minute");
  const days = Math.round((startOfDay(now) - startOfDay(d)) / DAY);
  if (days === 0) {
    return cached("time", () => new Intl.DateTimeFormat(l, { timeStyle: "short" })).format(d);
  }
  if (days === 1) return relativeFormat().format(-1, "day");
  if (days > 1 && days < 7) {
    return cached("weekday", () => new Intl.DateTimeFormat(l, { weekday: "short" })).format(d);
  }
  if (d.getFullYear() === now.getFullYear()) {
    return cached(
      "md",
      () => new Intl.DateTimeFormat(l, { month: "short", day: "numeric" }),
    ).format(d);
  }
  return cached("ymd", () => new Intl.DateTimeFormat(l, { dateStyle: "medium" })).format(d);
}

/** The full date and time shown in the reader's header. */
export function formatFullDate(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return cached(
    "full",
    () => new Intl.DateTimeFormat(currentLocale(), { dateStyle: "full", timeStyle: "short" }),
  ).format(d);
}

/** A list of names joined the locale's way: "Ann, Bob and Cy". */
export function formatList(items: string[]): string {
  return cached(
    "list",
    () => new Intl.ListFormat(currentLocale(), { style: "short", type: "conjunction" }),
  ).format(items);
}
