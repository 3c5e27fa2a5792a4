/**
 * List revisions against the real Dovecot: windows and pushed list events of an open mailbox
 * carry where they stand in its history (ZRevision), so the browser can order them. Dovecot has
 * CONDSTORE, so revisions are its mod-sequences; a session told to ignore CONDSTORE counts
 * instead. Either way: each event follows on from the one before it (`since` is the previous
 * `n`), its `n` covers the changes it carries, and a window asked for after an event is not
 * older than it.
 */
import { startMailServer } from "@ferry/mail-server";
import type { TEventRevision, TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MailSession } from "../src/live";
import {
  imapClient,
  type MailServer,
  openSocket,
  plainMessage,
  signedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";

type ListEvent = Extract<
  TServerFrame,
  { type: "messages.new" | "messages.flags" | "messages.expunged" }
>;

let mail: MailServer;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  mail = await startMailServer({
    postfix: false,
    users: [{ email: "modseq@example.test" }, { email: "counter@example.test" }],
  });
});

afterAll(async () => {
  for (const o of opened) await o.close().catch(() => undefined);
  await mail?.stop();
});

async function session(
  email: string,
  counter: boolean,
): Promise<{ s: TestSocket; phone: ImapFlow; b: TestBridge; uidValidity: number }> {
  const u = mail.user(email);
  const b = await startBridge(mail, {
    bridge: counter
      ? { createMailSession: (o) => new MailSession({ ...o, counterRevisions: true }) }
      : {},
  });
  const phone = await imapClient(mail, u);
  opened.push(b, { close: () => phone.logout() });
  await phone.mailboxOpen("INBOX");
  const s = await openSocket(b, await signedIn(b, u.email, u.password));
  const reply = await s.request({
    type: "mailbox.open",
    id: "open",
    path: "INBOX",
    readOnly: false,
  });
  if (reply.type !== "mailbox.opened") throw new Error(JSON.stringify(reply));
  return { s, phone, b, uidValidity: reply.uidValidity };
}

async function windowOf(s: TestSocket, id: string) {
  const w = await s.request({
    type: "list.window",
    id,
    mailbox: "INBOX",
    offset: 0,
    limit: 50,
    query: null,
  });
  if (w.type !== "list.window") throw new Error(JSON.stringify(w));
  return w;
}

function nextEvent<K extends ListEvent["type"]>(
  s: TestSocket,
  type: K,
  what: string,
): Promise<Extract<ListEvent, { type: K }>> {
  return s.waitFor<Extract<ListEvent, { type: K }>>(
    (f) => f.type === type && f.mailbox === "INBOX",
    what,
    10_000,
  );
}

function revOf(e: ListEvent): TEventRevision {
  if (!e.rev) throw new Error(`${e.type} carries no revision`);
  return e.rev;
}

/** Delivery, a flag change and an expunge from another device, each pushed with a revision. */
async function history(s: TestSocket, phone: ImapFlow, email: string) {
  await mail.deliver(plainMessage(email, "first"), { from: "carol@example.test", to: [email] });
  const first = await nextEvent(s, "messages.new", "the first message pushed");
  const uid = first.rows[0]?.uid ?? 0;
  const afterNew = await windowOf(s, "after-new");

  await phone.noop();
  await phone.messageFlagsAdd(String(uid), ["\\Flagged"], { uid: true });
  const flagged = await nextEvent(s, "messages.flags", "the flag pushed");
  const afterFlag = await windowOf(s, "after-flag");

  await mail.deliver(plainMessage(email, "second"), { from: "carol@example.test", to: [email] });
  const second = await nextEvent(s, "messages.new", "the second message pushed");
  await phone.noop();
  await phone.messageDelete(String(uid), { uid: true });
  const expunged = await nextEvent(s, "messages.expunged", "the expunge pushed");
  const afterExpunge = await windowOf(s, "after-expunge");
  return { uid, first, afterNew, flagged, afterFlag, second, expunged, afterExpunge };
}

describe.each([
  { mode: "CONDSTORE mod-sequences", email: "modseq@example.test", counter: false },
  { mode: "the bridge's counter", email: "counter@example.test", counter: true },
])("list revisions from $mode", ({ email, counter }) => {
  it("chain the pushed events and never put a later window behind them", async () => {
    const { s, phone, uidValidity } = await session(email, counter);
    const start = await windowOf(s, "start");
    expect(start.rev).toBeDefined();
    const source = start.rev?.source ?? "";
    expect(source).toBe(counter ? source : `modseq:${uidValidity}`);
    if (counter) expect(source).toMatch(/^bridge:/);

    const h = await history(s, phone, email);
    const events = [h.first, h.flagged, h.second, h.expunged];
    const revs = events.map(revOf);
    // One source throughout, each event following on from the one before it.
    expect(new Set([source, ...revs.map((r) => r.source)])).toEqual(new Set([source]));
    expect(revs[0]?.since).toBeGreaterThanOrEqual(start.rev?.n ?? Number.NaN);
    for (let i = 1; i < revs.length; i++) expect(revs[i]?.since).toBe(revs[i - 1]?.n);
    for (const r of revs.slice(0, 3)) expect(r.n).toBeGreaterThan(r.since);
    if (counter) for (const r of revs) expect(r.n).toBe(r.since + 1);

    // A window asked for after an event is not older than it, and shows it.
    expect(h.afterNew.rev?.n).toBeGreaterThanOrEqual(revOf(h.first).n);
    expect(h.afterNew.rows.map((r) => r.uid)).toContain(h.uid);
    expect(h.afterFlag.rev?.n).toBeGreaterThanOrEqual(revOf(h.flagged).n);
    expect(h.afterFlag.rows.find((r) => r.uid === h.uid)?.flags).toContain("\\Flagged");
    expect(h.afterExpunge.rev?.n).toBeGreaterThanOrEqual(revOf(h.expunged).n);
    expect(h.afterExpunge.rows.map((r) => r.uid)).not.toContain(h.uid);

    if (!counter) {
      // The numbers are the server's own: the flag change's MODSEQ is covered by its event.
      const second = h.second.rows[0]?.uid ?? 0;
      await phone.messageFlagsAdd(String(second), ["\\Seen"], { uid: true });
      const seen = await nextEvent(s, "messages.flags", "the read flag pushed");
      const onServer = await phone.fetchOne(
        String(second),
        { uid: true, flags: true },
        { uid: true },
      );
      expect(onServer && onServer.modseq !== undefined).toBe(true);
      expect(revOf(seen).n).toBe(Number(onServer ? onServer.modseq : -1));
    }
  }, 60_000);
});
