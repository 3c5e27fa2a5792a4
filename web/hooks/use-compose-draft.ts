/**
 * Draft autosave: a few seconds after the last change the composer's draft is saved to the
 * Drafts folder (`draft.save`), each save replacing the copy before it (`replaceUid`). Saves are
 * serialized, as the bridge asks: the next one goes after the last one's `draft.saved`. A save
 * that fails is tried again later with back-off; the composer shows where things stand.
 * Offline (or cut off mid-save) the draft is kept on this device instead (lib/compose/local-drafts,
 * held by this composer while it is open) and saved to Drafts when the connection is back.
 */
import type { TComposeDraftInput, TUidRef } from "@ferry/protocol";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { fitDraft } from "@/lib/compose/draft";
import { inlineImageBytes, inlineUploadIds } from "@/lib/compose/inline-images";
import {
  type DraftHold,
  holdLocalDraft,
  newLocalId,
  putLocalDraft,
  removeLocalDraft,
} from "@/lib/compose/local-drafts";
import { refreshComposeFolders } from "@/lib/compose/outbox";
import { FerryError } from "@/lib/errors";
import { socket } from "@/lib/mail-client";
import { isConnectionLoss } from "@/lib/offline-queue";
import { actingOffline } from "@/lib/offline-sync";

/** Quiet time after the last change before a save. */
export const AUTOSAVE_DELAY_MS = 2500;
/** A save carries the attachments into Drafts: big ones take a while on a busy server. */
const SAVE_TIMEOUT_MS = 180_000;

/** `local`: saved on this device only (offline), to be saved to Drafts when back online. */
export type SaveStatus = "idle" | "pending" | "saving" | "saved" | "local" | "failed";

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
  /** True when the latest save is on this device only. */
  savedLocally(): boolean;
  /** The draft's id on this device, once it was kept here. */
  localId(): string | null;
  /** Lets go of the draft kept on this device (after the last save), for others to save it. */
  release(): Promise<void>;
  /** Deletes the draft kept on this device (the message was sent or discarded). */
  dropLocal(): Promise<void>;
}

export function useDraftAutosave(opts: {
  /**
   * The draft to save now; `empty` when there is nothing worth saving (unless saved before);
   * null when it cannot be known now (nothing is saved then).
   */
  build: () => { draft: TComposeDraftInput; empty: boolean } | null;
  initialUid: TUidRef | null;
  initialMailbox: string | null;
  /** The draft kept on this device that this composer reopened. */
  initialLocalId?: string | null;
  delayMs?: number;
}): DraftAutosave {
  const delay = opts.delayMs ?? AUTOSAVE_DELAY_MS;
  const buildRef = useRef(opts.build);
  buildRef.current = opts.build;
  const initialLocalId = opts.initialLocalId ?? null;
  const [status, setStatus] = useState<SaveStatus>(
    initialLocalId ? "local" : opts.initialUid ? "saved" : "idle",
  );
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
    localId: initialLocalId,
    /** The latest save is on this device only. */
    local: initialLocalId !== null,
    hold: null as DraftHold | null,
  });

  const holdLocal = (): DraftHold => {
    const s = r.current;
    s.localId ??= newLocalId();
    s.hold ??= holdLocalDraft(s.localId);
    return s.hold;
  };

  /** Keeps `draft` (version `version`) on this device. */
  const saveLocally = (version: number, draft: TComposeDraftInput): Promise<void> => {
    const s = r.current;
    const hold = holdLocal();
    const localId = s.localId ?? "";
    const images = inlineImageBytes(inlineUploadIds(draft.attachments));
    return hold.acquired
      .then(() =>
        putLocalDraft({
          type: "draft.save",
          localId,
          draft,
          replaceUid: s.uid,
          draftMailbox: s.mailbox,
          savedAt: Date.now(),
          ...(Object.keys(images).length > 0 ? { images } : {}),
        }),
      )
      .then(
        () => {
          s.local = true;
          s.savedVersion = version;
          s.failures = 0;
          setError(null);
          setStatus(s.version === version ? "local" : "pending");
        },
        (err: unknown) => {
          s.failures++;
          setError(err);
          setStatus("failed");
        },
      );
  };

  const saveToServer = async (
    version: number,
    draft: TComposeDraftInput,
    replaceUid: TUidRef | null,
  ): Promise<void> => {
    const s = r.current;
    if (s.hold) await s.hold.acquired;
    try {
      const reply = await socket.request(
        { type: "draft.save", draft, replaceUid },
        { timeoutMs: SAVE_TIMEOUT_MS },
      );
      s.uid = { uidValidity: reply.uidValidity, uid: reply.uid };
      s.mailbox = reply.mailbox;
      if (s.local && s.localId) await removeLocalDraft(s.localId).catch(() => undefined);
      s.local = false;
      s.savedVersion = version;
      s.failures = 0;
      setError(null);
      setStatus(s.version === version ? "saved" : "pending");
      refreshComposeFolders();
    } catch (err) {
      if (isConnectionLoss(err) && actingOffline()) return saveLocally(version, draft);
      s.failures++;
      setError(err);
      setStatus("failed");
    }
  };

  const run = useCallback(async (): Promise<void> => {
    const s = r.current;
    clearTimeout(s.timer);
    s.timer = undefined;
    if (s.stopped) return;
    if (s.inflight) {
      await s.inflight;
      if (!s.stopped && (s.version !== s.savedVersion || (s.local && !actingOffline()))) {
        return run();
      }
      return;
    }
    const version = s.version;
    const built = buildRef.current();
    if (built === null) return;
    const { draft, empty } = built;
    if (empty && s.uid === null && s.localId === null) {
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
    const offline = actingOffline();
    if (!offline) setStatus("saving");
    s.inflight = (
      offline ? saveLocally(version, fitted) : saveToServer(version, fitted, replaceUid)
    ).finally(() => {
      s.inflight = null;
    });
    await s.inflight;
    if (s.stopped) return;
    // Connected while it was being kept on this device: the reconnect did not see it yet.
    if (offline && s.local && !actingOffline()) return run();
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
      savedLocally: () => r.current.local,
      localId: () => r.current.localId,
      async release() {
        const s = r.current;
        if (s.inflight) await s.inflight.catch(() => undefined);
        s.hold?.release();
        s.hold = null;
      },
      async dropLocal() {
        const s = r.current;
        if (s.inflight) await s.inflight.catch(() => undefined);
        if (s.localId) await removeLocalDraft(s.localId).catch(() => undefined);
        s.local = false;
        s.hold?.release();
        s.hold = null;
      },
    }),
    [delay, run],
  );

  // A draft reopened from this device is this composer's to save while it is open.
  useEffect(() => {
    if (r.current.localId) holdLocal();
  }, []);

  // Back online: what was kept on this device goes to Drafts.
  useEffect(() => {
    const again = () => {
      const s = r.current;
      if (s.local && !s.stopped && !actingOffline()) void run();
    };
    const off = socket.onOpen(again);
    window.addEventListener("online", again);
    return () => {
      off();
      window.removeEventListener("online", again);
    };
  }, [run]);

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
