/**
 * The settings' defaults as the service reads them from a real state store (SQLite): conversation
 * view is on, and "available offline" keeps 7 days, for a new account and for settings saved
 * before the setting existed; a user's own choice is kept through later saves of other settings;
 * offline days other than 0, 7, 30 or 90 are refused with `bad_request`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../log";
import { SqliteStore } from "../state/sqlite";
import { SettingsService } from "./service";

let dir: string;
let store: SqliteStore;
let service: SettingsService;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ferry-settings-unit-"));
  store = new SqliteStore(dir);
  service = new SettingsService({
    state: store,
    log: createLogger("silent"),
    push: () => undefined,
    accounts: () => [],
  });
});

afterEach(async () => {
  service.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("conversation view by default", () => {
  it("is on for an account that never saved settings", async () => {
    const { settings, rev } = await service.get("imap.example:ann");
    expect(rev).toBe(0);
    expect(settings.conversations).toBe(true);
  });

  it("is on for settings saved before the setting existed", async () => {
    await store.set(
      "settings:imap.example:ann",
      JSON.stringify({
        rev: 3,
        settings: { undoSeconds: 20, remoteContent: { senders: [], domains: [] } },
      }),
    );
    const { settings, rev } = await service.get("imap.example:ann");
    expect(rev).toBe(3);
    expect(settings).toMatchObject({ undoSeconds: 20, conversations: true });
  });

  it("stays off for a user who turned it off, through saves of other settings", async () => {
    await service.save("imap.example:ann", { conversations: false });
    await service.save("imap.example:ann", { undoSeconds: 5 });
    const { settings } = await service.get("imap.example:ann");
    expect(settings).toMatchObject({ undoSeconds: 5, conversations: false });
    expect((await service.get("imap.example:bob")).settings.conversations).toBe(true);
  });
});

describe("days of Inbox bodies kept offline", () => {
  it("are 7 for a new account and for settings saved before the setting existed", async () => {
    expect((await service.get("imap.example:ann")).settings.offlineDays).toBe(7);
    await store.set(
      "settings:imap.example:bob",
      JSON.stringify({
        rev: 2,
        settings: { undoSeconds: 10, remoteContent: { senders: [], domains: [] } },
      }),
    );
    expect((await service.get("imap.example:bob")).settings).toMatchObject({
      undoSeconds: 10,
      offlineDays: 7,
    });
  });

  it("keep the user's choice through saves of other settings", async () => {
    await service.save("imap.example:ann", { offlineDays: 0 });
    await service.save("imap.example:ann", { undoSeconds: 5 });
    expect((await service.get("imap.example:ann")).settings).toMatchObject({
      undoSeconds: 5,
      offlineDays: 0,
    });
  });

  it("refuse a number of days that is not offered", () => {
    expect(() => service.save("imap.example:ann", { offlineDays: 14 })).toThrow(
      expect.objectContaining({ code: "bad_request" }),
    );
  });
});
