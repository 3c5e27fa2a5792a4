/**
 * The composer's attachments on their way up (files, and images pasted into the body to be sent
 * inline): checked against the limits before they are uploaded (the refused ones named in
 * `errors`), uploaded over HTTP with progress into the attachment list (use-compose-fields),
 * aborted when the composer is done, and deleted from the bridge once no draft names them any
 * more. A file attached with no connection (or whose upload could not reach Ferry) is kept on
 * this device instead (lib/compose/offline-files) and shown as waiting: Send offline takes it to
 * the Outbox, and when the connection comes back first the composer uploads it.
 */
import { useEffect, useRef, useState } from "react";
import { type ComposeFieldsState, newAttachmentKey } from "@/hooks/use-compose-fields";
import type { ComposeSave } from "@/hooks/use-compose-save";
import { type ComposeAttachmentItem, refuseFile } from "@/lib/compose/draft";
import { rememberInlineImage } from "@/lib/compose/inline-images";
import { formatBinarySize } from "@/lib/compose/limits";
import { refusalText, uploadErrorText } from "@/lib/compose/messages";
import {
  type KeepRefusal,
  keepFile,
  readKeptFile,
  removeKeptFiles,
} from "@/lib/compose/offline-files";
import { deleteUpload, type UploadHandle, uploadFile } from "@/lib/compose/uploads";
import { FerryError } from "@/lib/errors";
import { t } from "@/lib/i18n";
import { socket } from "@/lib/mail-client";
import { actingOffline } from "@/lib/offline-sync";

type UploadItem = Extract<ComposeAttachmentItem, { kind: "upload" }>;

function keepRefusalText(name: string, r: KeepRefusal): string {
  return r.kind === "overBudget"
    ? t("compose.file.cannotKeep", { name, limit: formatBinarySize(r.budget) })
    : t("compose.file.storageRefused", { name });
}

/** The upload on the bridge that `item` names, if any. */
function uploadIdOf(item: ComposeAttachmentItem): string | null {
  if (item.kind === "upload") return item.uploadId;
  return "uploadId" in item.attachment ? item.attachment.uploadId : null;
}

export function useComposeAttachments(opts: {
  fields: ComposeFieldsState;
  save: ComposeSave;
  /** Files were accepted for upload. */
  onAdding(): void;
}) {
  const { fields, save, onAdding } = opts;
  const { setAttachments } = fields;
  const [errors, setErrors] = useState<string[]>([]);
  const uploads = useRef(new Map<string, UploadHandle>());

  /**
   * Checks and uploads `files`. `inline`: images pasted into the body, sent as inline parts;
   * `onUploaded` hears each one that is on the bridge.
   */
  const add = (
    files: File[],
    opts: { inline?: boolean; onUploaded?(uploadId: string, file: File): void } = {},
  ) => {
    if (files.length === 0 || save.done.current) return;
    const refused: string[] = [];
    const accepted: Array<{ file: File; key: string }> = [];
    const adding = { bytes: 0, files: 0 };
    const current = fields.read().attachments;
    for (const file of files) {
      const refusal = refuseFile(file.size, current, adding);
      if (refusal) {
        refused.push(refusalText(file.name || t("compose.attachment.unnamed"), refusal));
        continue;
      }
      adding.bytes += file.size;
      adding.files += 1;
      accepted.push({ file, key: newAttachmentKey() });
    }
    setErrors(refused);
    if (accepted.length === 0) return;
    onAdding();
    setAttachments((list) => [
      ...list,
      ...accepted.map(
        ({ file, key }): ComposeAttachmentItem => ({
          kind: "upload",
          key,
          filename: file.name || t("compose.attachment.unnamed"),
          size: file.size,
          type: file.type,
          status: "uploading",
          progress: 0,
          uploadId: null,
          error: null,
          ...(opts.inline === true ? { inline: true } : {}),
        }),
      ),
    ]);
    const offline = opts.inline !== true && actingOffline();
    for (const { file, key } of accepted) {
      const name = file.name || "attachment";
      if (offline) keep(file, key, name);
      else upload(file, key, name, opts);
    }
  };

  const update = (key: string, patch: Partial<UploadItem>) =>
    setAttachments((list) =>
      list.map((a) => (a.key === key && a.kind === "upload" ? { ...a, ...patch } : a)),
    );

  /** Keeps `file` on this device until it can be uploaded; refused, it leaves the list. */
  const keep = (file: Blob, key: string, name: string) => {
    update(key, { status: "uploading", progress: 0, error: null });
    void keepFile(file, name).then((res) => {
      if (save.done.current) {
        if (res.ok) void removeKeptFiles([res.file.fileId]);
        return;
      }
      if (res.ok) {
        update(key, { status: "kept", keptId: res.file.fileId, progress: 0 });
        save.changed();
        return;
      }
      setAttachments((list) => list.filter((a) => a.key !== key));
      setErrors((e) => [...e, keepRefusalText(name, res.refusal)]);
    });
  };

  const upload = (
    file: Blob,
    key: string,
    name: string,
    o: { inline?: boolean; onUploaded?(uploadId: string, file: File): void; keptId?: string },
  ) => {
    update(key, { status: "uploading", progress: 0, error: null });
    let lastShown = 0;
    const handle = uploadFile(file, name, (fraction) => {
      // a repaint per percent is plenty
      if (fraction - lastShown >= 0.01 || fraction === 1) {
        lastShown = fraction;
        update(key, { progress: fraction });
      }
    });
    uploads.current.set(key, handle);
    handle.promise.then(
      (info) => {
        uploads.current.delete(key);
        if (save.done.current) {
          void deleteUpload(info.uploadId);
          return;
        }
        update(key, { status: "done", progress: 1, uploadId: info.uploadId, size: info.size });
        if (o.keptId) void removeKeptFiles([o.keptId]);
        if (o.inline === true) rememberInlineImage(info.uploadId, file);
        if (file instanceof File) o.onUploaded?.(info.uploadId, file);
        save.changed();
      },
      (err: unknown) => {
        uploads.current.delete(key);
        if (save.done.current) return;
        if (o.inline !== true && err instanceof FerryError && err.code === "network") {
          if (o.keptId) update(key, { status: "kept", progress: 0 });
          else keep(file, key, name);
          return;
        }
        update(key, { status: "failed", error: uploadErrorText(err) });
      },
    );
  };

  /** Uploads the files kept on this device (the connection is back). */
  const uploadKept = () => {
    if (save.done.current || actingOffline()) return;
    for (const item of fields.read().attachments) {
      if (item.kind !== "upload" || item.status !== "kept" || !item.keptId) continue;
      const { key, keptId, filename } = item;
      update(key, { status: "uploading", progress: 0 });
      void readKeptFile(keptId).then(
        (blob) => {
          if (blob) upload(blob, key, filename, { keptId });
          else
            update(key, {
              status: "failed",
              error: t("offline.keptFileMissing", { name: filename }),
            });
        },
        () => update(key, { status: "kept" }),
      );
    }
  };
  const uploadKeptRef = useRef(uploadKept);
  uploadKeptRef.current = uploadKept;

  useEffect(() => {
    const run = () => uploadKeptRef.current();
    const off = socket.onOpen(run);
    window.addEventListener("online", run);
    return () => {
      off();
      window.removeEventListener("online", run);
    };
  }, []);

  const remove = (key: string) => {
    const item = fields.read().attachments.find((a) => a.key === key);
    if (!item) return;
    uploads.current.get(key)?.abort();
    uploads.current.delete(key);
    if (item.kind === "upload" && item.keptId) void removeKeptFiles([item.keptId]);
    const id = uploadIdOf(item);
    setAttachments((list) => list.filter((a) => a.key !== key));
    setErrors([]);
    save.changed();
    // after the next save, which no longer names it
    if (id) void save.settle().then(() => deleteUpload(id));
  };

  return {
    /** Why files were refused, one line each. */
    errors,
    add,
    remove,
    /** Stops every upload still running. */
    abortAll() {
      for (const handle of uploads.current.values()) handle.abort();
      uploads.current.clear();
    },
    /** Deletes the files kept on this device for this composer (discarded, or left). */
    dropKept() {
      const ids = fields
        .read()
        .attachments.flatMap((a) => (a.kind === "upload" && a.keptId ? [a.keptId] : []));
      if (ids.length > 0) void removeKeptFiles(ids);
    },
    /** The uploads on the bridge that the attachment list names. */
    uploadIds(): string[] {
      return fields.read().attachments.flatMap((a) => {
        const id = uploadIdOf(a);
        return id ? [id] : [];
      });
    },
  };
}

export type ComposeAttachments = ReturnType<typeof useComposeAttachments>;
