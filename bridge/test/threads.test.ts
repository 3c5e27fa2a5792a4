/**
 * Threading against the real Dovecot: the server's `UID THREAD REFERENCES` (read through
 * imapflow's exec) and the bridge's own REFERENCES algorithm, run over the same seeded INBOX
 * (with the vendored corpus delivered into it: missing Message-IDs, repeated subjects), group
 * the messages into the same conversations.
 */
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ThreadNode, threadUids } from "../src/threads/references";
import { canServerThread, clientThreads, serverThreads } from "../src/threads/server-thread";
import { corpusInbox, type MailServer } from "./harness";

const USER = "threads@example.test";

let mail: MailServer;
let client: ImapFlow;

beforeAll(async () => {
  ({ mail, client } = await corpusInbox(USER));
}, 180_000);

afterAll(async () => {
  await client?.logout().catch(() => undefined);
  await mail?.stop();
});

function partition(trees: ThreadNode[]): number[][] {
  return trees
    .map((t) => threadUids(t).sort((a, b) => a - b))
    .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
}

describe("threads of a real mailbox", () => {
  it("the server's THREAD=REFERENCES and the bridge's own algorithm give the same conversations", async () => {
    expect(canServerThread(client)).toBe(true);
    const lock = await client.getMailboxLock("INBOX");
    try {
      const exists = client.mailbox ? client.mailbox.exists : 0;
      const server = partition(await serverThreads(client));
      const own = partition(await clientThreads(client));
      expect(server.flat().length).toBe(exists);
      expect(own.flat().length).toBe(exists);
      expect(server.some((g) => g.length >= 4)).toBe(true);
      expect(server.length).toBeLessThan(exists * 0.85);
      expect(own).toEqual(server);
    } finally {
      lock.release();
    }
  }, 60_000);
});
