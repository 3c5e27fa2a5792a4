"use client";
/**
 * The reader's rule buttons, under the message's headers: "Filter messages like this" (opens the
 * filter editor with From filled in, or List-Id for list mail) and, when the message has a
 * List-Unsubscribe header, "Unsubscribe". The bridge reads that header itself: a one-click
 * unsubscribe (RFC 8058) is its POST; a mailto: is sent as a message once the user confirms; an
 * https link opens only after the link dialog has shown where it goes.
 */
import {
  emptyDraft,
  type TMessageHeader,
  type TMessageRef,
  type TUnsubscribed,
} from "@ferry/protocol";
import { useEffect, useId, useRef, useState } from "react";
import { reasonOf } from "@/lib/actions";
import { t } from "@/lib/i18n";
import { socket } from "@/lib/mail-client";
import { openFilterEditor, ruleLike, useRulesEnabled } from "@/lib/rules";
import { useSession } from "@/lib/session";
import { showToast } from "@/lib/toasts";
import { LinkDialog, type LinkPrompt } from "../link-dialog";

const button =
  "touch-target rounded-lg border border-zinc-200 px-3 text-sm font-medium text-zinc-700 hover:bg-zinc-100 disabled:opacity-50 md:min-h-8 dark:border-zinc-800 dark:text-zinc-200 dark:hover:bg-zinc-800";

type Mailto = NonNullable<TUnsubscribed["mailto"]>;

export function ReaderRuleButtons({
  msgRef,
  header,
}: {
  msgRef: TMessageRef;
  header: Pick<TMessageHeader, "envelope" | "listId" | "listUnsubscribe"> | undefined;
}) {
  const rulesOn = useRulesEnabled();
  const session = useSession();
  const [busy, setBusy] = useState(false);
  const [mailto, setMailto] = useState<Mailto | null>(null);
  const [link, setLink] = useState<LinkPrompt | null>(null);
  if (!header) return null;
  const canUnsubscribe = header.listUnsubscribe !== null;
  if (!rulesOn && !canUnsubscribe) return null;
  const email = session.phase === "signedIn" ? session.email : "";

  const unsubscribe = async () => {
    setBusy(true);
    try {
      const reply = await socket.requestNow({ type: "unsubscribe", ref: msgRef });
      if (reply.method === "post") {
        showToast({ text: t("unsubscribe.done", { host: reply.host ?? "" }) });
      } else if (reply.method === "mailto" && reply.mailto) {
        setMailto(reply.mailto);
      } else if (reply.method === "link" && reply.url) {
        setLink({ kind: "confirm", url: new URL(reply.url), reasons: [], shown: null });
      } else {
        showToast({ text: t("unsubscribe.none"), tone: "error" });
      }
    } catch (err) {
      showToast({ text: t("unsubscribe.failed", { reason: reasonOf(err) }), tone: "error" });
    } finally {
      setBusy(false);
    }
  };

  const sendMailto = async (m: Mailto) => {
    setMailto(null);
    try {
      const draft = emptyDraft({ name: "", address: email });
      await socket.requestNow({
        type: "compose.send",
        draft: {
          ...draft,
          to: [{ name: "", address: m.to }],
          subject: m.subject,
          text: m.body,
        },
        delaySeconds: 0,
        draftUid: null,
      });
      showToast({ text: t("unsubscribe.sent", { to: m.to }) });
    } catch (err) {
      showToast({ text: t("unsubscribe.failed", { reason: reasonOf(err) }), tone: "error" });
    }
  };

  return (
    <div className="mb-4 flex flex-wrap gap-2">
      {rulesOn ? (
        <button type="button" className={button} onClick={() => openFilterEditor(ruleLike(header))}>
          {t("rules.filterLike")}
        </button>
      ) : null}
      {canUnsubscribe ? (
        <button type="button" className={button} disabled={busy} onClick={() => void unsubscribe()}>
          {t("unsubscribe.button")}
        </button>
      ) : null}
      {mailto ? (
        <ConfirmMailto
          mailto={mailto}
          onSend={() => void sendMailto(mailto)}
          onClose={() => setMailto(null)}
        />
      ) : null}
      <LinkDialog
        prompt={link}
        onOpen={(url) => {
          setLink(null);
          window.open(url.href, "_blank", "noopener,noreferrer");
        }}
        onClose={() => setLink(null)}
      />
    </div>
  );
}

function ConfirmMailto({
  mailto,
  onSend,
  onClose,
}: {
  mailto: Mailto;
  onSend(): void;
  onClose(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-2xl bg-white p-0 text-zinc-900 shadow-2xl backdrop:bg-black/40 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <div className="flex flex-col gap-3 px-5 py-4 text-sm">
        <h2 id={titleId} className="text-lg font-semibold">
          {t("unsubscribe.confirmTitle")}
        </h2>
        <p>{t("unsubscribe.confirmMailto", { to: mailto.to })}</p>
        <div className="flex justify-end gap-2">
          <button
            type="button"
            onClick={onClose}
            className="touch-target rounded-lg px-4 font-medium hover:bg-zinc-200/70 md:min-h-9 dark:hover:bg-zinc-800"
          >
            {t("link.cancel")}
          </button>
          <button
            type="button"
            onClick={onSend}
            className="touch-target rounded-lg bg-accent-600 px-4 font-semibold text-white hover:bg-accent-700 md:min-h-9"
          >
            {t("unsubscribe.send")}
          </button>
        </div>
      </div>
    </dialog>
  );
}
