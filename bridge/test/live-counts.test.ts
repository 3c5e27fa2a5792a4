/**
 * Other folders' counts, live, through a real bridge against the real Dovecot: a message filed
 * into a folder nobody has open (by another IMAP client, as a Sieve rule or another device
 * would) and a flag changed there reach the socket as `mailbox.status` within 2 s where the
 * server has NOTIFY, with the counts poll set far longer; and within the poll interval on a
 * server without NOTIFY (the fixture's `notify: false`).
 */

import { statSync } from "node:fs";
import { join } from "node:path";
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
import { commandsDuring } from "./imap-commands";

const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

/**
 * A fixture and a bridge whose sessions poll other folders' counts every `pollMs` (where NOTIFY is
 * not in force), probe the NOTIFY connection every `probeMs` (the bridge's default when
 * undefined), on a Dovecot that looks for changes its watches missed every `idleCheckSecs`.
 */
async function stackOf(opts: {
  notify: boolean;
  pollMs: number;
  probeMs?: number;
  idleCheckSecs?: number;
}) {
  const mail: MailServer = await startMailServer({
    postfix: false,
    notify: opts.notify,
    ...(opts.idleCheckSecs === undefined ? {} : { idleCheckSecs: opts.idleCheckSecs }),
  });
  cleanups.push(() => mail.stop());
  const b: TestBridge = await startBridge(mail, {
    bridge: {
      createMailSession: (o) =>
        new MailSession({
          ...o,
          rowsFetcher: rowsForUids,
          countsIntervalMs: opts.pollMs,
          ...(opts.probeMs === undefined ? {} : { notifyProbeMs: opts.probeMs }),
        }),
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

  it("still change within seconds after Dovecot rotates its list index log", async () => {
    // Dovecot's own look for what its file watch missed comes only hourly here: what reaches the
    // socket is pushed, or brought by the bridge's probe of the NOTIFY connection (every second).
    const { mail, device, socket, email } = await stackOf({
      notify: true,
      pollMs: 10 * 60_000,
      probeMs: 1000,
      idleCheckSecs: 3600,
    });
    await socket.waitFor(
      statusOf("Archive", (f) => f.messages === 0),
      "Archive's baseline",
    );
    // Filing fills dovecot.list.index.log (about 180 bytes a message) until Dovecot rotates it
    // (at 64 KB whatever its age): its NOTIFY watch stays on the old file from then on.
    const log = join(mail.dir, "home", email, "Maildir", "dovecot.list.index.log");
    const first = statSync(log).ino;
    let filed = 0;
    const commands = await commandsDuring(async () => {
      while (statSync(log).ino === first) {
        if (filed === 2000) throw new Error("Dovecot did not rotate its list index log");
        await device.append("Archive", plainMessage(email, `Filed ${filed}`));
        filed++;
      }
      for (let i = 0; i < 3; i++) {
        await device.append("Archive", plainMessage(email, `After the rotation ${i}`));
        filed++;
        const n = filed;
        await socket.waitFor(
          statusOf("Archive", (f) => f.messages === n && f.unseen === n),
          `Archive's ${n} messages after the rotation`,
          5000,
        );
      }
    });
    // The NOTIFY SET was renewed after the rotation, so Dovecot watches the new file.
    const appends = commands.flatMap((c, i) => (c.command === "APPEND" ? [i] : []));
    const rotatedAt = appends[filed - 4] ?? -1;
    expect(rotatedAt).toBeGreaterThan(0);
    expect(commands.slice(rotatedAt).some((c) => c.command === "NOTIFY")).toBe(true);
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
