/**
 * Attachment uploads: each file is streamed from the HTTP request straight to a per-session
 * temp directory (0700, files 0600), counted as it arrives and cut off with too_large the
 * moment it passes the per-file limit, so nothing over the limit is ever buffered. The session's
 * quota holds under parallel uploads: each reserves its bytes before writing them. Files live
 * as long as their session (or until deleted) and are only ever attached by id: the draft
 * cannot name a path.
 *
 * A file a queued message uses is pinned: deleting it then hides it at once and removes it
 * when the message is done with it.
 */
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, unlink } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { TUploadInfo } from "@ferry/protocol";
import { BridgeError } from "../errors";
import type { Logger } from "../log";
import { sanitizeFilename, sanitizeMimeType } from "./headers";

export interface StoredUpload {
  readonly id: string;
  readonly filename: string;
  readonly type: string;
  readonly size: number;
  readonly path: string;
  pins: number;
  deleted: boolean;
}

export interface UploadLimits {
  /** Largest single file. */
  maxFileBytes: number;
  /** All files of one session together. */
  maxSessionBytes: number;
  /** Files one session may hold. */
  maxSessionFiles: number;
}

interface SessionUploads {
  dir: string;
  files: Map<string, StoredUpload>;
  /** Bytes held: stored files, and what uploads under way have reserved. */
  bytes: number;
  /** Uploads under way (they count against maxSessionFiles). */
  receiving: number;
}

export class UploadStore {
  readonly #limits: UploadLimits;
  readonly #log: Logger;
  readonly #baseDir: string;
  #root: Promise<string> | undefined;
  readonly #sessions = new Map<string, SessionUploads>();

  constructor(limits: UploadLimits, log: Logger, baseDir = tmpdir()) {
    this.#limits = limits;
    this.#log = log;
    this.#baseDir = baseDir;
  }

  get limits(): UploadLimits {
    return this.#limits;
  }

  /** The process's upload directory, created (0700) on first use. */
  #rootDir(): Promise<string> {
    this.#root ??= (async () => {
      const dir = await mkdtemp(join(this.#baseDir, "ferry-uploads-"));
      await chmod(dir, 0o700);
      return dir;
    })();
    return this.#root;
  }

  async #session(key: string): Promise<SessionUploads> {
    const existing = this.#sessions.get(key);
    if (existing) return existing;
    const root = await this.#rootDir();
    const again = this.#sessions.get(key);
    if (again) return again;
    // A random name, not the session key: nothing on disk links back to the session store.
    const dir = join(root, randomBytes(12).toString("base64url"));
    const entry: SessionUploads = { dir, files: new Map(), bytes: 0, receiving: 0 };
    this.#sessions.set(key, entry);
    await mkdir(dir, { mode: 0o700 });
    return entry;
  }

  #checkQuota(session: SessionUploads, adding: number): void {
    if (adding > this.#limits.maxFileBytes) {
      throw new BridgeError(
        "too_large",
        `Attachments are limited to ${mb(this.#limits.maxFileBytes)} each.`,
      );
    }
    if (session.files.size + session.receiving >= this.#limits.maxSessionFiles) {
      throw new BridgeError("too_large", "Too many attachments are uploaded; remove some first.");
    }
    if (session.bytes + adding > this.#limits.maxSessionBytes) {
      throw new BridgeError(
        "too_large",
        "Too much is uploaded at once; remove some attachments first.",
      );
    }
  }

  /**
   * Streams `req`'s body into a new upload. Throws too_large when the declared or counted size
   * passes the limit (the request is then left unread: the caller answers 413 and closes the
   * connection), bad_request when the body is cut short.
   */
  async receive(
    key: string,
    req: IncomingMessage,
    rawFilename: string,
    rawType: string | undefined,
  ): Promise<TUploadInfo> {
    const declared = Number(req.headers["content-length"] ?? Number.NaN);
    const session = await this.#session(key);
    this.#checkQuota(session, Number.isFinite(declared) ? declared : 0);
    const id = newUploadId();
    const path = join(session.dir, id);
    const filename = sanitizeFilename(rawFilename);
    const type = sanitizeMimeType(rawType);
    // Bytes are reserved in the session's quota before they are written: the declared size up
    // front, and whatever arrives beyond it (a chunked body declares nothing) as it arrives, so
    // parallel uploads can never pass the quota together. Released if the upload fails.
    let reserved = Number.isFinite(declared) ? declared : 0;
    session.bytes += reserved;
    session.receiving += 1;
    let size = 0;
    try {
      size = await new Promise<number>((resolve, reject) => {
        const out = createWriteStream(path, { flags: "wx", mode: 0o600 });
        let count = 0;
        let done = false;
        const finish = (err: Error | null) => {
          if (done) return;
          done = true;
          req.off("data", onData);
          req.off("end", onEnd);
          req.off("aborted", onAborted);
          req.off("error", onError);
          if (err) {
            req.pause();
            out.destroy();
            reject(err);
          } else {
            out.end(() => resolve(count));
          }
        };
        const onData = (chunk: Buffer) => {
          count += chunk.length;
          if (count > this.#limits.maxFileBytes) {
            finish(
              new BridgeError(
                "too_large",
                `Attachments are limited to ${mb(this.#limits.maxFileBytes)} each.`,
              ),
            );
            return;
          }
          if (count > reserved) {
            if (session.bytes + (count - reserved) > this.#limits.maxSessionBytes) {
              finish(
                new BridgeError(
                  "too_large",
                  "Too much is uploaded at once; remove some attachments first.",
                ),
              );
              return;
            }
            session.bytes += count - reserved;
            reserved = count;
          }
          if (!out.write(chunk)) {
            req.pause();
            out.once("drain", () => {
              if (!done) req.resume();
            });
          }
        };
        const onEnd = () => finish(null);
        const onAborted = () => finish(new BridgeError("bad_request", "The upload was cut short."));
        const onError = (err: Error) =>
          finish(new BridgeError("bad_request", "The upload was cut short.", { cause: err }));
        out.on("error", (err) =>
          finish(new BridgeError("internal", "The upload could not be stored.", { cause: err })),
        );
        req.on("data", onData);
        req.on("end", onEnd);
        req.on("aborted", onAborted);
        req.on("error", onError);
      });
    } catch (err) {
      session.bytes -= reserved;
      await unlink(path).catch(() => undefined);
      throw err;
    } finally {
      session.receiving -= 1;
    }
    session.bytes += size - reserved;
    if (!this.#sessions.has(key)) {
      // the session ended while the file was arriving
      await unlink(path).catch(() => undefined);
      throw new BridgeError("unauthorized", "Sign in again.");
    }
    session.files.set(id, { id, filename, type, size, path, pins: 0, deleted: false });
    return { uploadId: id, filename, size, type };
  }

  /** Stores bytes the bridge already has (the attachments of a resumed draft) as an upload. */
  async add(key: string, rawFilename: string, rawType: string, data: Buffer): Promise<TUploadInfo> {
    const session = await this.#session(key);
    this.#checkQuota(session, data.length);
    const id = newUploadId();
    const path = join(session.dir, id);
    const filename = sanitizeFilename(rawFilename);
    const type = sanitizeMimeType(rawType);
    session.bytes += data.length;
    try {
      const out = createWriteStream(path, { flags: "wx", mode: 0o600 });
      await new Promise<void>((resolve, reject) => {
        out.on("error", reject);
        out.end(data, () => resolve());
      });
    } catch (err) {
      session.bytes -= data.length;
      await unlink(path).catch(() => undefined);
      throw new BridgeError("internal", "The attachment could not be stored.", { cause: err });
    }
    session.files.set(id, { id, filename, type, size: data.length, path, pins: 0, deleted: false });
    return { uploadId: id, filename, size: data.length, type };
  }

  /** The upload `id` of session `key`, unless deleted. */
  get(key: string, id: string): StoredUpload | undefined {
    const file = this.#sessions.get(key)?.files.get(id);
    return file && !file.deleted ? file : undefined;
  }

  /** A fresh read stream of an upload's bytes. */
  open(file: StoredUpload): Readable {
    return createReadStream(file.path);
  }

  /** Keeps files on disk while a queued message needs them. */
  pin(files: StoredUpload[]): void {
    for (const f of files) f.pins++;
  }

  /** Releases pins; files deleted meanwhile (or `remove`d now) go away. */
  async unpin(key: string, files: StoredUpload[], opts: { remove?: boolean } = {}): Promise<void> {
    for (const f of files) {
      f.pins = Math.max(0, f.pins - 1);
      if (opts.remove) f.deleted = true;
      if (f.deleted && f.pins === 0) await this.#drop(key, f);
    }
  }

  /** Deletes an upload; false when there is no such upload. */
  async remove(key: string, id: string): Promise<boolean> {
    const file = this.get(key, id);
    if (!file) return false;
    file.deleted = true;
    if (file.pins === 0) await this.#drop(key, file);
    return true;
  }

  async #drop(key: string, file: StoredUpload): Promise<void> {
    const session = this.#sessions.get(key);
    if (session?.files.get(file.id) === file) {
      session.files.delete(file.id);
      session.bytes -= file.size;
    }
    await unlink(file.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") this.#log.warn({ err: { code: err.code } }, "upload not removed");
    });
  }

  /** Removes every upload of a session (it ended). */
  async dropSession(key: string): Promise<void> {
    const session = this.#sessions.get(key);
    if (!session) return;
    this.#sessions.delete(key);
    await rm(session.dir, { recursive: true, force: true }).catch((err: unknown) =>
      this.#log.warn({ err }, "upload directory not removed"),
    );
  }

  /** Number of live uploads of a session (tests). */
  count(key: string): number {
    return [...(this.#sessions.get(key)?.files.values() ?? [])].filter((f) => !f.deleted).length;
  }

  /** Removes every upload of the process. */
  async close(): Promise<void> {
    this.#sessions.clear();
    const root = this.#root ? await this.#root.catch(() => undefined) : undefined;
    this.#root = undefined;
    if (root) await rm(root, { recursive: true, force: true }).catch(() => undefined);
  }
}

function newUploadId(): string {
  return randomBytes(16).toString("base64url");
}

function mb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}
