"use client";
/**
 * "Report spam" (or, in Junk, "Not spam") for the action bar, an icon named by its label: on
 * the selected messages or the open one. The move, the keywords and Undo are lib/actions.ts's
 * (moveMessages "spam" / "not-spam").
 */
import { t } from "@/lib/i18n";
import { Icon, type IconProps } from "../icons";

export function SpamIcon(props: IconProps) {
  return (
    <Icon strokeWidth="1.8" {...props}>
      <path d="M8 3h8l5 5v8l-5 5H8l-5-5V8z" />
      <path d="M12 7.5v5.5" />
      <path d="M12 16.5h.01" />
    </Icon>
  );
}

export function NotSpamIcon(props: IconProps) {
  return (
    <Icon strokeWidth="1.8" {...props}>
      <path d="M12 3l7 3v6c0 4.5-3 7.5-7 9-4-1.5-7-4.5-7-9V6z" />
      <path d="M8.5 12l2.5 2.5 4.5-5" />
    </Icon>
  );
}

export function SpamButton(p: {
  inJunk: boolean;
  disabled: boolean;
  className: string;
  onSpam(verdict: "spam" | "not-spam"): void;
}) {
  const verdict = p.inJunk ? "not-spam" : "spam";
  const label = p.inJunk ? t("spam.notSpam") : t("spam.report");
  const VerdictIcon = p.inJunk ? NotSpamIcon : SpamIcon;
  return (
    <button
      type="button"
      className={p.className}
      disabled={p.disabled}
      onClick={() => p.onSpam(verdict)}
      title={label}
    >
      <VerdictIcon className="size-5" />
      <span className="sr-only">{label}</span>
    </button>
  );
}
