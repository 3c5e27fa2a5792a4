/**
 * Settings saved on two bridges at once (a phone and a laptop of one user, sent to different
 * bridges by the load balancer), against one real store (a SQLite file, and a real Redis): every
 * change of either is kept, and every open tab of the account, on either bridge, ends with the
 * same settings as the store.
 */
import type { TServerFrame, TUserSettings } from "@ferry/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../log";
import {
  type BackendFactory,
  redisBackend,
  sharedRedisServer,
  sqliteBackend,
  type TestBackend,
} from "../state/test-backends";
import { SettingsService } from "./service";

const redis = sharedRedisServer();
beforeAll(() => redis.start());
afterAll(() => redis.stop());

const BACKENDS: [string, BackendFactory][] = [
  ["sqlite", sqliteBackend()],
  ["redis", redisBackend(() => redis.get())],
];

const ACCOUNT = '["imap.example.test",993,"ann@example.test"]';

/** What a tab (socket) last received: its settings and their revision. */
interface Tab {
  settings?: TUserSettings;
  rev?: number;
}

describe.each(BACKENDS)("settings saved on two bridges at once: %s", (_name, factory) => {
  let backend: TestBackend;
  const services: SettingsService[] = [];

  afterEach(async () => {
    for (const s of services.splice(0)) s.close();
    await backend?.dispose();
  });

  /** A bridge: a settings service on its own handle of the store, with `tabs` open sockets. */
  async function bridge(tabs: number): Promise<{ service: SettingsService; tabs: Tab[] }> {
    const open: Tab[] = Array.from({ length: tabs }, () => ({}));
    const service = new SettingsService({
      state: await backend.open(),
      log: createLogger("silent"),
      push: (account: string, frame: TServerFrame) => {
        if (account !== ACCOUNT || frame.type !== "settings.changed") return;
        for (const tab of open) Object.assign(tab, { settings: frame.settings, rev: frame.rev });
      },
      accounts: () => [ACCOUNT],
    });
    services.push(service);
    return { service, tabs: open };
  }

  it("keeps every change of both, and every tab ends with the store's settings", async () => {
    backend = await factory();
    const phone = await bridge(1);
    const laptop = await bridge(2);
    const ROUNDS = 25;
    await Promise.all([
      ...Array.from({ length: ROUNDS }, (_, i) =>
        phone.service.save(ACCOUNT, { allowSenders: { add: [`s${i}@news.test`], remove: [] } }),
      ),
      ...Array.from({ length: ROUNDS }, (_, i) =>
        laptop.service.save(ACCOUNT, { allowDomains: { add: [`d${i}.test`], remove: [] } }),
      ),
      phone.service.save(ACCOUNT, { undoSeconds: 30 }),
      laptop.service.save(ACCOUNT, { conversations: false }),
    ]);
    // each bridge then pushes what was saved on the other (as its timer does)
    await Promise.all([phone.service.watch(), laptop.service.watch()]);

    const stored = await phone.service.get(ACCOUNT);
    expect([...stored.settings.remoteContent.senders].sort()).toEqual(
      Array.from({ length: ROUNDS }, (_, i) => `s${i}@news.test`).sort(),
    );
    expect([...stored.settings.remoteContent.domains].sort()).toEqual(
      Array.from({ length: ROUNDS }, (_, i) => `d${i}.test`).sort(),
    );
    expect(stored.settings).toMatchObject({ undoSeconds: 30, conversations: false });
    // one revision per save: none was written over another
    expect(stored.rev).toBe(2 * ROUNDS + 2);
    for (const tab of [...phone.tabs, ...laptop.tabs]) {
      expect(tab).toEqual({ settings: stored.settings, rev: stored.rev });
    }
  });
});
