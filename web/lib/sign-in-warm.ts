/**
 * Sets up, while the sign-in page is idle, the schemas the sign-in answer is checked with
 * (lib/api.ts): zod sets each schema up on its first parse, and that first parse comes between
 * the bridge's answer and the mailbox's first frame. Loaded on idle, outside the first load.
 */
import type { TSessionInfo } from "@ferry/protocol";
import { protocolChunk } from "./lazy-protocol";

const ROW = {
  uid: 1,
  flags: ["\\Seen"],
  date: "2026-01-01T00:00:00.000Z",
  subject: "s",
  from: [{ name: "n", address: "a@example.invalid" }],
  to: [{ name: "", address: "b@example.invalid" }],
  size: 1,
  hasAttachments: false,
  preview: "p",
  messageId: "<m@example.invalid>",
};

/** A made-up sign-in answer with a row of each kind, every schema of a real one in it. */
export const SAMPLE_SIGN_IN_ANSWER: TSessionInfo = {
  email: "warm@example.invalid",
  protocolVersion: 1,
  conversations: true,
  inbox: {
    mailbox: "INBOX",
    uidValidity: 1,
    query: null,
    total: 1,
    offset: 0,
    sort: { key: "arrival", reverse: true },
    canSort: true,
    rows: [ROW],
    conversations: [
      {
        newest: ROW,
        uids: [1],
        elsewhere: [{ mailbox: "Sent", uidValidity: 1, uid: 2 }],
        count: 2,
        participants: [{ name: "n", address: "a@example.invalid", me: false }],
        subject: "s",
        date: ROW.date,
        unread: false,
        starred: false,
        hasAttachments: false,
        hasDraft: false,
      },
    ],
  },
};

/**
 * Parses SAMPLE_SIGN_IN_ANSWER once (in Node, jitless as under the app's CSP: the benchmark's
 * first answer of 15 conversations parsed in 2.2 ms cold, 0.5-0.9 ms after this). True when
 * it passed, as it must for every schema to have been run.
 */
export async function warmSignInAnswer(): Promise<boolean> {
  const { ZSessionInfo } = await protocolChunk.preload();
  return ZSessionInfo.safeParse(SAMPLE_SIGN_IN_ANSWER).success;
}
