/**
 * The conversation order kept by arrival (threads/order.ts) against a fresh THREAD, on the real
 * Dovecot: the seeded INBOX (with the vendored corpus: missing Message-IDs, broken References,
 * repeated subjects) is threaded once, then messages arrive through LMTP (replies by References,
 * by In-Reply-To only, to a message elsewhere, a new subject, a subject-only reply, a message
 * linking two conversations, bursts) and after each the kept order must equal the order a new
 * cache builds from its own THREAD. Arrivals that need no regrouping must cost no THREAD. In a
 * folder counted as large (placeWithin), arrivals are placed by its newest messages, and checked
 * against the older ones afterwards: the order is rebuilt (and the lists told) where they disagree.
 */
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withMailbox } from "../src/imap/mailbox-access";
import { type Conversation, ConversationCache } from "../src/threads/order";
import { corpusInbox, type MailServer } from "./harness";

const USER = "order@example.test";

let mail: MailServer;
let client: ImapFlow;
const kept = new ConversationCache();

beforeAll(async () => {
  ({ mail, client } = await corpusInbox(USER));
}, 180_000);

afterAll(async () => {
  await client?.logout().catch(() => undefined);
  await mail?.stop();
});

function shape(order: Conversation[]): number[][] {
  return order.map((c) => [...c.uids]);
}

async function orderOf(cache: ConversationCache): Promise<number[][]> {
  return withMailbox(client, "INBOX", {}, async (box) =>
    shape(await cache.order(client, "INBOX", box)),
  );
}

let n = 0;

interface Mail {
  subject: string;
  messageId?: string | null;
  inReplyTo?: string | undefined;
  references?: string[];
}

async function deliver(m: Mail): Promise<string> {
  const id = m.messageId === undefined ? `<order-${++n}.${Date.now()}@example.test>` : m.messageId;
  const lines = [
    "From: Carol <carol@example.test>",
    `To: ${USER}`,
    `Subject: ${m.subject}`,
    `Date: ${new Date(Date.UTC(2026, 11, 1, 12, n)).toUTCString()}`,
    ...(id ? [`Message-ID: ${id}`] : []),
    ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`] : []),
    ...(m.references ? [`References: ${m.references.join(" ")}`] : []),
    "",
    `Body of ${m.subject}`,
    "",
  ];
  await mail.deliver(lines.join("\r\n"), { from: "carol@example.test", to: [USER] });
  return id ?? "";
}

/** Message-ID of each UID of INBOX. */
async function messageIdsByUid(): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  await withMailbox(client, "INBOX", {}, async () => {
    for await (const m of client.fetch("1:*", { uid: true, envelope: true }, { uid: true })) {
      if (m.envelope?.messageId) out.set(m.uid, m.envelope.messageId);
    }
  });
  return out;
}

/** After the arrivals, the kept order equals a fresh THREAD's; returns THREADs the kept one ran. */
async function expectSameAsFresh(): Promise<number> {
  const before = kept.threads;
  const incremental = await orderOf(kept);
  const fresh = await orderOf(new ConversationCache());
  expect(incremental).toEqual(fresh);
  return kept.threads - before;
}

describe("the conversation order kept by arrival", () => {
  it("equals a fresh THREAD after each arrival, and joins or starts conversations without one", async () => {
    const first = await orderOf(kept);
    expect(kept.threads).toBe(1);
    expect(first.some((c) => c.length >= 4)).toBe(true);
    const ids = await messageIdsByUid();

    // A reply by References to a message deep in the list: that conversation moves to the top.
    const deep = first[Math.floor(first.length / 2)] ?? [];
    const target = ids.get(deep[0] ?? 0);
    expect(target).toBeDefined();
    await deliver({ subject: "Re: a reply", references: [target as string] });
    expect(await expectSameAsFresh()).toBe(0);
    const afterReply = await orderOf(kept);
    expect(afterReply[0]?.slice(1)).toEqual(deep);

    // By In-Reply-To only, to another conversation.
    const other = first[3] ?? [];
    await deliver({ subject: "In reply", inReplyTo: ids.get(other[other.length - 1] ?? 0) });
    expect(await expectSameAsFresh()).toBe(0);
    expect((await orderOf(kept))[0]?.slice(1)).toEqual(other);

    // A new subject with no references starts a conversation; a reply to it joins it.
    const fresh = await deliver({ subject: `Quarterly figures ${Date.now()}` });
    expect(await expectSameAsFresh()).toBe(0);
    expect((await orderOf(kept))[0]).toHaveLength(1);
    const reply = await deliver({ subject: "Re: figures", references: [fresh] });
    expect(await expectSameAsFresh()).toBe(0);
    await deliver({ subject: "Re: figures", references: [fresh, reply] });
    expect(await expectSameAsFresh()).toBe(0);
    expect((await orderOf(kept))[0]).toHaveLength(3);

    // A reply to a message that is not in the folder, and a second one sharing that parent.
    const absent = `<absent-${Date.now()}@example.test>`;
    await deliver({ subject: "About the absent one", references: [absent] });
    expect(await expectSameAsFresh()).toBe(0);
    await deliver({ subject: "Also about it", references: [absent] });
    expect(await expectSameAsFresh()).toBe(0);
    expect((await orderOf(kept))[0]).toHaveLength(2);

    // Without a Message-ID.
    await deliver({ subject: `No id at all ${Date.now()}`, messageId: null });
    expect(await expectSameAsFresh()).toBe(0);

    // Two arrivals in one go; three rebuild (one THREAD is cheaper than three SEARCHes).
    const burst = await deliver({ subject: `Burst ${Date.now()}` });
    await deliver({ subject: "Re: burst", references: [burst] });
    expect(await expectSameAsFresh()).toBe(0);
    await deliver({ subject: "Re: burst", references: [burst] });
    await deliver({ subject: "Re: a reply", references: [target as string] });
    await deliver({ subject: `Another ${Date.now()}` });
    expect(await expectSameAsFresh()).toBe(1);
  }, 120_000);

  it("equals a fresh THREAD where the arrival regroups (and then runs one)", async () => {
    const order = await orderOf(kept);
    const ids = await messageIdsByUid();
    // One message referencing two conversations (single messages, so nothing is its parent yet)
    // joins them.
    const [a, b] = order
      .filter((c) => c.length === 1 && ids.has(c[0] ?? 0))
      .slice(2, 4)
      .map((c) => ids.get(c[0] ?? 0) as string);
    expect(b).toBeDefined();
    await deliver({ subject: "Both", references: [a as string, b as string] });
    expect(await expectSameAsFresh()).toBe(1);

    // A subject-only reply ("Re:" with no References) merges by its base subject: into the one
    // conversation all of whose messages have it, as the THREAD does, without running one.
    const subject = `Lunch plans ${Date.now()}`;
    await deliver({ subject });
    await orderOf(kept);
    await deliver({ subject: `Re: ${subject}` });
    expect(await expectSameAsFresh()).toBe(0);

    // A message older ones were waiting for (they referenced its id first).
    const early = `<early-${Date.now()}@example.test>`;
    await deliver({ subject: "Reply first", references: [early] });
    await orderOf(kept);
    await deliver({ subject: "The original", messageId: early });
    await expectSameAsFresh();

    // An expunge: the order is rebuilt.
    await withMailbox(client, "INBOX", {}, async () => {
      await client.messageDelete(`${order[0]?.[0] ?? 1}`, { uid: true });
    });
    expect(await expectSameAsFresh()).toBe(1);
  }, 120_000);
});

describe("arrivals in a large folder, placed by its newest messages", () => {
  /** A cache that counts a folder of more than `placeWithin` messages as large. */
  function nearCache(placeWithin: number) {
    const cache = new ConversationCache({ placeWithin, checkAfterMs: 600_000 });
    const told: string[] = [];
    cache.onComplete((path) => told.push(path));
    return { cache, told };
  }

  it("join or start a conversation without searching the whole folder, then agree with the rest", async () => {
    const { cache, told } = nearCache(20);
    await orderOf(cache);
    const topic = await deliver({ subject: `Near topic ${Date.now()}` });
    await orderOf(cache);
    await deliver({ subject: "Re: near topic", references: [topic] });
    const order = await orderOf(cache);
    expect(order[0]).toHaveLength(2);
    expect(cache.wholeSearches).toBe(0);
    expect(order).toEqual(await orderOf(new ConversationCache()));

    // The older messages, checked afterwards in one go, leave both where they are.
    expect(await cache.check(client, "INBOX")).toBe(true);
    expect(cache.wholeSearches).toBe(1);
    expect(told).toEqual([]);
    expect(await orderOf(cache)).toEqual(await orderOf(new ConversationCache()));
    expect(cache.threads).toBe(1);
  }, 120_000);

  it("look a reply to an older conversation up in the whole folder at once", async () => {
    const { cache } = nearCache(20);
    const first = await orderOf(cache);
    const ids = await messageIdsByUid();
    const deep = first.find((c, i) => i > 100 && ids.has(c[0] ?? 0)) ?? [];
    await deliver({ subject: "Re: an old one", references: [ids.get(deep[0] ?? 0) as string] });
    const order = await orderOf(cache);
    expect(order[0]?.slice(1)).toEqual(deep);
    expect(cache.wholeSearches).toBe(1);
    expect(order).toEqual(await orderOf(new ConversationCache()));
    expect(await cache.check(client, "INBOX")).toBe(true);
    expect(cache.wholeSearches).toBe(1);
  }, 120_000);

  it("are regrouped, and the lists told, when an older message was waiting for one", async () => {
    const early = `<waited-${Date.now()}@example.test>`;
    await deliver({ subject: `Answer before ${Date.now()}`, references: [early] });
    for (let i = 0; i < 3; i++) await deliver({ subject: `Filler ${i} ${Date.now()}` });
    const { cache, told } = nearCache(3);
    await orderOf(cache);

    // The message the older one referenced arrives: among the three newest, nothing links it.
    await deliver({ subject: `Original ${Date.now()}`, messageId: early });
    const placed = await orderOf(cache);
    expect(placed[0]).toHaveLength(1);
    expect(cache.wholeSearches).toBe(0);

    // The older messages say otherwise: the order is rebuilt and equals a fresh THREAD's.
    expect(await cache.check(client, "INBOX")).toBe(false);
    expect(told).toEqual(["INBOX"]);
    const rebuilt = await orderOf(cache);
    expect(rebuilt[0]).toHaveLength(2);
    expect(rebuilt).toEqual(await orderOf(new ConversationCache()));
    expect(cache.threads).toBe(2);
  }, 120_000);
});
