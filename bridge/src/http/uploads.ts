/**
 * The attachment upload endpoints: `POST /api/uploads?filename=…` (the body is the file; 201
 * with TUploadInfo) and `DELETE /api/uploads/<id>` (204, or 404 when there is no such upload).
 * The files are kept by the compose side (bridge/src/compose); the API checks the Origin and
 * the session before these run. An upload over the limit is answered 413 at once, unread, and
 * its connection closed.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TUploadInfo } from "@ferry/protocol";
import { isBridgeError } from "../errors";
import type { LiveSession } from "../session/live";
import { fail, sendJson } from "./respond";

/** A session's attachment uploads (ComposeService). */
export interface SessionUploads {
  /**
   * Stores `body` as a new upload of `session`; too_large (with `body` left unread) as soon as
   * it passes a limit.
   */
  receiveUpload(
    session: LiveSession,
    body: IncomingMessage,
    filename: string,
    type: string | undefined,
  ): Promise<TUploadInfo>;
  /** Removes one of `session`'s uploads; false when it has no such upload. */
  deleteUpload(session: LiveSession, uploadId: string): Promise<boolean>;
}

/** How long a client that was refused an upload may keep its connection open. */
const REFUSED_UPLOAD_LINGER_MS = 5000;

/** POST /api/uploads?filename=…: 201 with TUploadInfo. */
export async function receiveUpload(
  req: IncomingMessage,
  res: ServerResponse,
  session: LiveSession,
  uploads: SessionUploads,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://x");
  const filename = url.searchParams.get("filename") ?? "attachment";
  try {
    const info = await uploads.receiveUpload(session, req, filename, req.headers["content-type"]);
    sendJson(res, 201, info);
  } catch (err) {
    if (isBridgeError(err) && err.code === "too_large") {
      // Answer now without reading the rest: no more of the body is read (the request stays
      // paused), the connection closes once the answer is out, and is cut if the client keeps
      // it open.
      res.setHeader("Connection", "close");
      res.once("finish", () =>
        setTimeout(() => req.socket.destroy(), REFUSED_UPLOAD_LINGER_MS).unref(),
      );
    }
    throw err;
  }
}

/** DELETE /api/uploads/<id>: 204, or 404 when there is no such upload. */
export async function deleteUpload(
  res: ServerResponse,
  session: LiveSession,
  uploadId: string,
  uploads: SessionUploads,
): Promise<void> {
  if (!(await uploads.deleteUpload(session, uploadId))) {
    return fail(res, "bad_request", "There is no such upload.", 404);
  }
  res.statusCode = 204;
  res.setHeader("Cache-Control", "no-store");
  res.end();
}
