/**
 * Every message of the vendored corpus (packages/mail-server/corpus: real-world and malformed
 * MIME) is delivered over LMTP to the real Dovecot fixture, then opened: openMessage must emit the
 * header, the bodies and the end without throwing, list every leaf of the structure (as a
 * displayed body, an attachment or a losing alternative), and every leaf and the raw source must
 * come through the parts endpoint.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { relative } from "node:path";
import { CORPUS_DIR } from "@ferry/mail-server";
import { partUrl, ZMessageHeader } from "@ferry/protocol";
import type { ImapFlow, MessageStructureObject } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handlePartRequest } from "../src/http/parts";
import { type OpenMessageFrame, openMessage } from "../src/imap/message";
import { leafParts } from "../src/imap/structure";
import { type Fixture, startFixture } from "../src/imap/test-support";
import { listWindow } from "../src/imap/window";
import { corpusFiles } from "./harness";

const files = corpusFiles(CORPUS_DIR);
let fx: Fixture;
let client: ImapFlow;
let server: Server;
let base = "";
let uidValidity = 0;
/** corpus file → UID in INBOX, and imapflow's own parse of its structure. */
const delivered = new Map<string, { uid: number; structure: MessageStructureObject | undefined }>();

/** Leaves of imapflow's BODYSTRUCTURE, not descending into encapsulated messages. */
function imapflowLeaves(node: MessageStructureObject | undefined): number {
  if (!node) return 1;
  if (node.type.toLowerCase().startsWith("multipart/")) {
    return (node.childNodes ?? []).reduce((n, child) => n + imapflowLeaves(child), 0);
  }
  return 1;
}

beforeAll(async () => {
  expect(files.length).toBeGreaterThan(40);
  fx = await startFixture();
  client = await fx.connect();
  for (const file of files) {
    await fx.server.deliver(readFileSync(file), { from: "corpus@example.test", to: [fx.email] });
  }
  const lock = await client.getMailboxLock("INBOX");
  try {
    uidValidity = client.mailbox === false ? 0 : Number(client.mailbox.uidValidity);
    const messages = await client.fetchAll("1:*", { uid: true, bodyStructure: true });
    messages.sort((a, b) => a.uid - b.uid);
    expect(messages).toHaveLength(files.length);
    files.forEach((file, i) => {
      const m = messages[i];
      if (m) delivered.set(file, { uid: m.uid, structure: m.bodyStructure });
    });
  } finally {
    lock.release();
  }
  server = createServer((req, res) => {
    void handlePartRequest(req, res, (fn) => fn(client));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((done) => server?.close(done));
  await fx?.stop();
});

describe("corpus", () => {
  it("lists every corpus message in INBOX", async () => {
    const window = await listWindow(client, { mailbox: "INBOX", offset: 0, limit: 500 });
    expect(window.total).toBe(files.length);
    expect(window.rows).toHaveLength(files.length);
  });

  it.each(files.map((file) => [relative(CORPUS_DIR, file), file]))(
    "opens %s",
    async (_name, file) => {
      const entry = delivered.get(file);
      if (!entry) throw new Error(`${file} was not delivered`);
      const ref = { mailbox: "INBOX", uidValidity, uid: entry.uid };
      const frames: OpenMessageFrame[] = [];
      await openMessage(client, ref, (f) => void frames.push(f));

      const header = frames[0];
      if (header?.type !== "message.header") throw new Error("the first frame is not the header");
      expect(ZMessageHeader.safeParse({ ...header, id: "corpus" }).success).toBe(true);
      expect(frames.at(-1)?.type).toBe("message.end");
      expect(
        frames.filter((f) => f.type === "message.header" || f.type === "message.end"),
      ).toHaveLength(2);

      // Every body part announced arrives, in order, ending with done.
      const bodies = frames.filter((f) => f.type === "message.body");
      for (const part of header.bodyParts) {
        const chunks = bodies.filter((b) => b.part === part.part);
        expect(chunks.length).toBeGreaterThan(0);
        expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
        expect(chunks.at(-1)?.done).toBe(true);
      }
      expect(bodies.every((b) => header.bodyParts.some((p) => p.part === b.part))).toBe(true);

      // Every leaf the server reports is in the structure, and each is shown or listed.
      const leaves = leafParts(header.structure);
      expect(leaves).toHaveLength(imapflowLeaves(entry.structure));
      const shown = new Set(header.bodyParts.map((p) => p.part));
      const listed = new Set(header.attachments.map((a) => a.part));
      for (const leaf of leaves) {
        const isAlternative = leaf.type === "text/plain" || leaf.type === "text/html";
        expect(shown.has(leaf.part) || listed.has(leaf.part) || isAlternative).toBe(true);
      }

      // Every leaf and the raw source come through the parts endpoint.
      for (const part of [...leaves.map((l) => l.part), "raw"]) {
        const res = await fetch(`${base}${partUrl(ref, part)}`);
        const bytes = Buffer.from(await res.arrayBuffer());
        expect({ part, status: res.status }).toEqual({ part, status: 200 });
        const length = res.headers.get("content-length");
        if (length !== null) expect(bytes.length).toBe(Number(length));
        expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      }
    },
  );
});
