/**
 * The base subject of RFC 5256 §2.1: a subject without its reply and forward markers
 * (`Re:`, `Fw:`, `Fwd:`, `[list]` tags before them, a trailing `(fwd)`, a `[Fwd: …]` wrapper),
 * which SORT SUBJECT and THREAD's subject grouping compare. Subjects arrive decoded (imapflow
 * decodes RFC 2047 words in the envelope). Comparison is case-insensitive, so the base subject
 * is lower-cased. Only the RFC's English markers are removed, as the server's THREAD does, so
 * that the bridge's fallback groups as the server would.
 */

export interface BaseSubject {
  /** The subject without markers, whitespace collapsed, lower-cased ("" when nothing is left). */
  base: string;
  /** Whether any reply or forward marker was removed (RFC 5256's "reply or forward"). */
  isReplyOrForward: boolean;
}

const BLOB = /^\[[^[\]]*\]\s*/;
const REFWD = /^(?:\[[^[\]]*\]\s*)*(?:re|fwd?)\s*(?:\[[^[\]]*\]\s*)?:\s*/i;
const TRAILER = /\s*\(fwd\)\s*$/i;
const FWD_WRAP = /^\[fwd:\s*([\s\S]*)\]$/i;

/** The base subject of `subject` (RFC 5256 §2.1). */
export function baseSubject(subject: string | null | undefined): BaseSubject {
  let s = (subject ?? "").replace(/\s+/g, " ").trim();
  let marked = false;
  for (;;) {
    // (2) trailers
    for (;;) {
      const next = s.replace(TRAILER, "");
      if (next === s) break;
      marked = true;
      s = next;
    }
    // (3)–(5) leaders and blobs, until neither changes anything
    for (;;) {
      const before = s;
      const leader = REFWD.exec(s);
      if (leader) {
        s = s.slice(leader[0].length);
        marked = true;
      }
      const blob = BLOB.exec(s);
      if (blob && s.length > blob[0].length) s = s.slice(blob[0].length);
      if (s === before) break;
    }
    // (6) a [fwd: …] wrapper
    const wrapped = FWD_WRAP.exec(s);
    if (!wrapped) break;
    s = (wrapped[1] ?? "").trim();
    marked = true;
  }
  return { base: s.toLowerCase(), isReplyOrForward: marked };
}
