/**
 * compose/uploads.ts with real files in a temporary directory: a session's first uploads, sent
 * at the same moment, are all stored (none writes before the session's directory exists). The
 * directory's creation is made slow, as on a busy disk: `mkdir` answers 20 ms late.
 */

import { mkdtemp, rm } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createLogger } from "../log";
import { UploadStore } from "./uploads";

vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs/promises")>();
  const slowMkdir = (async (...args: Parameters<typeof fs.mkdir>) => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return fs.mkdir(...args);
  }) as typeof fs.mkdir;
  return { ...fs, default: { ...fs, mkdir: slowMkdir }, mkdir: slowMkdir };
});

const base = await mkdtemp(join(tmpdir(), "ferry-uploads-test-"));
afterAll(() => rm(base, { recursive: true, force: true }));

/** A chunked request body (no Content-Length) of `text`. */
function body(text: string): IncomingMessage {
  return Object.assign(Readable.from([Buffer.from(text)]), { headers: {} }) as IncomingMessage;
}

describe("a session's first uploads", () => {
  it("are all stored, and readable, when they start together", async () => {
    const store = new UploadStore(
      { maxFileBytes: 1024, maxSessionBytes: 16 * 1024, maxSessionFiles: 10 },
      createLogger("silent"),
      base,
    );
    const stored = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        store.receive("session", body(`file ${i}`), `f${i}.txt`, "text/plain"),
      ),
    );
    expect(stored.map((u) => u.size)).toEqual([6, 6, 6, 6]);
    expect(store.count("session")).toBe(4);
    // Each is on disk, as sent: a send reads them back from there.
    const read = await Promise.all(
      stored.map(async (u) => {
        const file = store.get("session", u.uploadId);
        if (!file) return null;
        return (await buffer(store.open(file))).toString();
      }),
    );
    expect(read).toEqual(["file 0", "file 1", "file 2", "file 3"]);
  });
});
