/**
 * One account for a conversation test file, through a real bridge against the real Dovecot: a
 * mail server of its own with `email`'s INBOX and Sent holding one three-message exchange
 * (test/thread-mail.ts appendExchange), a bridge, and a socket with INBOX open. Set up before the
 * file's tests (vitest's beforeAll) and closed after them.
 */
import { startMailServer } from "@ferry/mail-server";
import { afterAll, beforeAll } from "vitest";
import {
  imapClient,
  inboxSocket,
  type MailServer,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";
import { appendExchange } from "./thread-mail";

export interface ExchangeAccount {
  mail: MailServer;
  bridge: TestBridge;
  socket: TestSocket;
  /** The UID of the user's reply in Sent. */
  replyUid: number;
}

export function exchangeAccount(
  email: string,
  exchange: Parameters<typeof appendExchange>[2],
): ExchangeAccount {
  const account = {} as ExchangeAccount;
  beforeAll(async () => {
    account.mail = await startMailServer({ postfix: false, users: [{ email }] });
    const other = await imapClient(account.mail, account.mail.user(email));
    try {
      account.replyUid = await appendExchange(other, email, exchange);
    } finally {
      await other.logout();
    }
    account.bridge = await startBridge(account.mail);
    account.socket = await inboxSocket(account.bridge, account.mail.user(email));
  }, 120_000);
  afterAll(async () => {
    account.socket?.close();
    await account.bridge?.close();
    await account.mail?.stop();
  });
  return account;
}
