// Integration test of the seeder against the real fixture (Dovecot + Postfix on loopback):
// DEMO_SEED through Maildir++ + reindex, checked over IMAP (TLS verified against the fixture CA);
// the IMAP APPEND path; and live arrivals over LMTP.

import { ImapFlow, type MessageStructureObject } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureImapOptions } from "../imap-options";
import { type MailServer, type MailUser, startMailServer } from "../index";
import {
  createArrivals,
  DEFAULT_SEED,
  DEMO_SEED,
  type GeneratedMessage,
  generate,
  nameFromEmail,
  type SeedResult,
  seedMailbox,
} from "./index";

let server: MailServer;
let user: MailUser;
let result: SeedResult;
let client: ImapFlow;

function connect(u: MailUser): ImapFlow {
  return new ImapFlow(fixtureImapOptions(server, u));
}

function flatten(node: MessageStructureObject): MessageStructureObject[] {
  return [node, ...(node.childNodes ?? []).flatMap(flatten)];
}

beforeAll(async () => {
  server = await startMailServer();
  user = server.users[0] as MailUser;
  result = await seedMailbox(server, user.email, DEMO_SEED);
  client = connect(user);
  await client.connect();
}, 180_000);

afterAll(async () => {
  await client?.logout().catch(() => undefined);
  await server?.stop();
}, 60_000);

describe("seedMailbox(DEMO_SEED) via Maildir++", () => {
  it("reports what it wrote", () => {
    expect(result.counts).toEqual({
      INBOX: 300,
      Sent: 60,
      Drafts: 3,
      Archive: 80,
      Trash: 10,
      Junk: 8,
    });
    expect(result.unseen.INBOX).toBeGreaterThan(40);
    expect(result.unseen.Sent).toBe(0);
    expect(result.ms).toBeGreaterThan(0);
  });

  it("STATUS per folder matches SeedResult counts and unseen", async () => {
    for (const [folder, count] of Object.entries(result.counts)) {
      const status = await client.status(folder, { messages: true, unseen: true });
      expect(status, folder).not.toBe(false);
      if (status === false) continue;
      expect(status.messages, folder).toBe(count);
      expect(status.unseen, folder).toBe(result.unseen[folder]);
    }
  });

  it("keeps flags, dates and order: UIDs ascend with INTERNALDATE = generated arrival time", async () => {
    const expected = generate({
      seed: DEFAULT_SEED,
      count: 300,
      owner: { name: nameFromEmail(user.email), email: user.email },
      folder: "INBOX",
    });
    const lock = await client.getMailboxLock("INBOX");
    try {
      const got: { uid: number; date: number; flags: Set<string>; subject: string; id: string }[] =
        [];
      for await (const m of client.fetch("1:*", {
        uid: true,
        flags: true,
        internalDate: true,
        envelope: true,
      })) {
        got.push({
          uid: m.uid,
          date: new Date(m.internalDate ?? 0).getTime(),
          flags: m.flags ?? new Set(),
          subject: m.envelope?.subject ?? "",
          id: m.envelope?.messageId ?? "",
        });
      }
      got.sort((a, b) => a.uid - b.uid);
      expect(got).toHaveLength(300);
      got.forEach((g, i) => {
        const e = expected[i] as GeneratedMessage;
        expect(g.id).toBe(e.messageId);
        expect(g.date).toBe(e.date.getTime());
        // the server's RFC 2047 decoding agrees with what we meant to say
        expect(g.subject).toBe(e.subject);
        expect(g.flags.has("\\Seen")).toBe(e.flags.seen);
        expect(g.flags.has("\\Flagged")).toBe(e.flags.flagged);
        expect(g.flags.has("\\Answered")).toBe(e.flags.answered);
      });
      const flagged = await client.search({ flagged: true }, { uid: true });
      expect(flagged ? flagged.length : -1).toBe(result.flagged.INBOX);
    } finally {
      lock.release();
    }
    const drafts = await client.getMailboxLock("Drafts");
    try {
      const ds = await client.search({ draft: true });
      expect(ds ? ds.length : -1).toBe(3);
    } finally {
      drafts.release();
    }
  });

  it("has threads, attachments and inline cid images the server can see", async () => {
    const lock = await client.getMailboxLock("INBOX");
    try {
      let reply: { uid: number; inReplyTo: string } | undefined;
      let attachment: MessageStructureObject | undefined;
      let related: { uid: number; node: MessageStructureObject } | undefined;
      for await (const m of client.fetch("1:*", {
        uid: true,
        envelope: true,
        bodyStructure: true,
      })) {
        if (!reply && m.envelope?.inReplyTo)
          reply = { uid: m.uid, inReplyTo: m.envelope.inReplyTo };
        const nodes = m.bodyStructure ? flatten(m.bodyStructure) : [];
        attachment ??= nodes.find(
          (n) => n.disposition === "attachment" && n.type === "application/pdf",
        );
        const rel = nodes.find((n) => n.type === "multipart/related");
        if (!related && rel) related = { uid: m.uid, node: rel };
      }

      expect(reply).toBeDefined();
      if (reply) {
        const m = await client.fetchOne(
          String(reply.uid),
          { headers: ["in-reply-to", "references"] },
          { uid: true },
        );
        const headers = m === false ? "" : (m.headers?.toString("latin1") ?? "");
        expect(headers).toContain(`In-Reply-To: ${reply.inReplyTo}`);
        expect(headers).toMatch(/References: /);
      }

      expect(attachment).toBeDefined();
      expect(attachment?.encoding).toBe("base64");
      expect(attachment?.dispositionParameters?.filename ?? attachment?.parameters?.name).toMatch(
        /\.pdf$/,
      );

      expect(related).toBeDefined();
      if (related) {
        const children = related.node.childNodes ?? [];
        const html = children.find((n) => n.type === "text/html");
        const image = children.find((n) => n.type === "image/png");
        expect(image?.id).toMatch(/^<.+>$/);
        expect(image?.disposition).toBe("inline");
        const cid = (image?.id ?? "").slice(1, -1);
        const { content } = await client.download(String(related.uid), html?.part, { uid: true });
        expect(content).toBeDefined();
        const chunks: Buffer[] = [];
        for await (const c of content ?? []) chunks.push(c as Buffer);
        expect(Buffer.concat(chunks).toString("utf8")).toContain(`cid:${cid}`);
      }
    } finally {
      lock.release();
    }
  });
});

describe("seedMailbox via IMAP APPEND", () => {
  it("appends with flags and INTERNALDATE to a second user", async () => {
    const other = server.users[1];
    expect(other, "fixture should provide at least two users").toBeDefined();
    if (!other) return;
    const r = await seedMailbox(server, other.email, {
      seed: 7,
      inbox: 25,
      sent: 4,
      drafts: 2,
      method: "imap",
    });
    expect(r.counts).toEqual({ INBOX: 25, Sent: 4, Drafts: 2 });
    const c = connect(other);
    await c.connect();
    try {
      for (const [folder, count] of Object.entries(r.counts)) {
        const status = await c.status(folder, { messages: true, unseen: true });
        expect(status === false ? undefined : status.messages, folder).toBe(count);
        expect(status === false ? undefined : status.unseen, folder).toBe(r.unseen[folder]);
      }
      const expected = generate({
        seed: 7,
        count: 25,
        owner: { name: nameFromEmail(other.email), email: other.email },
        folder: "INBOX",
      });
      const lock = await c.getMailboxLock("INBOX");
      try {
        const dates: number[] = [];
        for await (const m of c.fetch("1:*", { internalDate: true }))
          dates.push(new Date(m.internalDate ?? 0).getTime());
        expect(dates).toEqual(expected.map((m) => m.date.getTime()));
      } finally {
        lock.release();
      }
    } finally {
      await c.logout();
    }
  });
});

describe("createArrivals over LMTP", () => {
  it("delivers fresh unseen mail into the INBOX", async () => {
    // a fresh session: Dovecot answers STATUS on a selected mailbox from that session's view
    const fresh = connect(user);
    await fresh.connect();
    const before = await fresh.status("INBOX", { messages: true, unseen: true });
    if (before === false) throw new Error("STATUS failed");
    let resolveTwo: () => void = () => undefined;
    const two = new Promise<void>((resolve) => {
      resolveTwo = resolve;
    });
    const subjects: string[] = [];
    const errors: unknown[] = [];
    const stop = createArrivals(server, user.email, {
      seed: 99,
      intervalMs: 20,
      onDelivered: (m, n) => {
        subjects.push(m.subject);
        if (n === 2) resolveTwo();
      },
      onError: (e) => errors.push(e),
    });
    await two;
    await stop();
    expect(errors).toEqual([]);
    const after = await fresh.status("INBOX", { messages: true, unseen: true });
    await fresh.logout();
    if (after === false) throw new Error("STATUS failed");
    expect((after.messages ?? 0) - (before.messages ?? 0)).toBe(subjects.length);
    expect((after.unseen ?? 0) - (before.unseen ?? 0)).toBe(subjects.length);
  });
});
