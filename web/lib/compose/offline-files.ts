/**
 * Files attached while offline, kept on this device until they can be uploaded: each as a Blob
 * in its own IndexedDB database (`ferry-offline-files`), with its name, size and type, under an
 * id that the composer's attachment item and the Outbox entry (lib/offline-queue `files`) name.
 * Only the file itself is kept (no password, no cookie). The files together stay within
 * `KEPT_FILES_BUDGET`; one that does not fit (or that the browser's storage refuses) is refused
 * with a reason for the user. Sign-out deletes the database with every other one of the origin
 * (lib/persist clearPersisted).
 */
import type { TComposeAttachment } from "@ferry/protocol";
import { clear, del, entries, get, set, type UseStore } from "idb-keyval";
import { closingStore } from "../idb-store";

export const OFFLINE_FILES_DATABASE = "ferry-offline-files";
/** All files kept on this device at once, in bytes. */
export const KEPT_FILES_BUDGET = 50 * 1024 * 1024;

/** A kept file as an attachment item or an Outbox entry names it. */
export interface KeptFileRef {
  fileId: string;
  filename: string;
  size: number;
  type: string;
}

interface KeptEntry extends KeptFileRef {
  blob: Blob;
  keptAt: number;
}

/** Where the files live: an IndexedDB store in production, a Map in unit tests. */
export interface FileStore {
  all(): Promise<KeptEntry[]>;
  get(fileId: string): Promise<KeptEntry | undefined>;
  put(entry: KeptEntry): Promise<void>;
  remove(fileId: string): Promise<void>;
  clear(): Promise<void>;
}

const idbStore: UseStore = closingStore(OFFLINE_FILES_DATABASE, "files");

function database(): UseStore | null {
  return typeof indexedDB === "undefined" ? null : idbStore;
}

export const offlineFileStore: FileStore = {
  async all() {
    const db = database();
    return db ? (await entries<string, KeptEntry>(db)).map(([, v]) => v) : [];
  },
  async get(fileId) {
    const db = database();
    return db ? get<KeptEntry>(fileId, db) : undefined;
  },
  async put(entry) {
    const db = database();
    if (!db) throw new Error("No storage on this device");
    await set(entry.fileId, entry, db);
  },
  async remove(fileId) {
    const db = database();
    if (db) await del(fileId, db);
  },
  async clear() {
    const db = database();
    if (db) await clear(db);
  },
};

/** Deletes every kept file (a session ended; the database itself is deleted with the rest). */
export async function clearOfflineFiles(): Promise<void> {
  await offlineFileStore.clear().catch(() => undefined);
}

/** Why a file could not be kept: it would pass the budget, or the browser refused to store it. */
export type KeepRefusal = { kind: "overBudget"; budget: number } | { kind: "storage" };

export type KeepResult = { ok: true; file: KeptFileRef } | { ok: false; refusal: KeepRefusal };

function newFileId(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") {
    return crypto.randomUUID();
  }
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** Keeps `blob` on this device, if it fits within `budget` with the files already kept. */
export async function keepFile(
  blob: Blob,
  filename: string,
  store: FileStore = offlineFileStore,
  budget: number = KEPT_FILES_BUDGET,
): Promise<KeepResult> {
  let kept = 0;
  try {
    for (const e of await store.all()) kept += e.size;
  } catch {
    return { ok: false, refusal: { kind: "storage" } };
  }
  if (kept + blob.size > budget) return { ok: false, refusal: { kind: "overBudget", budget } };
  const file: KeptFileRef = {
    fileId: newFileId(),
    filename,
    size: blob.size,
    type: blob.type,
  };
  try {
    await store.put({ ...file, blob, keptAt: Date.now() });
  } catch {
    return { ok: false, refusal: { kind: "storage" } };
  }
  return { ok: true, file };
}

/** The kept file's bytes, or null when it is gone (signed out, removed). */
export async function readKeptFile(
  fileId: string,
  store: FileStore = offlineFileStore,
): Promise<Blob | null> {
  return (await store.get(fileId))?.blob ?? null;
}

export async function removeKeptFiles(
  fileIds: readonly string[],
  store: FileStore = offlineFileStore,
): Promise<void> {
  for (const id of fileIds) await store.remove(id).catch(() => undefined);
}

/** A kept file is no longer on this device: the message cannot go out with it. */
export class KeptFileMissing extends Error {
  constructor(readonly filename: string) {
    super(`${filename} is no longer on this device`);
  }
}

/**
 * Uploads `files` in order and returns them as the attachments a draft names. `upload` rejects
 * with a FerryError (a lost connection, a refusal); a file no longer kept rejects with
 * KeptFileMissing. The kept copies stay until the caller removes them.
 */
export async function uploadKeptFiles(
  files: readonly KeptFileRef[],
  upload: (blob: Blob, filename: string) => Promise<{ uploadId: string; size: number }>,
  store: FileStore = offlineFileStore,
): Promise<TComposeAttachment[]> {
  const out: TComposeAttachment[] = [];
  for (const f of files) {
    const blob = await readKeptFile(f.fileId, store);
    if (!blob) throw new KeptFileMissing(f.filename);
    const info = await upload(blob, f.filename);
    out.push({ uploadId: info.uploadId, filename: f.filename, size: info.size, type: f.type });
  }
  return out;
}
