/**
 * Conversation rows read again (the account's next sign-in, the next window) take what never
 * changes of their messages from what the last read kept (threads/kept-rows.ts) and ask the
 * server only for their flags: no ENVELOPE, BODYSTRUCTURE or PREVIEW FETCHed again, and the same
 * rows as a read that FETCHes everything, flags changed by another client in between included.
 * Against the real Dovecot.
 */
import { startMailServer } from "@ferry/mail-server";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationWindow } from "../src/threads/conversations";
import { keptRows } from "../src/threads/kept-rows";
import { imapClient, type MailServer } from "./harness";
import { commandsDuring } from "./imap-commands";
import { appendExchange, threadMessage } from "./thread-mail";

const EMAIL = "rows@example.test";
/** Messages of the long conversation: more than the rows read of it, so older senders are read. */
const LONG = 9;
let mail: MailServer;
let client: ImapFlow;
let other: ImapFlow;

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: [{ email: EMAIL }] });
  client = await imapClient(mail, mail.user(EMAIL));
  other = await imapClient(mail, mail.user(EMAIL));
  await appendExchange(client, EMAIL, { subject: "Bergen", key: "b" });
  const ids: string[] = [];
  for (let i = 1; i <= LONG; i++) {
    const id = `l${i}@x`;
    await client.append(
      "INBOX",
      threadMessage(EMAIL, {
        from: i % 2 === 0 ? "carol@example.test" : `writer${i}@example.test`,
        subject: i === 1 ? "Long" : "Re: Long",
        id,
        ...(ids.length > 0 ? { refs: [...ids] } : {}),
      }),
      ["\\Seen"],
    );
    ids.push(id);
  }
}, 120_000);

afterAll(async () => {
  await client?.logout().catch(() => client.close());
  await other?.logout().catch(() => other.close());
  await mail?.stop();
});

const read = () =>
  conversationWindow(client, { mailbox: "INBOX", offset: 0, limit: 50, me: [EMAIL] });

describe("conversation rows read again", () => {
  it("FETCH only their flags, and are the rows a full read gives, flags changed meanwhile", async () => {
    const first = await read();
    expect(first.conversations.map((c) => [c.subject, c.count, c.unread, c.starred])).toEqual([
      ["Re: Long", LONG, false, false],
      ["Re: Bergen", 3, true, false],
    ]);
    // Another client stars the long conversation's oldest message (a sender read, not a row)
    // and marks its newest unread.
    await other.mailboxOpen("INBOX");
    const long = first.conversations[0]?.uids ?? [];
    await other.messageFlagsAdd(String(long.at(-1)), ["\\Flagged"], { uid: true });
    await other.messageFlagsRemove(String(long[0]), ["\\Seen"], { uid: true });

    let again: Awaited<ReturnType<typeof read>> | undefined;
    const commands = await commandsDuring(async () => {
      again = await read();
    });
    keptRows.clear();
    let full: Awaited<ReturnType<typeof read>> | undefined;
    const fullCommands = await commandsDuring(async () => {
      full = await read();
    });
    const { rev: _a, ...againWindow } = again ?? ({} as never);
    const { rev: _b, ...fullWindow } = full ?? ({} as never);
    expect(againWindow).toEqual(fullWindow);
    expect(again?.conversations.map((c) => [c.subject, c.count, c.unread, c.starred])).toEqual([
      ["Re: Long", LONG, true, true],
      ["Re: Bergen", 3, true, false],
    ]);
    const envelopes = (cs: typeof commands) =>
      cs.filter(
        (c) => c.command.endsWith("FETCH") && /ENVELOPE|BODYSTRUCTURE|PREVIEW/i.test(c.attributes),
      ).length;
    // INBOX's rows and its older senders FETCHed in full before (3, as the full read: Sent's
    // rows too); now only Sent's (looked into afresh at every read, kept only at sign-in).
    expect({ again: envelopes(commands), full: envelopes(fullCommands) }).toEqual({
      again: 1,
      full: 3,
    });
  }, 120_000);
});
