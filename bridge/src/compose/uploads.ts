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
 *
 * **Shared with other bridges** (`SharedUploads`, given when the state store is Redis): each
 * stored file is also written to the state store, sealed under FERRY_SESSION_SECRET and bound to
 * its session and id, expiring with the session's idle lifetime, before the upload is answered.
 * A bridge asked for an upload it does not have (its user came over from a bridge that died)
 * fetches it from there into its own directory first (`restore`), so a composer's attachments
 * survive a failover without the browser sending them again. Deleting an upload deletes the copy.
 */
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { TUploadInfo } from "@ferry/protocol";
import { BridgeError } from "../errors";
import type { Logger } from "../log";
import type { SecretBox } from "../session/crypto";
import type { StateStore } from "../state/store";
import { sanitizeFilename, sanitizeMimeType } from "./headers";

/** Where uploads are shared with the other bridges on one state store. */
export interface SharedUploads {
  state: StateStore;
  /** Seals the copies (FERRY_SESSION_SECRET's box). */
  box: SecretBox;
  /** How long a copy is kept: the session's idle lifetime. */
  ttlMs: number;
}

const sharedKey = (sessionKey: string, id: string) => `upload:${sessionKey}:${id}`;

/** Upload ids are what newUploadId makes: anything else is never looked up in the store. */
const UPLOAD_ID = /^[A-Za-z0-9_-]{22}$/;

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
  /** The directory's creation: every upload of the session waits for it before writing there. */
  made: Promise<void>;
}

export class UploadStore {
  readonly #limits: UploadLimits;
  readonly #log: Logger;
  readonly #baseDir: string;
  #root: Promise<string> | undefined;
  readonly #sessions = new Map<string, SessionUploads>();
  readonly #shared: SharedUploads | undefined;

  constructor(limits: UploadLimits, log: Logger, baseDir = tmpdir(), shared?: SharedUploads) {
    this.#limits = limits;
    this.#log = log;
    this.#baseDir = baseDir;
    this.#shared = shared;
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
    if (existing) return existing.made.then(() => existing);
    const root = await this.#rootDir();
    const again = this.#sessions.get(key);
    if (again) return again.made.then(() => again);
    // A random name, not the session key: nothing on disk links back to the session store.
    const dir = join(root, randomBytes(12).toString("base64url"));
    const made = mkdir(dir, { mode: 0o700 }).then(() => undefined);
    const entry: SessionUploads = { dir, files: new Map(), bytes: 0, receiving: 0, made };
    this.#sessions.set(key, entry);
    try {
      await made;
    } catch (err) {
      // Not kept: the session's next upload tries again.
      if (this.#sessions.get(key) === entry) this.#sessions.delete(key);
      throw err;
    }
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
            out.end((err?: Error | null) =>
              err
                ? reject(
                    new BridgeError("internal", "The upload could not be stored.", { cause: err }),
                  )
                : resolve(count),
            );
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
    const file: StoredUpload = { id, filename, type, size, path, pins: 0, deleted: false };
    session.files.set(id, file);
    await this.#share(key, file);
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
    const file: StoredUpload = {
      id,
      filename,
      type,
      size: data.length,
      path,
      pins: 0,
      deleted: false,
    };
    session.files.set(id, file);
    await this.#share(key, file, data);
    return { uploadId: id, filename, size: data.length, type };
  }

  /** Writes a sealed copy of `file` to the shared store (when there is one). */
  async #share(key: string, file: StoredUpload, data?: Buffer): Promise<void> {
    if (!this.#shared) return;
    const { state, box, ttlMs } = this.#shared;
    const bytes = data ?? (await readFile(file.path));
    const value = JSON.stringify({
      filename: file.filename,
      type: file.type,
      data: bytes.toString("base64"),
    });
    const k = sharedKey(key, file.id);
    try {
      await state.set(k, box.seal(value, k), { ttlMs });
    } catch (err) {
      // this bridge still has it; only a failover before the store is back would miss it
      this.#log.warn({ err }, "upload not shared with the other bridges");
    }
  }

  /**
   * Makes sure each upload `ids` names is here: one this bridge does not have is fetched from
   * the shared store (its user's earlier bridge stored it there). Ids found nowhere are left
   * out: `get` then answers undefined and the draft is refused as before.
   */
  async restore(key: string, ids: readonly string[]): Promise<void> {
    if (!this.#shared) return;
    const { state, box } = this.#shared;
    for (const id of ids) {
      if (!UPLOAD_ID.test(id) || this.get(key, id)) continue;
      const k = sharedKey(key, id);
      const sealed = await state.get(k);
      const opened = sealed === undefined ? null : box.open(sealed, k);
      if (opened === null) continue;
      const copy = JSON.parse(opened) as { filename: string; type: string; data: string };
      const data = Buffer.from(copy.data, "base64");
      const session = await this.#session(key);
      if (session.files.has(id)) continue;
      this.#checkQuota(session, data.length);
      const path = join(session.dir, id);
      session.bytes += data.length;
      try {
        await writeFile(path, data, { flag: "wx", mode: 0o600 });
      } catch (err) {
        session.bytes -= data.length;
        throw new BridgeError("internal", "The attachment could not be stored.", { cause: err });
      }
      session.files.set(id, {
        id,
        filename: copy.filename,
        type: copy.type,
        size: data.length,
        path,
        pins: 0,
        deleted: false,
      });
    }
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
    await this.#shared?.state
      .delete(sharedKey(key, file.id))
      .catch((err: unknown) => this.#log.warn({ err }, "shared upload not removed"));
    await unlink(file.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") this.#log.warn({ err: { code: err.code } }, "upload not removed");
    });
  }

  /**
   * Removes every upload of a session here; with `shared`, the copies in the shared store too
   * (the session ended, rather than moved to another bridge).
   */
  async dropSession(key: string, opts: { shared?: boolean } = {}): Promise<void> {
    const session = this.#sessions.get(key);
    if (!session) return;
    this.#sessions.delete(key);
    if (this.#shared && opts.shared) {
      const { state } = this.#shared;
      await Promise.all(
        [...session.files.keys()].map((id) =>
          state.delete(sharedKey(key, id)).catch(() => undefined),
        ),
      );
    }
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
