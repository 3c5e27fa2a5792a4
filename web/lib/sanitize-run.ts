/**
 * The state of one sanitizer run (lib/sanitize.ts `sanitizeEmailHtml`): its options and what
 * its draft pass has done, read by the DOMPurify hooks (lib/sanitize-passes.ts) and the URL and
 * CSS rewriting (lib/sanitize-urls.ts, lib/sanitize-css.ts) while the run is under way.
 */

export interface SanitizeOptions {
  /** URL of the part with this Content-ID (without angle brackets), or null if unknown. */
  cid: (contentId: string) => string | null;
  /** Rewrite remote resources to the image proxy instead of blocking them. */
  allowRemote: boolean;
  /** Origin of the bridge (for the CSP), e.g. "https://mail.example.com". */
  origin: string;
  /**
   * Fold the trailing quote and signature behind "…" (lib/quote-fold), the button labelled with
   * this text. Absent: nothing is folded.
   */
  foldLabel?: string;
}

/** What one call of `sanitizeEmailHtml` has done so far. */
export interface Run {
  opts: SanitizeOptions;
  /** Remote resources blocked by the draft. */
  blocked: number;
  /** Every URL the draft put in a loading attribute. */
  loads: Set<string>;
  /** Every style sheet text the draft wrote. */
  sheets: Set<string>;
  /** Every style attribute the draft wrote. */
  inlineStyles: Set<string>;
}

let active: Run | null = null;

/** The run under way; throws outside one (the hooks must never run on their own). */
export function current(): Run {
  if (!active) throw new Error("sanitize hooks ran outside sanitizeEmailHtml");
  return active;
}

/** Starts `run` (null: the run is over). */
export function setRun(run: Run | null): void {
  active = run;
}
