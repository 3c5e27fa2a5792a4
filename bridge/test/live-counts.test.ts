/**
 * Other folders' counts, live, through a real bridge against the real Dovecot: a message filed
 * into a folder nobody has open (by another IMAP client, as a Sieve rule or another device
 * would) and a flag changed there reach the socket as `mailbox.status` within 2 s where the
 * server has NOTIFY, with the counts poll set far longer; and within the poll interval on a
 * server without NOTIFY (the fixture's `notify: false`).
 */
import { startMailServer } from "@ferry/mail-server";
import type { TServerFrame, TServerFrameOf } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { afterAll, describe, expect, it } from "vitest";
import { rowsForUids } from "../src/imap/window";
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

const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

/** A fixture and a bridge whose sessions poll other folders' counts every `pollMs`. */
async function stackOf(opts: { notify: boolean; pollMs: number }) {
  const mail: MailServer = await startMailServer({ postfix: false, notify: opts.notify });
  cleanups.push(() => mail.stop());
  const b: TestBridge = await startBridge(mail, {
    bridge: {
      createMailSession: (o) =>
        new MailSession({ ...o, rowsFetcher: rowsForUids, countsIntervalMs: opts.pollMs }),
    },
  });
  cleanups.push(() => b.close());
  const u = mail.users[0];
  if (!u) throw new Error("the fixture has no user");
  const device: ImapFlow = await imapClient(mail, u);
  cleanups.push(() => device.logout());
  const socket: TestSocket = await openSocket(b, await signedIn(b, u.email, u.password));
  cleanups.push(async () => socket.close());
  return { mail, device, socket, email: u.email };
}

const statusOf =
  (mailbox: string, pred: (f: TServerFrameOf<"mailbox.status">) => boolean) => (f: TServerFrame) =>
    f.type === "mailbox.status" && f.mailbox === mailbox && pred(f);

/** How long the socket took, from `t0`, to see the frame. */
async function within(socket: TestSocket, pred: (f: TServerFrame) => boolean, ms: number) {
  const t0 = Date.now();
  await socket.waitFor(pred, "mailbox.status", ms);
  return Date.now() - t0;
}

describe("other folders' counts", () => {
  it("change within 2 s with NOTIFY, far inside the counts poll", async () => {
    const { device, socket, email } = await stackOf({ notify: true, pollMs: 10 * 60_000 });
    // The session's first counts (the baseline) have come.
    await socket.waitFor(
      statusOf("Archive", (f) => f.messages === 0),
      "Archive's baseline",
    );

    const t0 = Date.now();
    await device.append("Archive", plainMessage(email, "Filed by a rule"));
    await within(
      socket,
      statusOf("Archive", (f) => f.messages === 1 && f.unseen === 1),
      2000 - (Date.now() - t0),
    );

    const t1 = Date.now();
    await device.mailboxOpen("Archive");
    await device.messageFlagsAdd("1:*", ["\\Seen"]);
    await within(
      socket,
      statusOf("Archive", (f) => f.messages === 1 && f.unseen === 0),
      2000 - (Date.now() - t1),
    );
    await device.mailboxClose();
  });

  it("change within the poll interval on a server without NOTIFY", async () => {
    const pollMs = 1000;
    const { device, socket, email } = await stackOf({ notify: false, pollMs });
    expect(device.capabilities.has("NOTIFY")).toBe(false);
    await socket.waitFor(
      statusOf("Archive", (f) => f.messages === 0),
      "Archive's baseline",
    );

    const t0 = Date.now();
    await device.append("Archive", plainMessage(email, "Filed by a rule"));
    // One interval, plus the LIST-STATUS itself.
    await within(
      socket,
      statusOf("Archive", (f) => f.messages === 1),
      pollMs + 1000 - (Date.now() - t0),
    );
  });
});
