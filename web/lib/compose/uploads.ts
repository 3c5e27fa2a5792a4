/**
 * Attachment uploads over HTTP (never through the socket): `POST /api/uploads?filename=` with
 * the file as the raw body, sent with XMLHttpRequest because it reports upload progress (fetch
 * does not). The answer is validated with the protocol's schema; failures carry its error code.
 */
import {
  type TErrorCode,
  type TUploadInfo,
  uploadUrl,
  ZHttpError,
  ZUploadInfo,
} from "@ferry/protocol";

export class UploadError extends Error {
  /** The protocol's code, "network" when the bridge could not be reached, "aborted" when cancelled. */
  readonly code: TErrorCode | "network" | "aborted";
  constructor(code: TErrorCode | "network" | "aborted", message: string) {
    super(message);
    this.name = "UploadError";
    this.code = code;
  }
}

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
      if (xhr.status === 201 || xhr.status === 200) {
        const info = ZUploadInfo.safeParse(body);
        if (info.success) {
          onProgress(1);
          resolve(info.data);
        } else reject(new UploadError("internal", "Unexpected upload answer"));
        return;
      }
      const err = ZHttpError.safeParse(body);
      if (err.success) reject(new UploadError(err.data.error.code, err.data.error.message));
      else if (xhr.status === 413) reject(new UploadError("too_large", "Too large"));
      else if (xhr.status === 401) reject(new UploadError("unauthorized", "Signed out"));
      else reject(new UploadError("internal", `HTTP ${xhr.status}`));
    };
    // A 413 answered before the body was read may surface as a network error.
    xhr.onerror = () => reject(new UploadError("network", "The upload did not reach Ferry"));
    xhr.onabort = () => reject(new UploadError("aborted", "Cancelled"));
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
