import { describe, expect, it } from "vitest";
import { FerryError } from "../errors";
import { type Dropped, type QueuedOp, type QueuedSend, replayQueue } from "../offline-queue";
import { memoryQueueStore } from "../test-queue-store";
import {
  type FileStore,
  KeptFileMissing,
  keepFile,
  readKeptFile,
  removeKeptFiles,
  uploadKeptFiles,
} from "./offline-files";

type Entry = Awaited<ReturnType<FileStore["all"]>>[number];

function memoryFiles(opts: { refuse?: boolean } = {}): FileStore & { map: Map<string, Entry> } {
  const map = new Map<string, Entry>();
  return {
    map,
    async all() {
      return [...map.values()];
    },
    async get(id) {
      return map.get(id);
    },
    async put(e) {
      if (opts.refuse) throw new DOMException("full", "QuotaExceededError");
      map.set(e.fileId, e);
    },
    async remove(id) {
      map.delete(id);
    },
    async clear() {
      map.clear();
    },
  };
}

const bytes = (n: number, type = "application/pdf") => new Blob([new Uint8Array(n)], { type });

describe("keepFile", () => {
  it("keeps the file's bytes, name, size and type under a fresh id", async () => {
    const store = memoryFiles();
    const res = await keepFile(new Blob(["hello"], { type: "text/plain" }), "a.txt", store, 100);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.file).toMatchObject({ filename: "a.txt", size: 5, type: "text/plain" });
    const blob = await readKeptFile(res.file.fileId, store);
    expect(await blob?.text()).toBe("hello");
    const again = await keepFile(bytes(1), "b.txt", store, 100);
    expect(again.ok && again.file.fileId !== res.file.fileId).toBe(true);
  });

  it("refuses a file that would pass the budget with those already kept, keeping nothing", async () => {
    const store = memoryFiles();
    expect((await keepFile(bytes(60), "one.pdf", store, 100)).ok).toBe(true);
    const res = await keepFile(bytes(41), "two.pdf", store, 100);
    expect(res).toEqual({ ok: false, refusal: { kind: "overBudget", budget: 100 } });
    expect(store.map.size).toBe(1);
    expect((await keepFile(bytes(40), "three.pdf", store, 100)).ok).toBe(true);
  });

  it("says so when the browser refuses to store the file", async () => {
    const res = await keepFile(bytes(10), "x.pdf", memoryFiles({ refuse: true }), 100);
    expect(res).toEqual({ ok: false, refusal: { kind: "storage" } });
  });
});

describe("uploadKeptFiles", () => {
  it("uploads each kept file's bytes and names the uploads as attachments", async () => {
    const store = memoryFiles();
    const a = await keepFile(
      new Blob(["first"], { type: "application/octet-stream" }),
      "a.bin",
      store,
      1000,
    );
    const b = await keepFile(
      new Blob(["second!"], { type: "application/octet-stream" }),
      "b.bin",
      store,
      1000,
    );
    if (!a.ok || !b.ok) throw new Error("not kept");
    const seen: string[] = [];
    const out = await uploadKeptFiles(
      [a.file, b.file],
      async (blob, name) => {
        seen.push(`${name}:${await blob.text()}`);
        return { uploadId: `up-${name}`, size: blob.size };
      },
      store,
    );
    expect(seen).toEqual(["a.bin:first", "b.bin:second!"]);
    expect(out).toEqual([
      { uploadId: "up-a.bin", filename: "a.bin", size: 5, type: "application/octet-stream" },
      { uploadId: "up-b.bin", filename: "b.bin", size: 7, type: "application/octet-stream" },
    ]);
    // The kept copies stay until the caller lets them go.
    expect(store.map.size).toBe(2);
    await removeKeptFiles([a.file.fileId, b.file.fileId], store);
    expect(store.map.size).toBe(0);
  });

  it("fails with KeptFileMissing when a file is no longer on this device", async () => {
    const ref = { fileId: "gone", filename: "gone.pdf", size: 3, type: "application/pdf" };
    await expect(
      uploadKeptFiles([ref], async () => ({ uploadId: "u", size: 3 }), memoryFiles()),
    ).rejects.toBeInstanceOf(KeptFileMissing);
  });
});

// ---- the Outbox with kept files (lib/offline-queue replayQueue) ------------------------------

const draft = {
  from: { name: "", address: "a@example.test" },
  subject: "Report",
  html: null,
  text: "attached",
  attachments: [],
};

/** An Outbox entry with one kept file, and the replay hooks of one tab (its uploads and sends). */
async function outboxWithFile() {
  const files = memoryFiles();
  const kept = await keepFile(
    new Blob(["report bytes"], { type: "application/octet-stream" }),
    "report.bin",
    files,
    1000,
  );
  if (!kept.ok) throw new Error("not kept");
  const op: QueuedSend = {
    type: "compose.send",
    draft,
    delaySeconds: 5,
    draftUid: null,
    draftMailbox: null,
    files: [kept.file],
  };
  const queue = memoryQueueStore([["0001", op]]);
  const log = { uploads: [] as string[], sends: [] as QueuedOp[], dropped: [] as Dropped[] };
  let uploadFails: unknown = null;
  let sendFails: unknown = null;
  let n = 0;
  const tab = {
    async apply(o: QueuedOp) {
      if (sendFails) throw sendFails;
      log.sends.push(o);
    },
    async upload(o: QueuedSend): Promise<QueuedSend> {
      const { files: list, ...rest } = o;
      const added = await uploadKeptFiles(
        list ?? [],
        async (blob) => {
          if (uploadFails) throw uploadFails;
          log.uploads.push(await blob.text());
          n++;
          return { uploadId: `up${n}`, size: blob.size };
        },
        files,
      );
      return { ...rest, draft: { ...o.draft, attachments: added } };
    },
    async uploaded(o: QueuedSend) {
      await removeKeptFiles(
        (o.files ?? []).map((f) => f.fileId),
        files,
      );
    },
    dropped: (d: Dropped) => log.dropped.push(d),
    online: () => true,
  };
  return {
    files,
    queue,
    log,
    tab,
    failUpload: (e: unknown) => {
      uploadFails = e;
    },
    failSend: (e: unknown) => {
      sendFails = e;
    },
  };
}

describe("replaying a message with files kept offline", () => {
  it("uploads the kept file, then sends the message naming the upload, and keeps nothing", async () => {
    const t = await outboxWithFile();
    expect(await replayQueue(t.queue, t.tab)).toBe(1);
    expect(t.log.uploads).toEqual(["report bytes"]);
    expect(t.log.sends).toHaveLength(1);
    const sent = t.log.sends[0];
    expect(sent?.type === "compose.send" && sent.draft.attachments).toEqual([
      { uploadId: "up1", filename: "report.bin", size: 12, type: "application/octet-stream" },
    ]);
    expect(sent && "files" in sent).toBe(false);
    expect(t.queue.map.size).toBe(0);
    expect(t.files.map.size).toBe(0);
  });

  it("two tabs replaying one after the other (the queue's lock) upload and send once", async () => {
    const t = await outboxWithFile();
    await replayQueue(t.queue, t.tab);
    expect(await replayQueue(t.queue, t.tab)).toBe(0);
    expect(t.log.uploads).toHaveLength(1);
    expect(t.log.sends).toHaveLength(1);
  });

  it("an upload cut off by the network leaves the message and its file for the next connection", async () => {
    const t = await outboxWithFile();
    t.failUpload(new FerryError("network", "The upload did not reach Ferry"));
    expect(await replayQueue(t.queue, t.tab)).toBe(0);
    expect(t.log.sends).toHaveLength(0);
    expect(t.log.dropped).toHaveLength(0);
    expect(t.queue.map.size).toBe(1);
    expect(t.files.map.size).toBe(1);
    t.failUpload(null);
    expect(await replayQueue(t.queue, t.tab)).toBe(1);
    expect(t.log.uploads).toEqual(["report bytes"]);
    expect(t.log.sends).toHaveLength(1);
  });

  it("a send cut off after the upload is never repeated, nor the file uploaded again", async () => {
    const t = await outboxWithFile();
    t.failSend(new FerryError("connection_lost", "gone"));
    await replayQueue(t.queue, t.tab);
    expect(t.log.dropped.map((d) => d.reason)).toEqual(["interrupted"]);
    const back = t.log.dropped[0]?.op;
    expect(back?.type === "compose.send" && back.draft.attachments?.[0]).toMatchObject({
      uploadId: "up1",
    });
    t.failSend(null);
    expect(await replayQueue(t.queue, t.tab)).toBe(0);
    expect(t.log.uploads).toHaveLength(1);
    expect(t.log.sends).toHaveLength(0);
  });

  it("a refused upload (too large) drops the message with its reason instead of retrying", async () => {
    const t = await outboxWithFile();
    t.failUpload(new FerryError("too_large", "Too large"));
    await replayQueue(t.queue, t.tab);
    expect(t.log.dropped).toEqual([
      {
        op: expect.objectContaining({ type: "compose.send" }),
        reason: "refused",
        error: expect.any(FerryError),
      },
    ]);
    expect(t.queue.map.size).toBe(0);
  });
});
