/**
 * What a composer starts from: a new message (with recipients when it was opened from an
 * address), a draft handed back to it (undo, a failed send, a page reloaded after an update), or
 * a reply, forward or saved draft that the bridge prepares with `compose.context` (a saved
 * draft's inline images shown from the parts they were saved in). Also the body the editor opens
 * with, the From identity's signature placed in it.
 */
import { emptyDraft, partUrl, type TComposeDraft, type TUidRef } from "@ferry/protocol";
import { useEffect, useState } from "react";
import type { ComposeProblem, ComposeRequest } from "@/lib/compose/draft";
import { signatureHtml, textToHtml } from "@/lib/compose/html";
import { inlineImageSources, inlineUploadIds } from "@/lib/compose/inline-images";
import { socket } from "@/lib/mail-client";

/** Everything the form starts from. */
export interface ComposerInit {
  draft: TComposeDraft | null;
  draftUid: TUidRef | null;
  draftMailbox: string | null;
  problem: ComposeProblem | null;
  /** New messages, replies and forwards get the From identity's signature. */
  withSignature: boolean;
  /** Save at once (a draft that came back from the outbox). */
  saveNow: boolean;
  /** The draft kept on this device it was reopened from. */
  localId: string | null;
  /** A resumed draft's inline images: upload id → the URL of the part it was saved in. */
  inlineImages: Record<string, string>;
}

function immediateInit(request: ComposeRequest, email: string): ComposerInit | null {
  if (request.kind === "new") {
    const to = request.to ?? [];
    return {
      draft: to.length
        ? {
            ...emptyDraft({ name: "", address: email }),
            to: to.filter((r) => r.valid).map((r) => ({ name: r.name, address: r.address })),
          }
        : null,
      draftUid: null,
      draftMailbox: null,
      problem: null,
      withSignature: true,
      saveNow: false,
      localId: null,
      inlineImages: {},
    };
  }
  if (request.kind === "restore") {
    return {
      draft: request.draft,
      draftUid: request.draftUid,
      draftMailbox: request.draftMailbox,
      problem: request.problem,
      withSignature: false,
      saveNow: true,
      localId: request.localId ?? null,
      inlineImages: inlineImageSources(inlineUploadIds(request.draft.attachments)),
    };
  }
  return null;
}

/** The composer's starting point: null (and maybe `loadError`) until the bridge's prefill is in. */
export function useComposePrefill(
  request: ComposeRequest,
  email: string,
): { init: ComposerInit | null; loadError: unknown } {
  const [init, setInit] = useState<ComposerInit | null>(() => immediateInit(request, email));
  const [loadError, setLoadError] = useState<unknown>(null);

  useEffect(() => {
    if (request.kind !== "context") return;
    let cancelled = false;
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    socket
      .request(
        {
          type: "compose.context",
          ref: request.ref,
          mode: request.mode,
          ...(timeZone ? { timeZone } : {}),
        },
        { timeoutMs: 120_000 },
      )
      .then(
        (reply) => {
          if (cancelled) return;
          setInit({
            draft: reply.draft,
            draftUid: reply.draftUid,
            draftMailbox: reply.draftUid ? request.ref.mailbox : null,
            problem: null,
            withSignature: request.mode !== "draft",
            saveNow: false,
            localId: null,
            inlineImages: Object.fromEntries(
              Object.entries(reply.inlineParts ?? {}).map(([uploadId, part]) => [
                uploadId,
                partUrl(request.ref, part),
              ]),
            ),
          });
        },
        (err: unknown) => {
          if (!cancelled) setLoadError(err);
        },
      );
    return () => {
      cancelled = true;
    };
  }, [request]);

  return { init, loadError };
}

/** The editor's first HTML: the draft's body, with `signature` after its first line if asked. */
export function initialBody(init: ComposerInit, signature: string): string {
  const d = init.draft;
  let html = d?.html ?? (d?.text ? textToHtml(d.text) : "");
  if (html.trim() === "") html = "<div><br></div>";
  if (init.withSignature && signature.trim() !== "") {
    // after the first (empty) line, before any quote
    const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
    const holder = doc.createElement("div");
    holder.innerHTML = signatureHtml(signature);
    const block = holder.firstElementChild;
    const first = doc.body.firstElementChild;
    if (block) {
      if (first?.nextSibling) doc.body.insertBefore(block, first.nextSibling);
      else doc.body.appendChild(block);
    }
    html = doc.body.innerHTML;
  }
  return html;
}
