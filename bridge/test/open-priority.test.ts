/**
 * A user's `message.open` goes ahead of read-ahead, through a real bridge against the real
 * Dovecot: with several `background` opens, or `background` `messages.rows` (hover and fetch
 * ahead read stacks' lines that way), queued on a session's command connection, a foreground open
 * sent after them is answered before the ones still waiting (the one already running finishes
 * first), and every background request is still answered in full.
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
