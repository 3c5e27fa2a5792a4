/**
 * The first window after a fresh sign-in and the changes made right after it: a browser that has
 * just signed in and shows a message unread must see it turn read when another device reads it a
 * moment later. Repeated over many fresh sign-ins, since the gap it guards against is a race
 * between the sign-in's first window and the start of watching INBOX. Against the real Dovecot.
 */
import { startMailServer } from "@ferry/mail-server";
import { LIST_WINDOW_SIZE, type TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  imapClient,
  type MailServer,
  openSocket,
  plainMessage,
  signedIn,
  startBridge,
  type TestBridge,
} from "./harness";

const ROUNDS = 30;
/** Dovecot announces a change to an IDLEing connection within about 0.5 s. */
const EVENT_WAIT_MS = 4000;

let mail: MailServer;
let b: TestBridge;
let phone: ImapFlow | null = null;

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: [{ email: "fresh@example.test" }] });
  b = await startBridge(mail);
});

afterAll(async () => {
  await phone?.logout().catch(() => phone?.close());
  await b?.close();
  await mail?.stop();
});

async function signOut(cookie: string): Promise<void> {
  const res = await fetch(`${b.url}/api/session`, {
    method: "DELETE",
    headers: { cookie, origin: b.origin },
  });
  expect(res.status).toBe(204);
}

const seenPushed =
  (uid: number) =>
  (f: TServerFrame): boolean =>
    f.type === "messages.flags" &&
    f.mailbox === "INBOX" &&
    f.changes.some((c) => c.uid === uid && c.flags.includes("\\Seen"));

describe("a change made right after the first window of a fresh sign-in", () => {
  it(`reaches the socket, in each of ${ROUNDS} fresh sign-ins`, async () => {
    const u = mail.users[0];
    if (!u) throw new Error("no fixture user");
    await mail.deliver(plainMessage(u.email, "read on the other device"), {
      from: "carol@example.test",
      to: [u.email],
    });
    phone = await imapClient(mail, u);
    await phone.mailboxOpen("INBOX");

    const missed: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const unread = await phone.fetchOne("*", { uid: true });
      if (!unread) throw new Error("the message is not in INBOX");
      await phone.messageFlagsRemove(String(unread.uid), ["\\Seen"], { uid: true });

      const cookie = await signedIn(b, u.email, u.password);
      const s = await openSocket(b, cookie);
      // What the web app sends first, both at once: open INBOX, and its first window.
      s.send(JSON.stringify({ type: "mailbox.open", id: "open", path: "INBOX", readOnly: false }));
      const head = await s.request({
        type: "list.window",
        id: "head",
        mailbox: "INBOX",
        offset: 0,
        limit: LIST_WINDOW_SIZE,
        query: null,
      });
      if (head.type !== "list.window") throw new Error(`no window: ${JSON.stringify(head)}`);
      const row = head.rows.find((r) => r.uid === unread.uid);
      expect(row?.flags ?? ["not listed"]).not.toContain("\\Seen");
      expect(row).toBeDefined();

      await phone.messageFlagsAdd(String(unread.uid), ["\\Seen"], { uid: true });
      const pushed = await s
        .waitFor(seenPushed(unread.uid), "the read flag pushed", EVENT_WAIT_MS)
        .then(
          () => true,
          () => false,
        );
      if (!pushed) missed.push(round);
      s.close();
      await signOut(cookie);
    }
    expect(missed, `read flag never pushed in rounds ${missed.join(", ")} of ${ROUNDS}`).toEqual(
      [],
    );
  }, 240_000);
});
