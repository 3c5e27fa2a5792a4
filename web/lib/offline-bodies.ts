/**
 * "Available offline": which Inbox messages' bodies to keep in this browser, and which to drop
 * to stay within the storage budget. Pure decisions only; lib/offline-bodies-task.ts fetches,
 * stores and evicts by them.
 *
 * The candidates are the Inbox's messages from the last N days (the setting), as the bridge's
 * search `newer_than:Nd` finds them, newest first and at most MAX_CANDIDATES of them. Bodies are
 * fetched newest first; a kept body that is no longer a candidate (aged out, archived, deleted,
 * or the Inbox's UIDVALIDITY changed) is dropped. When the budget is full, a newer body takes the
 * place of the oldest kept ones, never the other way round: the run stops at the first that does
 * not fit.
 */
import type { TMessageRef } from "@ferry/protocol";

const MB = 1_000_000;
/** The most this browser keeps for offline reading, whatever the quota. */
export const OFFLINE_CAP_BYTES = 50 * MB;
/** The share of the origin's storage quota it may use, when that is less than the cap. */
export const OFFLINE_QUOTA_SHARE = 0.1;
/** Inbox messages considered at most (newest first): far more than the budget holds. */
export const MAX_CANDIDATES = 2000;

/** A kept body as the index describes it. */
export interface KeptEntry {
  key: string;
  /** The message's date (ms since the epoch; 0 when it has none). */
  date: number;
  bytes: number;
}

/** An Inbox message the setting wants kept. */
export interface Candidate {
  key: string;
  ref: TMessageRef;
  date: number;
}

/** The key a body is kept under: mailbox, UIDVALIDITY and UID. */
export function refKey(ref: TMessageRef): string {
  return `${ref.mailbox}\u0000${ref.uidValidity}\u0000${ref.uid}`;
}

/** The search that finds the candidates for `days`. */
export function offlineQuery(days: number): string {
  return `newer_than:${days}d`;
}

/** The budget in bytes given the origin's quota (navigator.storage.estimate), if known. */
export function offlineBudget(quota: number | undefined): number {
  if (quota === undefined || !Number.isFinite(quota) || quota <= 0) return OFFLINE_CAP_BYTES;
  return Math.min(OFFLINE_CAP_BYTES, Math.floor(quota * OFFLINE_QUOTA_SHARE));
}

export function usedBytes(entries: readonly KeptEntry[]): number {
  return entries.reduce((sum, e) => sum + e.bytes, 0);
}

/** The candidates not kept yet, newest first. */
export function toFetch(candidates: readonly Candidate[], kept: ReadonlySet<string>): Candidate[] {
  return candidates.filter((c) => !kept.has(c.key)).sort((a, b) => b.date - a.date);
}

/** Kept bodies that are no longer candidates (given the complete list of candidates). */
export function staleKeys(
  entries: readonly KeptEntry[],
  candidates: ReadonlySet<string>,
): string[] {
  return entries.filter((e) => !candidates.has(e.key)).map((e) => e.key);
}

/**
 * Which kept bodies to drop (oldest first, only older than the incoming one) so that a body of
 * `incoming.bytes` fits within `budget`; null when it cannot fit that way.
 */
export function makeRoom(
  entries: readonly KeptEntry[],
  incoming: { date: number; bytes: number },
  budget: number,
): string[] | null {
  if (incoming.bytes > budget) return null;
  let over = usedBytes(entries) + incoming.bytes - budget;
  if (over <= 0) return [];
  const older = entries.filter((e) => e.date < incoming.date).sort((a, b) => a.date - b.date);
  const evict: string[] = [];
  for (const e of older) {
    evict.push(e.key);
    over -= e.bytes;
    if (over <= 0) return evict;
  }
  return null;
}
