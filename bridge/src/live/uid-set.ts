/**
 * IMAP sequence-set text for UID lists ("1:4,9,12:20"): compacting a list of UIDs into one, and
 * walking one (ESEARCH ALL answers) without expanding it into an array first.
 */

/** The shortest sequence set naming exactly `uids` (any order, duplicates allowed). */
export function toSequenceSet(uids: readonly number[]): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const parts: string[] = [];
  let start = -1;
  let prev = -1;
  for (const uid of sorted) {
    if (uid === prev) continue;
    if (uid === prev + 1 && start !== -1) {
      prev = uid;
      continue;
    }
    if (start !== -1) parts.push(start === prev ? `${start}` : `${start}:${prev}`);
    start = uid;
    prev = uid;
  }
  if (start !== -1) parts.push(start === prev ? `${start}` : `${start}:${prev}`);
  return parts.join(",");
}

/**
 * The numbers of a sequence set as the server wrote it, in the order written. Anything that is
 * not a positive 32-bit number or a range of them is skipped ("*" has no meaning in an answer).
 */
export function* iterateSequenceSet(set: string): Generator<number> {
  for (const part of set.split(",")) {
    const colon = part.indexOf(":");
    const a = parseUid(colon === -1 ? part : part.slice(0, colon));
    const b = colon === -1 ? a : parseUid(part.slice(colon + 1));
    if (a === 0 || b === 0) continue;
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    for (let uid = lo; uid <= hi; uid++) yield uid;
  }
}

function parseUid(text: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return 0;
  const n = Number(text);
  return n <= 0xffff_ffff ? n : 0;
}
