/** Summaries of repeated measurements: median (or a percentile) with min and max beside it. */

export interface Summary {
  /** The statistic the row reports: the median, or the percentile named by the figure. */
  value: number;
  min: number;
  max: number;
  /** Samples summarised. */
  n: number;
}

function sorted(samples: readonly number[]): number[] {
  return samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
}

/**
 * The p-th percentile (0–100) by linear interpolation between closest ranks (p50 of an even
 * count is the mean of the two middle samples). NaN for no samples.
 */
export function percentile(samples: readonly number[], p: number): number {
  const s = sorted(samples);
  if (s.length === 0) return Number.NaN;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = s[lo] ?? Number.NaN;
  const b = s[hi] ?? Number.NaN;
  return a + (b - a) * (rank - lo);
}

/** Median (or percentile `p`), min, max and count; null when there are no samples. */
export function summarize(samples: readonly number[], p = 50): Summary | null {
  const s = sorted(samples);
  const min = s[0];
  const max = s[s.length - 1];
  if (min === undefined || max === undefined) return null;
  return { value: percentile(s, p), min, max, n: s.length };
}

/** figure ÷ floor, or null when either is missing or the floor is 0. */
export function ratioOf(value: Summary | null, floor: Summary | null): number | null {
  if (!value || !floor || floor.value === 0) return null;
  return value.value / floor.value;
}
