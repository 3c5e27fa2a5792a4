"use client";
/**
 * Answering the open message from the reader: Reply, Reply all, Forward, and in a menu Forward
 * as attachment. A message in the Drafts folder offers "Edit draft" instead. In the reader's
 * toolbar on a desktop (icons, labels on wide screens); under the message on a phone (labelled
 * buttons, where the thumb is).
 */
import type { TMessageRef } from "@ferry/protocol";
import { findByRole, useMailboxes } from "@/hooks/use-mailboxes";
import { openComposer } from "@/lib/compose/store";
import { t } from "@/lib/i18n";
import { MoreIcon } from "../icons";
import { MenuButton } from "../menu";
import { preloadComposer } from "./compose-host";
import { ForwardIcon, PencilIcon, ReplyAllIcon, ReplyIcon } from "./compose-icons";

const toolbarButton =
  "touch-target inline-flex items-center justify-center gap-1.5 rounded-lg px-2.5 text-sm font-medium text-zinc-700 hover:bg-zinc-200/70 md:min-h-9 md:min-w-9 dark:text-zinc-200 dark:hover:bg-zinc-800";
const footerButton =
  "touch-target inline-flex items-center justify-center gap-1.5 rounded-full border border-zinc-300 px-3.5 text-sm font-medium text-zinc-700 hover:bg-zinc-100 dark:border-zinc-700 dark:text-zinc-200 dark:hover:bg-zinc-800";

export function ReplyActions({
  msgRef,
  layout = "toolbar",
}: {
  msgRef: TMessageRef;
  layout?: "toolbar" | "footer";
}) {
  const buttonClass = layout === "footer" ? footerButton : toolbarButton;
  const labelClass =
    layout === "footer" ? "whitespace-nowrap" : "sr-only whitespace-nowrap 2xl:not-sr-only";
  const mailboxes = useMailboxes();
  const drafts = findByRole(mailboxes.data, "drafts");
  const ref = { mailbox: msgRef.mailbox, uidValidity: msgRef.uidValidity, uid: msgRef.uid };
  const open = (mode: "reply" | "replyAll" | "forward" | "forwardAttachment" | "draft") =>
    openComposer({ kind: "context", mode, ref });

  if (drafts && drafts.path === msgRef.mailbox) {
    return (
      <button
        type="button"
        className={buttonClass}
        onPointerEnter={preloadComposer}
        onClick={() => open("draft")}
      >
        <PencilIcon className="size-5" />
        <span>{t("compose.editDraft")}</span>
      </button>
    );
  }
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of related buttons
    <div
      role="group"
      aria-label={t("compose.replyActions")}
      className={
        layout === "footer" ? "flex flex-wrap items-center gap-2" : "flex items-center gap-0.5"
      }
      onPointerEnter={preloadComposer}
    >
      <button
        type="button"
        className={buttonClass}
        onClick={() => open("reply")}
        title={`${t("compose.reply")} (r)`}
      >
        <ReplyIcon className="size-5" />
        <span className={labelClass}>{t("compose.reply")}</span>
      </button>
      <button
        type="button"
        className={buttonClass}
        onClick={() => open("replyAll")}
        title={`${t("compose.replyAll")} (a)`}
      >
        <ReplyAllIcon className="size-5" />
        <span className={labelClass}>{t("compose.replyAll")}</span>
      </button>
      <button
        type="button"
        className={buttonClass}
        onClick={() => open("forward")}
        title={`${t("compose.forward")} (f)`}
      >
        <ForwardIcon className="size-5" />
        <span className={labelClass}>{t("compose.forward")}</span>
      </button>
      <MenuButton
        label={t("compose.moreReply")}
        className={layout === "footer" ? `${footerButton} px-2.5` : toolbarButton}
        items={() => [
          { label: t("compose.forwardAttachment"), onSelect: () => open("forwardAttachment") },
        ]}
      >
        <MoreIcon className="size-5" />
      </MenuButton>
    </div>
  );
}
