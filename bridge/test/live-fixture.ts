/**
 * The fixture of the live read-path tests through a real bridge (live.test.ts,
 * live-folders.test.ts): a Dovecot with `users` users and a bridge on it, and what those tests do
 * as a browser or a second device would: deliver mail, sign a socket in and wait for it to be
 * online, ask for a list window, count the user's IMAP connections. Sockets and devices made here
 * are closed by close().
 */
import { startMailServer } from "@ferry/mail-server";
import type { TServerFrame, TServerFrameOf } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import {
  imapClient,
  type MailServer,
  openSocket,
  plainMessage,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";

export interface LiveFixture {
  mail: MailServer;
  b: TestBridge;
  /** The fixture's user `i`. */
  user(i: number): { email: string; password: string };
  /** Delivers a plain message with `subject` to `to` over LMTP. */
  deliver(to: string, subject: string): Promise<void>;
  /** A second device of the user: a plain IMAP client, as a phone would be. */
  device(u: { email: string; password: string }): Promise<ImapFlow>;
  /** A socket of the session `cookie`, once it is online. */
  socketFor(cookie: string): Promise<TestSocket>;
  /** A list window of `mailbox`, as the browser asks for one. */
  window(
    s: TestSocket,
    mailbox: string,
    offset?: number,
    limit?: number,
  ): Promise<TServerFrameOf<"list.window">>;
  /** IMAP connections Dovecot has for `email` (`doveadm who`: one line per connection). */
  imapConnections(email: string): Promise<number>;
  /** Closes the sockets and devices, the bridges made here or `bridges`, then the mail server. */
  close(...bridges: (TestBridge | undefined)[]): Promise<void>;
}

/** A fixture of `users` users (`<prefix><i>@example.test`) and a bridge on it. */
export async function startLiveFixture(prefix: string, users: number): Promise<LiveFixture> {
  const mail = await startMailServer({
    postfix: false,
    users: Array.from({ length: users }, (_, i) => ({ email: `${prefix}${i}@example.test` })),
  });
  const b = await startBridge(mail);
  const devices: ImapFlow[] = [];
  const sockets: TestSocket[] = [];
  let windowCounter = 0;
  return {
    mail,
    b,
    user(i) {
      const u = mail.users[i];
      if (!u) throw new Error("add more fixture users");
      return u;
    },
    async deliver(to, subject) {
      await mail.deliver(plainMessage(to, subject), { from: "carol@example.test", to: [to] });
    },
    async device(u) {
      const client = await imapClient(mail, u);
      devices.push(client);
      return client;
    },
    async socketFor(cookie) {
      const s = await openSocket(b, cookie);
      sockets.push(s);
      await s.waitFor((f) => f.type === "state" && f.imap === "online", "state online");
      return s;
    },
    async window(s, mailbox, offset = 0, limit = 50) {
      const reply = await s.request({
        type: "list.window",
        id: `w-${++windowCounter}`,
        mailbox,
        offset,
        limit,
      });
      if (reply.type !== "list.window") {
        throw new Error(`list.window failed: ${JSON.stringify(reply)}`);
      }
      return reply;
    },
    async imapConnections(email) {
      const { stdout } = await mail.doveadm(["who", "-1", email]);
      return stdout.split("\n").filter((line) => line.startsWith(`${email} `)).length;
    },
    async close(...bridges) {
      for (const s of sockets) s.close();
      await Promise.all(devices.map((d) => d.logout().catch(() => d.close())));
      await Promise.all([b.close(), ...bridges.map((x) => x?.close())]);
      await mail.stop();
    },
  };
}

/** A `messages.new` of `mailbox` with a row whose subject is `subject`. */
export const newWith =
  (mailbox: string, subject: string) =>
  (f: TServerFrame): boolean =>
    f.type === "messages.new" && f.mailbox === mailbox && f.rows.some((r) => r.subject === subject);
