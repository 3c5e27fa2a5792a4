/**
 * The user's storage quota (RFC 9208 QUOTA, where the server offers it): the request that reads
 * it, its reply, and the event the bridge pushes when it changes (mail arrived, was deleted),
 * and the share of the limit from which the browser warns that the mailbox is nearly full.
 */
import { z } from "zod";

const ZId = z.string().min(1).max(64);

/** One resource of a quota root: how much is used of how much (both in the resource's unit). */
export const ZQuotaResource = z.object({
  used: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
});
export type TQuotaResource = z.infer<typeof ZQuotaResource>;

/**
 * The quota that applies to INBOX: `storage` in bytes (the server counts KiB), `messages` in
 * messages; each null when the server sets no limit for it.
 */
export const ZQuota = z.object({
  storage: ZQuotaResource.nullable(),
  messages: ZQuotaResource.nullable(),
});
export type TQuota = z.infer<typeof ZQuota>;

/** From this share of a limit on, the folder pane warns that the mailbox is nearly full. */
export const QUOTA_WARNING_RATIO = 0.9;

/** Read the quota. */
export const ZQuotaGet = z.object({ type: z.literal("quota.get"), id: ZId });

/** The answer to `quota.get`: null when the server has no quota (no QUOTA, or no limit at all). */
export const ZQuotaReply = z.object({
  type: z.literal("quota"),
  id: ZId,
  quota: ZQuota.nullable(),
});

/** The quota changed (pushed to every socket of the session). */
export const ZQuotaChanged = z.object({
  type: z.literal("quota.changed"),
  quota: ZQuota.nullable(),
});

export const QUOTA_CLIENT_FRAMES = [ZQuotaGet] as const;
export const QUOTA_SERVER_FRAMES = [ZQuotaReply, ZQuotaChanged] as const;

/** The fullest resource's share of its limit (0 … 1 and over), or null when there is no limit. */
export function quotaShare(quota: TQuota | null): number | null {
  if (!quota) return null;
  const shares = [quota.storage, quota.messages]
    .filter((r): r is TQuotaResource => r !== null)
    .map((r) => r.used / r.limit);
  return shares.length === 0 ? null : Math.max(...shares);
}
