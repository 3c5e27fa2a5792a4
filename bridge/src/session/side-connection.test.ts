import type { ImapFlow } from "imapflow";
import { describe, expect, it } from "vitest";
import { SideConnection } from "./side-connection";

/** A stand-in with just what SideConnection touches: usable, on("close"), logout, close. */
function fakeClient() {
  const listeners: (() => void)[] = [];
  const client = {
    usable: true,
    loggedOut: false,
    on(event: string, fn: () => void) {
      if (event === "close") listeners.push(fn);
      return client;
    },
    async logout() {
      client.loggedOut = true;
      client.usable = false;
    },
    close() {
      client.usable = false;
    },
    drop() {
      client.usable = false;
      for (const fn of listeners) fn();
    },
  };
  return client;
}

describe("SideConnection", () => {
  it("opens one connection on first use and reuses it", async () => {
    const made: ReturnType<typeof fakeClient>[] = [];
    const side = new SideConnection(async () => {
      const c = fakeClient();
      made.push(c);
      return c as unknown as ImapFlow;
    });
    await Promise.all([side.run(async () => 1), side.run(async () => 2)]);
    await side.run(async () => 3);
    expect(made).toHaveLength(1);
    await side.close();
    expect(made[0]?.loggedOut).toBe(true);
  });

  it("builds a new connection after the old one dropped", async () => {
    const made: ReturnType<typeof fakeClient>[] = [];
    const side = new SideConnection(async () => {
      const c = fakeClient();
      made.push(c);
      return c as unknown as ImapFlow;
    });
    await side.run(async () => undefined);
    made[0]?.drop();
    await side.run(async () => undefined);
    expect(made).toHaveLength(2);
    await side.close();
  });

  it("refuses work after close", async () => {
    const side = new SideConnection(async () => fakeClient() as unknown as ImapFlow);
    await side.close();
    await expect(side.run(async () => 1)).rejects.toMatchObject({ code: "unauthorized" });
  });
});
