/**
 * Rows of the benchmark's result, their budgets (checked as met / missed, never failing the
 * run), the printed table and the JSON written beside it. Time budgets of figures that have a
 * floor are relative to the floor measured in the same run (a multiple of it, or the floor plus
 * a margin), so they mean the same on a fast machine and a slow one.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ratioOf, type Summary } from "./stats";

export type Unit = "ms" | "µs" | "MB/s" | "MB" | "KB" | "sessions";

/**
 * A budget: the figure must be at most (or at least) a limit. `base` says what `limit` is:
 * the limit itself ("absolute"), a multiple of the row's floor ("ratio": value ≤ limit × floor)
 * or a margin over it ("plus": value ≤ floor + limit). A relative budget without a floor in its
 * row cannot be judged: the row stays "info" and says so.
 */
export interface Budget {
  limit: number;
  /** "max": lower is better (times, bytes); "min": higher is better (throughput, counts). */
  kind: "max" | "min";
  base?: "absolute" | "ratio" | "plus";
  text: string;
}

/** The limit a budget sets for a row with this floor; null when it needs a floor and has none. */
export function budgetLimit(budget: Budget, floor: Summary | null): number | null {
  const base = budget.base ?? "absolute";
  if (base === "absolute") return budget.limit;
  if (!floor) return null;
  return base === "ratio" ? budget.limit * floor.value : floor.value + budget.limit;
}

export type Status = "met" | "missed" | "info" | "error";

export interface Row {
  /** Stable id, e.g. "signin.browser.cold.100000". */
  id: string;
  /** Number and name of the issue's figure, e.g. "1 sign-in → first rows". */
  figure: string;
  /** What this row measures, e.g. "browser, cold". */
  label: string;
  side: "browser" | "bridge" | "static";
  /** INBOX size (or session count) the row is about, when it has one. */
  size: number | null;
  unit: Unit;
  /** What `value.value` is: the median of repeats, or a percentile of the samples. */
  stat: "median" | "p50" | "p95" | "value";
  value: Summary | null;
  floor: Summary | null;
  /** value ÷ floor (for throughput: floor ÷ value, so > 1 always means "slower than the floor"). */
  ratio: number | null;
  budget: Budget | null;
  /** The budget's limit for this row in `unit` (a relative budget's, from this row's floor). */
  limit: number | null;
  status: Status;
  note: string | null;
  error: string | null;
  /** Raw samples, for the JSON only. */
  samples: number[];
  floorSamples: number[];
}

export interface RowInput {
  id: string;
  figure: string;
  label: string;
  side: Row["side"];
  size?: number | null;
  unit: Unit;
  stat?: Row["stat"];
  value: Summary | null;
  floor?: Summary | null;
  budget?: Budget | null;
  note?: string | null;
  samples?: number[];
  floorSamples?: number[];
}

/** Builds a row, computing ratio and status. */
export function row(input: RowInput): Row {
  const floor = input.floor ?? null;
  const budget = input.budget ?? null;
  const value = input.value;
  const higherIsBetter = input.unit === "MB/s";
  const ratio = higherIsBetter ? ratioOf(floor, value) : ratioOf(value, floor);
  const limit = budget ? budgetLimit(budget, floor) : null;
  let status: Status = "info";
  if (value === null) status = "error";
  else if (budget && limit !== null) {
    const ok = budget.kind === "max" ? value.value <= limit : value.value >= limit;
    status = ok ? "met" : "missed";
  }
  return {
    id: input.id,
    figure: input.figure,
    label: input.label,
    side: input.side,
    size: input.size ?? null,
    unit: input.unit,
    stat: input.stat ?? "median",
    value,
    floor,
    ratio,
    budget,
    limit,
    status,
    note: input.note ?? null,
    error: value === null ? "no samples" : null,
    samples: input.samples ?? [],
    floorSamples: input.floorSamples ?? [],
  };
}

/** A row for a figure that could not be measured (the run goes on; the exit code says so). */
export function errorRow(id: string, figure: string, label: string, err: unknown): Row {
  const message = err instanceof Error ? err.message : String(err);
  return {
    ...row({ id, figure, label, side: "bridge", unit: "ms", value: null }),
    error: message.split("\n")[0] ?? message,
  };
}

export const BUDGETS = {
  /** Cold sign-in → rows (and the bridge's share of it), at every INBOX size. */
  signIn: { limit: 2, kind: "max", base: "ratio", text: "≤ 2× floor" },
  /** Warm reload → rows painted from the cache, against the cold sign-in's floor. */
  warmReload: { limit: 1.5, kind: "max", base: "ratio", text: "≤ 1.5× floor" },
  pushP50: { limit: 50, kind: "max", base: "plus", text: "p50 ≤ floor + 50 ms" },
  pushP95: { limit: 150, kind: "max", base: "plus", text: "p95 ≤ floor + 150 ms" },
  /** Open a message nobody hovered (keyboard) → its text, against the floor's text fetch. */
  openUnhovered: { limit: 50, kind: "max", base: "plus", text: "≤ floor + 50 ms" },
  bigHeaders: { limit: 100, kind: "max", text: "≤ 100 ms" },
  bigText: { limit: 250, kind: "max", text: "≤ 250 ms" },
  jump: { limit: 200, kind: "max", text: "≤ 200 ms" },
  sessionRss: { limit: 1, kind: "max", text: "≤ 1 MB each" },
  sessionsHeld: { limit: 1000, kind: "min", text: "1,000 per process" },
  pushAll: { limit: 1000, kind: "max", text: "≤ 1 s (live)" },
  firstLoad: { limit: 150, kind: "max", text: "≤ 150 KB" },
  /** A 50-message conversation opened as the reader does, against a bare client's same FETCHes. */
  conversationOpen: { limit: 2, kind: "max", base: "ratio", text: "≤ 2× floor" },
  /**
   * The browser's open of that conversation (click → read), as opening one message
   * (openUnhovered): the bare client's same FETCHes plus 50 ms.
   */
  conversationOpenBrowser: { limit: 50, kind: "max", base: "plus", text: "≤ floor + 50 ms" },
} as const satisfies Record<string, Budget>;

// ---- printing --------------------------------------------------------------------------------

function num(x: number, unit: Unit): string {
  if (!Number.isFinite(x)) return "–";
  if (unit === "sessions") return Math.round(x).toLocaleString("en-US");
  if (unit === "ms" || unit === "µs")
    return x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString("en-US");
  return x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString("en-US");
}

function cell(s: Summary | null, unit: Unit, withRange: boolean): string {
  if (!s) return "–";
  const main = `${num(s.value, unit)} ${unit}`;
  if (!withRange || s.n < 2) return main;
  return `${main} (${num(s.min, unit)}–${num(s.max, unit)})`;
}

/** The budget as stated, and for a relative one the limit it sets in this run. */
function budgetCell(r: Row): string {
  if (!r.budget) return "";
  if ((r.budget.base ?? "absolute") === "absolute") return r.budget.text;
  if (r.limit === null) return `${r.budget.text} (no floor)`;
  return `${r.budget.text} (${num(r.limit, r.unit)} ${r.unit})`;
}

const MARK: Record<Status, string> = { met: "met", missed: "MISSED", info: "", error: "ERROR" };

/** The table, one line per row, as plain text (stdout and the README). */
export function renderTable(rows: readonly Row[]): string {
  const header = [
    "figure",
    "measure",
    "size",
    "stat",
    "value (min–max)",
    "n",
    "floor",
    "×floor",
    "budget",
    "",
  ];
  const body = rows.map((r) => [
    r.figure,
    r.label,
    r.size === null ? "" : r.size.toLocaleString("en-US"),
    r.stat,
    r.error ? `error: ${r.error}`.slice(0, 60) : cell(r.value, r.unit, true),
    r.value ? String(r.value.n) : "",
    cell(r.floor, r.unit, false),
    r.ratio === null ? "" : `${r.ratio.toFixed(1)}×`,
    budgetCell(r),
    MARK[r.status],
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) =>
        i === 2 || i === 4 || i === 5 || i === 6 || i === 7
          ? c.padStart(widths[i] ?? 0)
          : c.padEnd(widths[i] ?? 0),
      )
      .join(" | ")
      .trimEnd();
  const sep = widths.map((w) => "-".repeat(w)).join("-|-");
  return [line(header), sep, ...body.map(line)].join("\n");
}

/** Notes of rows that have one, numbered by row, for under the table. */
export function renderNotes(rows: readonly Row[]): string {
  return rows
    .filter((r) => r.note)
    .map((r) => `- ${r.figure} / ${r.label}${r.size === null ? "" : ` / ${r.size}`}: ${r.note}`)
    .join("\n");
}

export interface BenchResult {
  meta: Record<string, unknown>;
  rows: Row[];
}

export function writeJson(path: string, result: BenchResult): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
}
