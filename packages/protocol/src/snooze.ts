/**
 * Snooze: the frames that put messages away until a wake time, list what is snoozed, and bring
 * it back early, and the event that keeps every open tab's Snoozed view current.
 *
 * A snoozed message is moved to the IMAP folder SNOOZED_FOLDER (created on demand, so other
 * mail clients see it there too) and comes back to the top of the Inbox, unread, at `wakeAt`.
 */
import { z } from "zod";
import { ZAddress, ZUidSet } from "./model";

const ZId = z.string().min(1).max(64);

/** The folder snoozed messages wait in. */
export const SNOOZED_FOLDER = "Snoozed";
/** Messages one `snooze.set` may snooze. */
export const MAX_SNOOZE_SET = 100;
/** Snoozes one account may have waiting. */
export const MAX_SNOOZES = 1000;
/** The latest wake time, counted from now. */
export const MAX_SNOOZE_MS = 366 * 24 * 60 * 60 * 1000;

/** One snoozed message. */
export const ZSnooze = z.object({
  id: ZId,
  /** When it comes back, milliseconds since the epoch. */
  wakeAt: z.number().int().nonnegative(),
  /** Where it waits: SNOOZED_FOLDER, its UIDVALIDITY and its UID there (0 when unknown). */
  mailbox: z.string(),
  uidValidity: z.number().int().nonnegative(),
  uid: z.number().int().nonnegative(),
  subject: z.string(),
  from: z.array(ZAddress),
  /** The message's date (ISO 8601), or null. */
  date: z.string().nullable(),
  /**
   * Set when the last try to bring it back failed and the bridge waits to try again:
   * `signin` when the saved password no longer works (the next sign-in retries).
   */
  problem: z.enum(["signin", "server"]).nullable(),
});
export type TSnooze = z.infer<typeof ZSnooze>;

// Client → bridge ---------------------------------------------------------------------------

/** Moves `set` to SNOOZED_FOLDER until `wakeAt` (after now, at most MAX_SNOOZE_MS ahead). */
export const ZSnoozeSet = z.object({
  type: z.literal("snooze.set"),
  id: ZId,
  set: ZUidSet.extend({ uids: ZUidSet.shape.uids.max(MAX_SNOOZE_SET) }),
  wakeAt: z.number().int().nonnegative(),
});

export const ZSnoozeList = z.object({ type: z.literal("snooze.list"), id: ZId });

/** Brings snoozed messages back to the Inbox now (unread, at the top). */
export const ZSnoozeWake = z.object({
  type: z.literal("snooze.wake"),
  id: ZId,
  ids: z.array(ZId).min(1).max(MAX_SNOOZES),
});

export const SNOOZE_CLIENT_FRAMES = [ZSnoozeSet, ZSnoozeList, ZSnoozeWake] as const;

// Bridge → client ---------------------------------------------------------------------------

/** The account's snoozes, by wake time (the reply of every snooze request). */
export const ZSnoozes = z.object({
  type: z.literal("snoozes"),
  id: ZId,
  snoozes: z.array(ZSnooze),
});

/** Pushed to every open tab of the account when its snoozes changed (snoozed, woken). */
export const ZSnoozesChanged = z.object({
  type: z.literal("snoozes.changed"),
  snoozes: z.array(ZSnooze),
});

export const SNOOZE_SERVER_FRAMES = [ZSnoozes, ZSnoozesChanged] as const;
