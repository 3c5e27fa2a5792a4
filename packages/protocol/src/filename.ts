/**
 * Names of attachments, as the composer sends them and the reader shows and saves them: no
 * control characters, and no invisible format characters (bidi embeddings, overrides, isolates
 * and marks, zero-width spaces, BOM) that could make "invoice\u202Efdp.exe" read as
 * "invoiceexe.pdf".
 */

/** Longest attachment name kept, in characters (before the extension is re-attached). */
export const MAX_FILENAME_CHARS = 180;

/**
 * C0/C1 controls, line and paragraph separators, and every format character (Unicode Cf: the
 * bidi controls U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C, zero-width spaces, soft
 * hyphen, BOM, tags…) except ZWNJ/ZWJ, which some scripts and emoji need and which reorder nothing.
 */
const INVISIBLE = /(?![\u200c\u200d])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** `text` without control and invisible format characters. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, "");
}

/** An attachment name to show: invisible characters removed, runs of spaces collapsed. */
export function displayFilename(name: string): string {
  return stripInvisible(name.normalize("NFC")).replace(/\s+/g, " ").trim();
}

/**
 * A filename safe to put in a MIME header, to show and to save: the last path segment only, no
 * control or invisible format characters, `<>:"|?*` as "_" (so it can be saved on any system),
 * no leading dots or trailing dots/spaces, at most MAX_FILENAME_CHARS characters (keeping the
 * extension), never empty.
 */
export function sanitizeFilename(name: string, fallback = "attachment"): string {
  let base = name.normalize("NFC").split(/[/\\]/).pop() ?? "";
  base = stripInvisible(base)
    // characters Windows refuses in file names
    .replace(/[<>:"|?*]/g, "_")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^\.+/, "")
    .replace(/[. ]+$/, "");
  if (base === "") return fallback;
  const chars = [...base];
  if (chars.length <= MAX_FILENAME_CHARS) return base;
  const dot = base.lastIndexOf(".");
  const ext = dot > 0 && base.length - dot <= 16 ? base.slice(dot) : "";
  const stem = [...base.slice(0, ext ? dot : undefined)].slice(0, MAX_FILENAME_CHARS - ext.length);
  return `${stem.join("").trimEnd()}${ext}`;
}
