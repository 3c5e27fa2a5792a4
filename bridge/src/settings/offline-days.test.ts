/**
 * The "available offline" setting as the service keeps it in a real state store (SQLite): 7 days
 * for a new account and for settings saved before it existed, a choice kept through saves of other
 * settings, and anything but 0, 7, 30 or 90 refused with `bad_request`.
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
  dir = mkdtempSync(join(tmpdir(), "ferry-offline-days-"));
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
