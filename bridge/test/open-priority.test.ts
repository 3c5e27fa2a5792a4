/**
 * A user's `message.open` goes ahead of read-ahead, through a real bridge against the real
 * Dovecot: with several `background` opens, or `background` `messages.rows` (hover and fetch
 * ahead read stacks' lines that way), queued on a session's command connection, a foreground open
 * sent after them is answered before the ones still waiting (the one already running finishes
 * first), and every background request is still answered in full. It also goes ahead of the
 * lists and folders a new session asks for (`list.window`, `mailboxes.list`), but not of a flag
 * change asked for before it.
 */
import { seedMailbox, startMailServer } from "@ferry/mail-server";
import type { TMessageRef } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  inboxSocket,
  inboxWindow,
  type MailServer,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";

const READER = "reader@example.test";
const BACKGROUND = 8;

let mail: MailServer;
let bridge: TestBridge;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: [{ email: READER }] });
  await seedMailbox(mail, READER, { inbox: 20 });
  bridge = await startBridge(mail);
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await bridge?.close();
  await mail?.stop();
});

describe("message.open with background read-ahead queued", () => {
  it("answers the user's open before the background opens still waiting", async () => {
    const s = await inboxSocket(bridge, mail.user(READER));
    sockets.push(s);
    let n = 0;
    const w = await inboxWindow(s, () => `w-${++n}`);
    const refs: TMessageRef[] = w.rows.map((r) => ({
      mailbox: "INBOX",
      uidValidity: w.uidValidity,
      uid: r.uid,
    }));
    expect(refs.length).toBeGreaterThan(BACKGROUND);

    const ends: string[] = [];
    s.ws.on("message", (data) => {
      const f = JSON.parse(data.toString()) as { type: string; id?: string };
      if (f.type === "message.end" && f.id) ends.push(f.id);
    });
    const ids = refs.slice(0, BACKGROUND).map((_, i) => `bg-${i}`);
    refs.slice(0, BACKGROUND).forEach((ref, i) => {
      s.send(JSON.stringify({ type: "message.open", id: ids[i], ref, background: true }));
    });
    const userRef = refs[BACKGROUND] as TMessageRef;
    s.send(JSON.stringify({ type: "message.open", id: "user", ref: userRef }));

    const header = await s.waitFor((f) => f.type === "message.header" && f.id === "user");
    expect(header).toMatchObject({ type: "message.header", ref: userRef });
    for (const id of ids) {
      await s.waitFor((f) => f.type === "message.end" && f.id === id, `end of ${id}`, 10_000);
    }
    await s.waitFor((f) => f.type === "message.end" && f.id === "user", "end of user");

    // Strictly first come, first served, the user's open would be answered last.
    const userAt = ends.indexOf("user");
    expect(ends).toHaveLength(BACKGROUND + 1);
    expect(userAt).toBeLessThan(BACKGROUND);
    expect(ends.slice(userAt + 1).length).toBeGreaterThanOrEqual(BACKGROUND - 2);
    // Each background open was still answered whole: a header before its end.
    for (const id of ids) {
      expect(s.ofType("message.header").some((f) => f.id === id)).toBe(true);
    }
  });
});

describe("messages.rows read ahead in the background", () => {
  it("answers the user's open before the background rows still waiting", async () => {
    const s = await inboxSocket(bridge, mail.user(READER));
    sockets.push(s);
    let n = 0;
    const w = await inboxWindow(s, () => `w-${++n}`);
    const refs: TMessageRef[] = w.rows.map((r) => ({
      mailbox: "INBOX",
      uidValidity: w.uidValidity,
      uid: r.uid,
    }));
    expect(refs.length).toBeGreaterThan(1);
    const lines = refs.slice(1);
    const userRef = refs[0] as TMessageRef;

    const answered: string[] = [];
    s.ws.on("message", (data) => {
      const f = JSON.parse(data.toString()) as { type: string; id?: string };
      if ((f.type === "messages.rows" || f.type === "message.end") && f.id) answered.push(f.id);
    });
    const ids = Array.from({ length: BACKGROUND }, (_, i) => `bg-${i}`);
    for (const id of ids) {
      s.send(JSON.stringify({ type: "messages.rows", id, refs: lines, background: true }));
    }
    s.send(JSON.stringify({ type: "message.open", id: "user", ref: userRef }));

    await s.waitFor((f) => f.type === "message.end" && f.id === "user", "end of user", 10_000);
    for (const id of ids) {
      await s.waitFor((f) => f.type === "messages.rows" && f.id === id, `rows of ${id}`, 10_000);
    }

    // Strictly first come, first served, the user's open would be answered last.
    const userAt = answered.indexOf("user");
    expect(answered).toHaveLength(BACKGROUND + 1);
    expect(userAt).toBeLessThan(BACKGROUND);
    expect(answered.slice(userAt + 1).length).toBeGreaterThanOrEqual(BACKGROUND - 2);
    // Each background request was still answered whole: a row for every ref it named.
    for (const id of ids) {
      const reply = s.ofType("messages.rows").find((f) => f.id === id);
      expect(reply?.rows.map((r) => r.uid).sort((a, b) => a - b)).toEqual(
        lines.map((r) => r.uid).sort((a, b) => a - b),
      );
      expect(reply?.missing).toEqual([]);
    }
  });
});

describe("message.open behind a new session's reads", () => {
  it("answers the user's open before the lists and folders still waiting, after an earlier flag change", async () => {
    const s = await inboxSocket(bridge, mail.user(READER));
    sockets.push(s);
    let n = 0;
    const w = await inboxWindow(s, () => `w-${++n}`);
    const [userRow, flaggedRow] = w.rows;
    if (!userRow || !flaggedRow) throw new Error("INBOX has fewer than two messages");
    const userRef: TMessageRef = { mailbox: "INBOX", uidValidity: w.uidValidity, uid: userRow.uid };
    const set = { mailbox: "INBOX", uidValidity: w.uidValidity, uids: [flaggedRow.uid] };

    const answered: string[] = [];
    s.ws.on("message", (data) => {
      const f = JSON.parse(data.toString()) as { type: string; id?: string };
      if (f.id && ["list.window", "mailboxes", "ok", "message.end"].includes(f.type))
        answered.push(f.id);
    });
    const reads = (from: number) =>
      Array.from({ length: 4 }, (_, i) => {
        const id = `read-${from + i}`;
        s.send(
          JSON.stringify(
            i % 2 === 0
              ? { type: "list.window", id, mailbox: "INBOX", offset: 0, limit: 50, query: null }
              : { type: "mailboxes.list", id },
          ),
        );
        return id;
      });
    const before = reads(0);
    s.send(JSON.stringify({ type: "flags.update", id: "flag", set, add: ["\\Flagged"] }));
    const after = reads(4);
    s.send(JSON.stringify({ type: "message.open", id: "user", ref: userRef }));

    await s.waitFor((f) => f.type === "message.end" && f.id === "user", "end of user", 10_000);
    for (const id of [...before, ...after]) {
      await s.waitFor((f) => "id" in f && f.id === id, `answer to ${id}`, 10_000);
    }
    await s.request({ type: "flags.update", id: "unflag", set, remove: ["\\Flagged"] });

    // First come, first served, the user's open would be answered after every read.
    expect(answered.slice(0, before.length + 1).sort()).toEqual([...before, "flag"].sort());
    expect(answered.indexOf("user")).toBe(before.length + 1);
    expect(answered.slice(before.length + 2, before.length + 2 + after.length)).toEqual(after);
  });
});
