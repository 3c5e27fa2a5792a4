"use client";
/**
 * The storage meter under the folders: how much of the quota is used, as a bar named "Storage",
 * and from QUOTA_WARNING_RATIO on a warning that the mailbox is nearly full (mail may bounce).
 * Nothing is shown when the server sets no quota.
 */
import { QUOTA_WARNING_RATIO, quotaShare, type TQuota } from "@ferry/protocol";
import { useQuota } from "@/hooks/use-quota";
import { formatCount, formatSize, t } from "@/lib/i18n";

/** "12 MB of 100 MB" (storage) or "900 of 1,000 messages", for the fuller resource. */
export function quotaUsage(quota: TQuota): string {
  const { storage, messages } = quota;
  const messagesFuller =
    messages !== null &&
    (storage === null || messages.used / messages.limit > storage.used / storage.limit);
  if (messagesFuller && messages) {
    return t("quota.messages", {
      used: formatCount(messages.used),
      limit: formatCount(messages.limit),
    });
  }
  if (storage)
    return t("quota.storage", { used: formatSize(storage.used), limit: formatSize(storage.limit) });
  return "";
}

export function QuotaMeter() {
  const quota = useQuota();
  const share = quotaShare(quota);
  if (quota === null || share === null) return null;
  const percent = Math.min(100, Math.round(share * 100));
  const warn = share >= QUOTA_WARNING_RATIO;
  const usage = quotaUsage(quota);
  return (
    <div className="border-t border-zinc-200 px-4 py-3 text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
      <div className="mb-1.5 flex items-baseline justify-between gap-2">
        <span className="font-medium text-zinc-700 dark:text-zinc-300">{t("quota.label")}</span>
        <span className="tabular-nums">{t("quota.percent", { percent })}</span>
      </div>
      <meter
        aria-label={t("quota.label")}
        aria-valuetext={usage}
        min={0}
        max={100}
        value={percent}
        optimum={0}
        low={75}
        // the warning's threshold is in the "high" (worst) region, which starts above `high`
        high={QUOTA_WARNING_RATIO * 100 - 0.5}
        className="block h-1.5 w-full appearance-none [&::-moz-meter-bar]:rounded-full [&::-webkit-meter-bar]:h-1.5 [&::-webkit-meter-bar]:rounded-full [&::-webkit-meter-bar]:border-0 [&::-webkit-meter-bar]:bg-zinc-200 dark:[&::-webkit-meter-bar]:bg-zinc-800 [&::-webkit-meter-even-less-good-value]:rounded-full [&::-webkit-meter-even-less-good-value]:bg-red-600 [&::-webkit-meter-optimum-value]:rounded-full [&::-webkit-meter-optimum-value]:bg-accent-600 [&::-webkit-meter-suboptimum-value]:rounded-full [&::-webkit-meter-suboptimum-value]:bg-amber-500"
      />
      <p className="mt-1.5">{usage}</p>
      {warn ? (
        <p role="status" className="mt-1.5 font-medium text-red-700 dark:text-red-400">
          {t("quota.nearlyFull")}
        </p>
      ) : null}
    </div>
  );
}
