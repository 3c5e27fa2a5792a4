/**
 * Attachment uploads over HTTP (never through the socket): `POST /api/uploads?filename=` with
 * the file as the raw body, sent with XMLHttpRequest because it reports upload progress (fetch
 * does not). The answer is validated with the protocol's schema; failures are FerryErrors with
 * its error code (`network` when the upload did not reach Ferry, `aborted` when cancelled).
 */
import { type TUploadInfo, uploadUrl, ZHttpError, ZUploadInfo } from "@ferry/protocol";
import { FerryError } from "../errors";

export interface UploadHandle {
  promise: Promise<TUploadInfo>;
  abort(): void;
}

/** Uploads `file`; `onProgress` gets the fraction sent (0…1). */
export function uploadFile(
  file: Blob,
  filename: string,
  onProgress: (fraction: number) => void,
): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<TUploadInfo>((resolve, reject) => {
    xhr.open("POST", uploadUrl(filename));
    xhr.withCredentials = true;
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.responseType = "text";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(Math.min(1, e.loaded / e.total));
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: handled below by status
      }
      const status = xhr.status;
      if (status === 201 || status === 200) {
        const info = ZUploadInfo.safeParse(body);
        if (info.success) {
          onProgress(1);
          resolve(info.data);
        } else reject(new FerryError("internal", "Unexpected upload answer", { status }));
        return;
      }
      const err = ZHttpError.safeParse(body);
      const refusal = err.success ? err.data.error : null;
      if (refusal) reject(new FerryError(refusal.code, refusal.message, { status }));
      else if (status === 413) reject(new FerryError("too_large", "Too large", { status }));
      else if (status === 401) reject(new FerryError("unauthorized", "Signed out", { status }));
      else reject(new FerryError("internal", `HTTP ${status}`, { status }));
    };
    // A 413 answered before the body was read may surface as a network error.
    xhr.onerror = () => reject(new FerryError("network", "The upload did not reach Ferry"));
    xhr.onabort = () => reject(new FerryError("aborted", "Cancelled"));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}

/** Deletes an upload the composer no longer needs (best effort). */
export async function deleteUpload(uploadId: string): Promise<void> {
  try {
    await fetch(`/api/uploads/${encodeURIComponent(uploadId)}`, {
      method: "DELETE",
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    // gone with the session anyway
  }
}
