/**
 * FolderNotify's close while its connection is still logging in (a session signed out right
 * after it started): close() resolves only once that connection was logged out, so no login of
 * a signed-out session comes after its sign-out's answer. A fake connect (its timing is the
 * point); the NOTIFY itself is tested against Dovecot in the live-counts tests.
 */
import type { ImapFlow } from "imapflow";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { FolderNotify } from "./folder-notify";
import { DEFAULT_BACKOFF } from "./mail-session-options";
import { sharedScheduler } from "./timing";

describe("FolderNotify.close", () => {
  it("waits for a connection still logging in, and logs it out", async () => {
    const steps: string[] = [];
    let loggedIn: (client: ImapFlow) => void = () => {};
    const client = {
      usable: true,
      on: () => client,
      logout: async () => {
        steps.push("logout");
      },
      close: () => {
        steps.push("close");
      },
    } as unknown as ImapFlow;
    const notify = new FolderNotify({
      connect: () =>
        new Promise<ImapFlow>((resolve) => {
          loggedIn = resolve;
        }),
      log: pino({ level: "silent" }),
      status: () => {},
      foldersChanged: () => {},
      backoff: DEFAULT_BACKOFF,
      scheduler: sharedScheduler,
    });
    const started = notify.start();
    const closed = notify.close().then(() => steps.push("closed"));
    // the login ends after close() was called
    await Promise.resolve();
    loggedIn(client);
    await closed;
    await started;
    expect(steps).toEqual(["logout", "closed"]);
  });
});
