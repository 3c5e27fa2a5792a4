/**
 * The composer's attachments on their way up (files, and images pasted into the body to be sent
 * inline): checked against the limits before they are uploaded (the refused ones named in
 * `errors`), uploaded over HTTP with progress into the attachment list (use-compose-fields), aborted when the composer is done, and deleted from the
 * bridge once no draft names them any more.
 */
import { useRef, useState } from "react";
import { type ComposeFieldsState, newAttachmentKey } from "@/hooks/use-compose-fields";
import type { ComposeSave } from "@/hooks/use-compose-save";
import { type ComposeAttachmentItem, refuseFile } from "@/lib/compose/draft";
import { refusalText, uploadErrorText } from "@/lib/compose/messages";
import { deleteUpload, type UploadHandle, uploadFile } from "@/lib/compose/uploads";
import { t } from "@/lib/i18n";

type UploadItem = Extract<ComposeAttachmentItem, { kind: "upload" }>;

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
    const update = (key: string, patch: Partial<UploadItem>) =>
      setAttachments((list) =>
        list.map((a) => (a.key === key && a.kind === "upload" ? { ...a, ...patch } : a)),
      );
    for (const { file, key } of accepted) {
      let lastShown = 0;
      const handle = uploadFile(file, file.name || "attachment", (fraction) => {
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
          opts.onUploaded?.(info.uploadId, file);
          save.changed();
        },
        (err: unknown) => {
          uploads.current.delete(key);
          if (save.done.current) return;
          update(key, { status: "failed", error: uploadErrorText(err) });
        },
      );
    }
  };

  const remove = (key: string) => {
    const item = fields.read().attachments.find((a) => a.key === key);
    if (!item) return;
    uploads.current.get(key)?.abort();
    uploads.current.delete(key);
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
