/**
 * Commands imapflow has no method for (UID SORT, UID THREAD, FETCH of raw items), sent through its own command
 * pipeline: the typed view of its `exec` and `preCheck`, which it does not export.
 */
import type { ImapFlow, ImapResponse } from "imapflow";

/** One parsed attribute of an untagged answer as imapflow gives it. */
export interface RawAttribute {
  type?: string;
  value?: unknown;
  /** A FETCH item's section, e.g. the `2` of `BINARY.SIZE[2]`. */
  section?: unknown;
}

type Untagged = Record<string, (untagged: ImapResponse) => Promise<void>>;

interface ExecClient {
  exec(
    command: string,
    attributes: unknown[],
    opts: { untagged: Untagged },
  ): Promise<{ next(): void }>;
  preCheck?: (() => Promise<void>) | false | null;
}

/** Runs imapflow's pending pre-command work (e.g. ending IDLE), as its own commands do first. */
export async function preCheck(client: ImapFlow): Promise<void> {
  const raw = client as unknown as ExecClient;
  if (typeof raw.preCheck === "function") await raw.preCheck();
}

/**
 * Sends `command` with `attributes`, each untagged answer to its handler in `untagged`, and
 * resolves once the command completed. Must run under the mailbox lock, after preCheck.
 */
export async function execCommand(
  client: ImapFlow,
  command: string,
  attributes: unknown[],
  untagged: Untagged,
): Promise<void> {
  const response = await (client as unknown as ExecClient).exec(command, attributes, {
    untagged,
  });
  response.next();
}
