/**
 * The In-Reply-To value of a header block FETCHed with a row (imap/rows.ts: the References and
 * In-Reply-To fields that come in rowsForUids' FETCH), unfolded and trimmed: what the reader's
 * collapsed lines (member-rows.ts) and threading (threads/thread-ids.ts) read, with no FETCH of
 * their own.
 */

/** The In-Reply-To value of `headers` (raw header lines), or null when it has none. */
export function inReplyToOf(headers: Buffer | undefined): string | null {
  if (!headers) return null;
  const text = headers.toString("latin1").replace(/\r?\n[ \t]+/g, " ");
  return /^in-reply-to:(.*)$/im.exec(text)?.[1]?.trim() || null;
}
