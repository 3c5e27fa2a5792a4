/**
 * The UIDs of a selected mailbox in sequence order, for servers (or clients) without QRESYNC,
 * whose EXPUNGE and unsolicited FETCH responses name messages by sequence number only.
 *
 * Layout: the known UIDs, ascending, in a Uint32Array (4 bytes a message: 400 KB for 100,000
 * messages), followed by `pending` messages announced by EXISTS whose UIDs are not fetched yet.
 * New messages only ever arrive at the end, and are filled in oldest first, so the known part
 * always comes before the pending part.
 */
export class UidList {
  private buf: Uint32Array;
  private n = 0;
  /** Messages at the end whose UIDs are not known yet. */
  pending = 0;

  constructor(capacity = 16) {
    this.buf = new Uint32Array(Math.max(4, capacity));
  }

  /**
   * A list of the given UIDs. Servers answer in ascending order, which is copied straight in;
   * anything else is sorted and deduplicated first.
   */
  static from(uids: Iterable<number>): UidList {
    const list = new UidList();
    let unsorted: number[] | null = null;
    for (const uid of uids) {
      if (unsorted) unsorted.push(uid);
      else if (uid > list.last) list.append(uid);
      else unsorted = [...list.view(), uid];
    }
    if (!unsorted) return list;
    const sorted = new UidList(unsorted.length);
    for (const uid of unsorted.sort((a, b) => a - b)) if (uid > sorted.last) sorted.append(uid);
    return sorted;
  }

  private view(): Uint32Array {
    return this.buf.subarray(0, this.n);
  }

  /** Messages in the mailbox as far as this list knows: known plus pending. */
  get length(): number {
    return this.n + this.pending;
  }

  /** How many UIDs are known. */
  get known(): number {
    return this.n;
  }

  /** The highest known UID, 0 when none is. */
  get last(): number {
    return this.n === 0 ? 0 : (this.buf[this.n - 1] ?? 0);
  }

  /** UID of the message at 0-based `index`: 0 for a pending one, undefined past the end. */
  at(index: number): number | undefined {
    if (index < 0 || index >= this.length) return undefined;
    return index < this.n ? this.buf[index] : 0;
  }

  /** Removes the message at 0-based `index` (an EXPUNGE): its UID, 0 if pending, undefined if out of range. */
  removeAt(index: number): number | undefined {
    if (index < 0 || index >= this.length) return undefined;
    if (index >= this.n) {
      this.pending--;
      return 0;
    }
    const uid = this.buf[index] ?? 0;
    this.buf.copyWithin(index, index + 1, this.n);
    this.n--;
    return uid;
  }

  /** Removes `uid` if known (a VANISHED). */
  removeUid(uid: number): boolean {
    const i = this.indexOf(uid);
    if (i === -1) return false;
    this.removeAt(i);
    return true;
  }

  has(uid: number): boolean {
    return this.indexOf(uid) !== -1;
  }

  indexOf(uid: number): number {
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.buf[mid] ?? 0;
      if (v === uid) return mid;
      if (v < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Records `count` new messages (an EXISTS) whose UIDs come later. */
  addPending(count: number): void {
    this.pending += count;
  }

  /**
   * Names the oldest pending messages: `uids` ascending, all above the last known one. False
   * (and nothing changed) when that does not fit, which means the list drifted from the server.
   */
  fill(uids: readonly number[]): boolean {
    if (uids.length > this.pending) return false;
    let prev = this.last;
    for (const uid of uids) {
      if (uid <= prev) return false;
      prev = uid;
    }
    for (const uid of uids) this.append(uid);
    this.pending -= uids.length;
    return true;
  }

  /** Known UIDs of this list that `other` does not have (both ascending: one merge walk). */
  missingFrom(other: UidList): number[] {
    const out: number[] = [];
    let j = 0;
    for (let i = 0; i < this.n; i++) {
      const uid = this.buf[i] ?? 0;
      while (j < other.n && (other.buf[j] ?? 0) < uid) j++;
      if (j >= other.n || other.buf[j] !== uid) out.push(uid);
    }
    return out;
  }

  /** Known UIDs ≥ `from`, ascending. */
  from(from: number): number[] {
    const out: number[] = [];
    for (let i = this.n - 1; i >= 0; i--) {
      const uid = this.buf[i] ?? 0;
      if (uid < from) break;
      out.push(uid);
    }
    return out.reverse();
  }

  private append(uid: number): void {
    if (this.n === this.buf.length) {
      const next = new Uint32Array(Math.ceil(this.buf.length * 1.5) + 4);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = uid;
  }
}
