/**
 * IMAP sequence-set text for UID lists ("1:4,9,12:20"): walking one (ESEARCH ALL answers)
 * without expanding it into an array first. Packing UIDs into one is imap/mailbox-access.ts's
 * packUids.
 */

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
