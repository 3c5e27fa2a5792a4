/**
 * The IMAP commands the bridge sends while a test step runs, counted where every command goes
 * through: imapflow's command pipeline (ImapFlow.prototype.exec, not in its typings), on every
 * connection of the process (the test's own clients included: run none meanwhile).
 */
import { ImapFlow } from "imapflow";
import { vi } from "vitest";

/**
 * One command sent: its name (upper case), its attributes as imapflow compiles them, and the
 * connection (ImapFlow) it went on.
 */
export interface SentCommand {
  command: string;
  attributes: string;
  connection: unknown;
}

/** The commands sent while `fn` runs, in order. */
export async function commandsDuring(fn: () => Promise<void>): Promise<SentCommand[]> {
  const proto = ImapFlow.prototype as unknown as {
    exec(command: string, attributes?: unknown): Promise<unknown>;
  };
  const exec = vi.spyOn(proto, "exec");
  try {
    await fn();
    return exec.mock.calls.map((c, i) => ({
      command: String(c[0]).toUpperCase(),
      attributes: JSON.stringify(c[1] ?? null),
      connection: exec.mock.contexts[i],
    }));
  } finally {
    exec.mockRestore();
  }
}

/**
 * The commands of `commands` sent on a connection that read messages meanwhile (a FETCH or a
 * SEARCH): those of the work under test, not of the NOTIFY or IDLE connections beside it.
 */
export function onReadingConnections(commands: readonly SentCommand[]): SentCommand[] {
  const reading = new Set(
    commands.filter((c) => /(^| )(FETCH|SEARCH)$/.test(c.command)).map((c) => c.connection),
  );
  return commands.filter((c) => reading.has(c.connection));
}

/** How many of `commands` are `name` (FETCH counts UID FETCH too, as imapflow sends it). */
export function countOf(commands: readonly SentCommand[], name: string): number {
  return commands.filter((c) => c.command === name || c.command === `UID ${name}`).length;
}
