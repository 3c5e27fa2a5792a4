// Scale test of the seeder: 100,000 INBOX messages through Maildir++ + reindex against the real
// fixture, timed (generate / write / reindex) and verified with IMAP STATUS.

import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureImapOptions } from "../imap-options";
import { type MailServer, type MailUser, startMailServer } from "../index";
import { seedMailbox } from "./index";

const COUNT = 100_000;
let server: MailServer;

beforeAll(async () => {
  server = await startMailServer();
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 120_000);

const s = (ms: number) => (ms / 1000).toFixed(1);

describe("seedMailbox at scale", () => {
  it(`seeds ${COUNT} messages well within 5 minutes`, async () => {
    const user = server.users[0] as MailUser;
    const r = await seedMailbox(server, user.email, { seed: 100_000, inbox: COUNT });
    const { generateMs, writeMs, reindexMs } = r.timings;
    console.log(
      `seeded ${COUNT} messages in ${s(r.ms)} s (generate ${s(generateMs)} s, write incl. generate ${s(writeMs)} s, reindex ${s(reindexMs)} s)`,
    );
    expect(r.counts.INBOX).toBe(COUNT);

    const client = new ImapFlow(fixtureImapOptions(server, user));
    await client.connect();
    try {
      const t0 = performance.now();
      const status = await client.status("INBOX", { messages: true, unseen: true });
      console.log(`STATUS INBOX after seeding took ${s(performance.now() - t0)} s`);
      expect(status === false ? undefined : status.messages).toBe(COUNT);
      expect(status === false ? undefined : status.unseen).toBe(r.unseen.INBOX);

      // oldest first: UID 1 is the oldest message, the last UID the newest
      const lock = await client.getMailboxLock("INBOX");
      try {
        const first = await client.fetchOne("1", { internalDate: true });
        const last = await client.fetchOne("*", { internalDate: true });
        const firstMs = first === false ? 0 : new Date(first.internalDate ?? 0).getTime();
        const lastMs = last === false ? 0 : new Date(last.internalDate ?? 0).getTime();
        expect(lastMs - firstMs).toBeGreaterThan(700 * 86_400_000);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
    expect(r.ms).toBeLessThan(5 * 60_000);
  }, 600_000);
});
