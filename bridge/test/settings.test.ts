/**
 * Settings that follow the user, through the real bridge and two real Dovecot servers that both
 * have an account alice@example.test (as when someone runs a server that says yes to any
 * address). Two sign-ins of the real alice play two browsers: a save in one is pushed to the
 * other at once; the other server's alice neither gets the push nor reads the settings. A second
 * bridge on the same store pushes the change to its own tab of the account.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMailServer } from "@ferry/mail-server";
import type { TServerFrame } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  imapTargetOf,
  type MailServer,
  socketSignedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";

let home: MailServer;
let impostorServer: MailServer;
const bridges: TestBridge[] = [];
const sockets: TestSocket[] = [];
let dataDir: string;
let caFile: string;
let seq = 0;
const nextId = () => `set${++seq}`;

const ALICE = "alice@example.test";
const IMPOSTOR_PASSWORD = "any-password-will-do";

beforeAll(async () => {
  [home, impostorServer] = await Promise.all([
    startMailServer({ postfix: false }),
    startMailServer({ users: [{ email: ALICE, password: IMPOSTOR_PASSWORD }], postfix: false }),
  ]);
  dataDir = mkdtempSync(join(tmpdir(), "ferry-settings-"));
  caFile = join(dataDir, "cas.pem");
  writeFileSync(caFile, `${home.ca}\n${impostorServer.ca}\n`);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(bridges.map((b) => b.close()));
  await Promise.all([home?.stop(), impostorServer?.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
});

async function bridgeOnSharedStore(): Promise<TestBridge> {
  const b = await startBridge(null, {
    env: {
      FERRY_DATA_DIR: dataDir,
      FERRY_CA_FILE: caFile,
      FERRY_IMAP_PORTS: `${home.imap.tlsPort},${impostorServer.imap.tlsPort}`,
    },
    config: { allowPrivateHosts: true },
  });
  bridges.push(b);
  return b;
}

const socketAs = (b: TestBridge, body: unknown) => socketSignedIn(b, body, sockets);

const isType =
  (type: TServerFrame["type"]) =>
  (f: TServerFrame): boolean =>
    f.type === type;

describe("settings that follow the user", () => {
  it("a save in one browser is pushed to the account's other tabs, never to the same address on another server", async () => {
    const b = await bridgeOnSharedStore();
    const owner = { ...home.user(ALICE), imap: imapTargetOf(home) };
    const first = await socketAs(b, owner);
    const second = await socketAs(b, owner); // another browser: its own session
    const impostor = await socketAs(b, {
      email: ALICE,
      password: IMPOSTOR_PASSWORD,
      imap: imapTargetOf(impostorServer),
    });

    const before = await second.request({ type: "settings.get", id: nextId() });
    expect(before).toMatchObject({ type: "settings", rev: 0, settings: { undoSeconds: 10 } });

    const saved = await first.request({
      type: "settings.save",
      id: nextId(),
      change: { undoSeconds: 25, allowSenders: { add: ["News@Shop.Example"] } },
    });
    const expected = {
      undoSeconds: 25,
      remoteContent: { senders: ["news@shop.example"], domains: [] },
    };
    expect(saved).toMatchObject({ type: "settings", rev: 1, settings: expected });

    const pushed = await second.waitFor(isType("settings.changed"), "settings.changed");
    expect(pushed).toMatchObject({ rev: 1, settings: expected });

    // A change names only what it changes: the other tab's domain does not undo the delay.
    await second.request({
      type: "settings.save",
      id: nextId(),
      change: { allowDomains: { add: ["letters.example"] } },
    });
    const again = await first.waitFor(
      (f) => f.type === "settings.changed" && f.rev === 2,
      "second settings.changed",
    );
    expect(again).toMatchObject({
      settings: {
        undoSeconds: 25,
        remoteContent: { senders: ["news@shop.example"], domains: ["letters.example"] },
      },
    });

    // The other server's alice: nothing pushed (it would have come before this reply), nothing read.
    const theirs = await impostor.request({ type: "settings.get", id: nextId() });
    expect(theirs).toMatchObject({ rev: 0, settings: { undoSeconds: 10 } });
    expect(impostor.ofType("settings.changed")).toEqual([]);
  });

  it("saved identities reach the account's other tabs live, and only them", async () => {
    const b = bridges[0] ?? (await bridgeOnSharedStore());
    const owner = { ...home.user(ALICE), imap: imapTargetOf(home) };
    const first = await socketAs(b, owner);
    const second = await socketAs(b, owner);
    const impostor = await socketAs(b, {
      email: ALICE,
      password: IMPOSTOR_PASSWORD,
      imap: imapTargetOf(impostorServer),
    });
    const work = {
      id: "w",
      name: "Alice at Work",
      address: "alice.work@example.test",
      signature: "A.",
    };
    await first.request({ type: "identities.save", id: nextId(), identities: [work] });
    const pushed = await second.waitFor(isType("identities.changed"), "identities.changed");
    expect(pushed).toMatchObject({ identities: [work] });
    await impostor.request({ type: "identities.list", id: nextId() });
    expect(impostor.ofType("identities.changed")).toEqual([]);
  });

  it("refuses a bad change with bad_request and keeps the settings as they were", async () => {
    const b = bridges[0] ?? (await bridgeOnSharedStore());
    const s = await socketAs(b, { ...home.user(ALICE), imap: imapTargetOf(home) });
    const current = await s.request({ type: "settings.get", id: nextId() });
    for (const change of [
      { undoSeconds: 99 },
      { allowDomains: { add: ["not a domain"] } },
      { allowSenders: { add: ["nobody"] } },
    ]) {
      const reply = await s.request({ type: "settings.save", id: nextId(), change });
      expect(reply).toMatchObject({ type: "error", code: "bad_request" });
    }
    expect(await s.request({ type: "settings.get", id: nextId() })).toMatchObject({
      type: "settings",
      rev: (current as { rev: number }).rev,
    });
  });

  it("a tab on another bridge sharing the store gets the change too", async () => {
    const one = bridges[0] ?? (await bridgeOnSharedStore());
    const two = await bridgeOnSharedStore();
    const owner = { ...home.user(ALICE), imap: imapTargetOf(home) };
    const here = await socketAs(one, owner);
    const there = await socketAs(two, owner);
    await two.bridge.settings.watch(); // the revision it has seen so far
    const saved = await here.request({
      type: "settings.save",
      id: nextId(),
      change: { undoSeconds: 5 },
    });
    const rev = (saved as { rev: number }).rev;
    await two.bridge.settings.watch();
    const pushed = await there.waitFor(
      (f) => f.type === "settings.changed" && f.rev === rev,
      "settings.changed on the other bridge",
    );
    expect(pushed).toMatchObject({ settings: { undoSeconds: 5 } });
  });
});
