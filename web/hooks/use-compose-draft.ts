/**
 * Draft autosave: a few seconds after the last change the composer's draft is saved to the
 * Drafts folder (`draft.save`), each save replacing the copy before it (`replaceUid`). Saves are
 * serialized, as the bridge asks: the next one goes after the last one's `draft.saved`. A save
 * that fails is tried again later with back-off; the composer shows where things stand.
 */
import type { TComposeDraftInput, TUidRef } from "@ferry/protocol";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { fitDraft } from "@/lib/compose/draft";
import { refreshComposeFolders } from "@/lib/compose/outbox";
import { FerryError } from "@/lib/errors";
import { socket } from "@/lib/mail-client";

/** Quiet time after the last change before a save. */
export const AUTOSAVE_DELAY_MS = 2500;
/** A save carries the attachments into Drafts: big ones take a while on a busy server. */
const SAVE_TIMEOUT_MS = 180_000;

export type SaveStatus = "idle" | "pending" | "saving" | "saved" | "failed";

export interface DraftAutosave {
  status: SaveStatus;
  error: unknown;
  /** Something changed: save after the quiet time. */
  changed(): void;
  /** Save as soon as possible (e.g. a draft that came back from a failed send). */
  saveSoon(): void;
  /** Save now if anything is unsaved; true when all is saved (or there was nothing to save). */
  flush(): Promise<boolean>;
  /** Stop the timer and wait for a save in flight (before sending). */
  settle(): Promise<void>;
  /** No more saves (the message was handed to the outbox, or discarded). */
  stop(): void;
  /** The saved copy in Drafts, if any. */
  draftUid(): TUidRef | null;
  draftMailbox(): string | null;
  /** True when there are changes not yet saved. */
  dirty(): boolean;
}

export function useDraftAutosave(opts: {
  /**
   * The draft to save now; `empty` when there is nothing worth saving (unless saved before);
   * null when it cannot be known now (nothing is saved then).
   */
  build: () => { draft: TComposeDraftInput; empty: boolean } | null;
  initialUid: TUidRef | null;
  initialMailbox: string | null;
  delayMs?: number;
}): DraftAutosave {
  const delay = opts.delayMs ?? AUTOSAVE_DELAY_MS;
  const buildRef = useRef(opts.build);
  buildRef.current = opts.build;
  const [status, setStatus] = useState<SaveStatus>(opts.initialUid ? "saved" : "idle");
  const [error, setError] = useState<unknown>(null);

  const r = useRef({
    uid: opts.initialUid,
    mailbox: opts.initialMailbox,
    version: 0,
    savedVersion: 0,
    timer: undefined as ReturnType<typeof setTimeout> | undefined,
    inflight: null as Promise<void> | null,
    stopped: false,
    failures: 0,
  });

  const run = useCallback(async (): Promise<void> => {
    const s = r.current;
    clearTimeout(s.timer);
    s.timer = undefined;
    if (s.stopped) return;
    if (s.inflight) {
      await s.inflight;
      if (s.version !== s.savedVersion && !s.stopped) return run();
      return;
    }
    const version = s.version;
    const built = buildRef.current();
    if (built === null) return;
    const { draft, empty } = built;
    if (empty && s.uid === null) {
      s.savedVersion = version;
      setStatus(s.uid ? "saved" : "idle");
      return;
    }
    const replaceUid = s.uid;
    const fitted = fitDraft(draft, { type: "draft.save", id: "0", replaceUid });
    if (!fitted) {
      setError(new FerryError("frame_too_large", "The message is too long to save"));
      setStatus("failed");
      return;
    }
    setStatus("saving");
    s.inflight = socket
      .request({ type: "draft.save", draft: fitted, replaceUid }, { timeoutMs: SAVE_TIMEOUT_MS })
      .then(
        (reply) => {
          s.uid = { uidValidity: reply.uidValidity, uid: reply.uid };
          s.mailbox = reply.mailbox;
          s.savedVersion = version;
          s.failures = 0;
          setError(null);
          setStatus(s.version === version ? "saved" : "pending");
          refreshComposeFolders();
        },
        (err: unknown) => {
          s.failures++;
          setError(err);
          setStatus("failed");
        },
      )
      .finally(() => {
        s.inflight = null;
      });
    await s.inflight;
    if (s.stopped) return;
    if (s.version !== s.savedVersion) {
      // changed while saving, or failed: go again (after a back-off when failing)
      const wait = s.failures > 0 ? Math.min(60_000, 5000 * 2 ** (s.failures - 1)) : delay;
      s.timer = setTimeout(() => void run(), wait);
    }
  }, [delay]);

  const api = useMemo<Omit<DraftAutosave, "status" | "error">>(
    () => ({
      changed() {
        const s = r.current;
        if (s.stopped) return;
        s.version++;
        setStatus("pending");
        clearTimeout(s.timer);
        s.timer = setTimeout(() => void run(), delay);
      },
      saveSoon() {
        const s = r.current;
        if (s.stopped) return;
        s.version++;
        setStatus("pending");
        clearTimeout(s.timer);
        s.timer = setTimeout(() => void run(), 0);
      },
      async flush() {
        const s = r.current;
        clearTimeout(s.timer);
        if (s.inflight) await s.inflight;
        if (s.version !== s.savedVersion) await run();
        return s.version === s.savedVersion;
      },
      async settle() {
        const s = r.current;
        clearTimeout(s.timer);
        s.timer = undefined;
        if (s.inflight) await s.inflight;
      },
      stop() {
        const s = r.current;
        s.stopped = true;
        clearTimeout(s.timer);
      },
      draftUid: () => r.current.uid,
      draftMailbox: () => r.current.mailbox,
      dirty: () => r.current.version !== r.current.savedVersion,
    }),
    [delay, run],
  );

  // Leaving the page with unsaved changes asks first.
  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      const s = r.current;
      if (!s.stopped && (s.inflight !== null || s.version !== s.savedVersion)) e.preventDefault();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, []);

  return { ...api, status, error };
}
