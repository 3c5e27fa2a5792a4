/**
 * A long conversation for the reader's stack specs, filed over IMAP: `count` messages, each
 * replying to all before it (In-Reply-To and References), from senders taken in turn, dated a
 * minute apart from `daysAgo` days back, each with its own text.
 */
import { randomBytes } from "node:crypto";
import { withImap } from "../compose/helpers";
import type { Account, Stack } from "../fixtures/stack";

export interface Chain {
  subject: string;
  count: number;
  /** Display names; the address is the first name, lower case, at example.test. */
  senders: string[];
  daysAgo: number;
  /** Message n's text (1-based, oldest first). */
  text(n: number): string;
  /** Message n's flags. */
  flags(n: number): string[];
  /** The arrival date given to APPEND (the server's own clock if absent). */
  arrived?: Date;
}

function chainMessage(to: string, chain: Chain, n: number, ids: string[]): string {
  const parents = ids.slice(0, n - 1);
  const sender = chain.senders[(n - 1) % chain.senders.length] as string;
  const address = `${sender.split(" ")[0]?.toLowerCase()}@example.test`;
  const date = new Date(Date.now() - chain.daysAgo * 24 * 3600 * 1000 + n * 60_000);
  return [
    `From: "${sender}" <${address}>`,
    `To: <${to}>`,
    `Subject: ${n === 1 ? chain.subject : `Re: ${chain.subject}`}`,
    `Date: ${date.toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: ${ids[n - 1] as string}`,
    ...(parents.length > 0
      ? [`In-Reply-To: ${parents.at(-1)}`, `References: ${parents.join(" ")}`]
      : []),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    chain.text(n),
    "",
  ].join("\r\n");
}

/** Appends `chain` to `account`'s INBOX, oldest first; returns the UIDs (0 where none came). */
export async function appendChain(stack: Stack, account: Account, chain: Chain): Promise<number[]> {
  const tag = randomBytes(4).toString("hex");
  const ids = Array.from(
    { length: chain.count },
    (_, i) => `<chain-${i + 1}.${tag}@e2e.example.test>`,
  );
  return withImap(stack, account, async (client) => {
    const uids: number[] = [];
    for (let n = 1; n <= chain.count; n++) {
      const raw = chainMessage(account.email, chain, n, ids);
      const placed = chain.arrived
        ? await client.append("INBOX", raw, chain.flags(n), chain.arrived)
        : await client.append("INBOX", raw, chain.flags(n));
      uids.push(placed ? (placed.uid ?? 0) : 0);
    }
    return uids;
  });
}
