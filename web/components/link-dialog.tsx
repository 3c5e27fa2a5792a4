"use client";
/**
 * The modal <dialog> a message link shows before it opens when it looks deceptive (or cannot be
 * opened at all): why, and the real destination as a left-to-right isolate with its host in
 * bold. "Cancel" is focused first; "Open link" opens it in a new tab without opener or referrer.
 */
import { stripInvisible } from "@ferry/protocol";
import { useEffect, useRef } from "react";
import { t } from "@/lib/i18n";
import type { LinkAction } from "@/lib/links";
import { ShieldIcon } from "./icons";

export type LinkPrompt = Extract<LinkAction, { kind: "confirm" | "refuse" }>;

interface LinkDialogProps {
  prompt: LinkPrompt | null;
  onOpen(url: URL): void;
  onClose(): void;
}

const MAX_SHOWN = 2000;

export function LinkDialog({ prompt, onOpen, onClose }: LinkDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (prompt && !d.open) {
      d.showModal();
      cancel.current?.focus();
    }
    if (!prompt && d.open) d.close();
  }, [prompt]);

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: a click on the backdrop cancels; Escape does natively
    <dialog
      ref={ref}
      aria-labelledby="link-dialog-title"
      onClose={onClose}
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
      className="m-auto w-[calc(100%-2rem)] max-w-lg rounded-2xl bg-white p-0 text-zinc-900 shadow-2xl backdrop:bg-black/40 dark:bg-zinc-900 dark:text-zinc-100"
    >
      {prompt ? (
        <div className="flex flex-col gap-3 px-5 py-4 text-sm">
          <h2 id="link-dialog-title" className="flex items-center gap-2 text-lg font-semibold">
            <ShieldIcon className="size-5 shrink-0 text-amber-600" />
            {prompt.kind === "confirm" ? t("link.checkTitle") : t("link.refusedTitle")}
          </h2>
          {prompt.kind === "confirm" ? (
            <>
              <ul className="list-disc space-y-1 pl-5">
                {prompt.reasons.map((r) => (
                  <li key={r}>{t(`link.reason.${r}`, { shown: isolate(prompt.shown ?? "") })}</li>
                ))}
              </ul>
              <p className="text-zinc-600 dark:text-zinc-300">
                {t("link.site")}:{" "}
                <strong
                  dir="ltr"
                  data-testid="link-host"
                  className="break-all text-base [unicode-bidi:isolate]"
                >
                  {prompt.url.host}
                </strong>
              </p>
              <Destination url={prompt.url} />
            </>
          ) : (
            <>
              <p>{t("link.refused")}</p>
              <p
                dir="ltr"
                className="max-h-40 overflow-y-auto rounded-lg bg-zinc-100 px-3 py-2 font-mono text-xs break-all [unicode-bidi:isolate] dark:bg-zinc-800"
              >
                {stripInvisible(prompt.href).slice(0, MAX_SHOWN)}
              </p>
            </>
          )}
          <div className="mt-1 flex flex-wrap justify-end gap-2">
            <button
              ref={cancel}
              type="button"
              onClick={onClose}
              className="touch-target rounded-lg px-4 font-medium hover:bg-zinc-200/70 md:min-h-9 dark:hover:bg-zinc-800"
            >
              {prompt.kind === "confirm" ? t("link.cancel") : t("action.close")}
            </button>
            {prompt.kind === "confirm" ? (
              <button
                type="button"
                onClick={() => onOpen(prompt.url)}
                className="touch-target rounded-lg bg-amber-600 px-4 font-medium text-white hover:bg-amber-700 md:min-h-9"
              >
                {t("link.open")}
              </button>
            ) : null}
          </div>
        </div>
      ) : null}
    </dialog>
  );
}

/** The whole URL (ASCII once parsed: punycode host, percent-encoded path), host in bold. */
function Destination({ url }: { url: URL }) {
  const user = url.username || url.password ? `${url.username}${url.password ? ":…" : ""}@` : "";
  const rest = `${url.pathname}${url.search}${url.hash}`;
  return (
    <div>
      <p className="mb-1 text-zinc-600 dark:text-zinc-300">{t("link.goesTo")}</p>
      <p
        dir="ltr"
        data-testid="link-destination"
        className="max-h-40 overflow-y-auto rounded-lg bg-zinc-100 px-3 py-2 font-mono text-xs break-all [unicode-bidi:isolate] dark:bg-zinc-800"
      >
        <span className="text-zinc-500">{`${url.protocol}//${user}`}</span>
        <strong className="text-sm text-zinc-950 dark:text-white">{url.hostname}</strong>
        <span className="text-zinc-500">
          {url.port ? `:${url.port}` : ""}
          {rest.slice(0, MAX_SHOWN)}
        </span>
      </p>
    </div>
  );
}

/** Text from the message, kept from reordering the sentence around it. */
function isolate(text: string): string {
  return `\u2068${stripInvisible(text)}\u2069`;
}
