/**
 * What every catalog lookup shares, without any catalog: the browser's locale, the formatters
 * made once per use (making one is costly: the first in a page loads the locale's data; a cold
 * Chromium renderer spent about 20 ms on it, inside the first render of the list), plural forms
 * and `{name}` parameters. `t` of index.ts (the whole catalog) and of start.ts (the first load's
 * part of it) both fill their entries here.
 */
import type { Message, PluralForms } from "./en";

export type Params = Record<string, string | number>;

let locale: string | undefined;

export function currentLocale(): string {
  if (locale === undefined) {
    locale = typeof navigator === "undefined" ? "en" : navigator.language || "en";
  }
  return locale;
}

type Formatter =
  | Intl.NumberFormat
  | Intl.PluralRules
  | Intl.DateTimeFormat
  | Intl.RelativeTimeFormat
  | Intl.ListFormat;

const formatters = new Map<string, Formatter>();

/** Switches the locale (tests, a future language switch); formatters are made again. */
export function switchLocale(next: string): void {
  locale = next;
  formatters.clear();
}

export function cached<T extends Formatter>(key: string, make: () => T): T {
  let f = formatters.get(key);
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f as T;
}

export function numberFormat(): Intl.NumberFormat {
  return cached("number", () => new Intl.NumberFormat(currentLocale()));
}

export function pick(forms: PluralForms, count: number): string {
  const rules = cached("plural", () => new Intl.PluralRules(currentLocale()));
  const category = rules.select(count) as keyof PluralForms;
  return forms[category] ?? forms.other;
}

/** An entry's text, its plural form picked on `params.count`, `{name}` replaced (numbers localised). */
export function fill(entry: Message, params: Params): string {
  const count = params.count;
  const text =
    typeof entry === "string" ? entry : pick(entry, typeof count === "number" ? count : 0);
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? numberFormat().format(value) : value;
  });
}

/** A duration in seconds as the locale says it, e.g. "in 2 minutes" style without the "in". */
export function formatWait(seconds: number): string {
  const unit = seconds >= 120 ? "minute" : "second";
  const value = unit === "minute" ? Math.ceil(seconds / 60) : seconds;
  return cached(
    `wait:${unit}`,
    () => new Intl.NumberFormat(currentLocale(), { style: "unit", unit, unitDisplay: "long" }),
  ).format(value);
}
