// @vitest-environment jsdom
/**
 * The persister keeps the mailbox's snapshot current as the page changes (lib/persist.ts), so
 * that the page's going (pagehide, on the next page's path) has a snapshot to take only when
 * the page changed in its last moment.
 */
import type { PersistedClient } from "@tanstack/react-query-persist-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { takeSnapshot } from "./mailbox-snapshot";
import { SNAPSHOT_HTML_KEY, SNAPSHOT_KEY } from "./mailbox-snapshot-script";
import { createPersister } from "./persist";

function storedHtml(): string | null {
  return localStorage.getItem(SNAPSHOT_HTML_KEY);
}

function mailbox(subjects: string[]): HTMLElement {
  const root = document.createElement("div");
  root.innerHTML = `<div role="listbox" aria-label="Messages" aria-busy="false">${subjects
    .map(
      (s, i) =>
        `<div role="option" aria-posinset="${i + 1}"><span data-testid="row-subject">${s}</span></div>`,
    )
    .join("")}</div>`;
  document.body.append(root);
  return root;
}

function addRow(root: HTMLElement, subject: string): void {
  const list = root.querySelector('[role="listbox"]');
  for (const option of list?.querySelectorAll('[role="option"]') ?? []) {
    option.setAttribute("aria-posinset", String(Number(option.getAttribute("aria-posinset")) + 1));
  }
  const row = document.createElement("div");
  row.setAttribute("role", "option");
  row.setAttribute("aria-posinset", "1");
  row.innerHTML = `<span data-testid="row-subject">${subject}</span>`;
  list?.prepend(row);
}

const client: PersistedClient = {
  timestamp: 1,
  buster: "1:ann@example.test",
  clientState: { mutations: [], queries: [] },
};

/** The persister's one-second delay, and the DOM's changes observed before it. */
async function aSecondLater(): Promise<void> {
  await vi.advanceTimersByTimeAsync(1500);
}

beforeEach(() => {
  vi.useFakeTimers();
  localStorage.clear();
  vi.stubGlobal("matchMedia", (query: string) => ({ matches: false, media: query }));
  history.replaceState(null, "", "/?folder=INBOX");
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  document.body.replaceChildren();
});

describe("the persister keeps the mailbox's snapshot current", () => {
  it("stores a row that appeared a second after it appeared, with no save of the cache and no pagehide", async () => {
    const root = mailbox(["Lunch"]);
    createPersister(() => takeSnapshot(root, "ann@example.test"));
    addRow(root, "Quarterly figures");
    await aSecondLater();
    expect(storedHtml()).toContain("Quarterly figures");
    expect(storedHtml()).toContain("Lunch");
  });

  it("takes no snapshot at pagehide when the page has not changed since the last one", async () => {
    const root = mailbox(["Lunch"]);
    const take = vi.fn(() => takeSnapshot(root, "ann@example.test"));
    const persister = createPersister(take);
    addRow(root, "Quarterly figures");
    await aSecondLater();
    const taken = take.mock.calls.length;
    expect(taken).toBe(1);
    // The cache changes (a message read into it), the page does not.
    await persister.persistClient(client);
    window.dispatchEvent(new Event("pagehide"));
    expect(take).toHaveBeenCalledTimes(taken);
    expect(storedHtml()).toContain("Quarterly figures");
  });

  it("takes the last moment's change at pagehide", async () => {
    const root = mailbox(["Lunch"]);
    createPersister(() => takeSnapshot(root, "ann@example.test"));
    addRow(root, "Earlier");
    await aSecondLater();
    addRow(root, "Just arrived");
    await Promise.resolve(); // the change is observed
    window.dispatchEvent(new Event("pagehide"));
    expect(storedHtml()).toContain("Just arrived");
  });

  it("an earlier persister (another account's) takes and removes nothing once a new one is made", async () => {
    const root = mailbox(["Lunch"]);
    const old = vi.fn(() => null);
    createPersister(old);
    createPersister(() => takeSnapshot(root, "bob@example.test"));
    addRow(root, "For Bob");
    await aSecondLater();
    window.dispatchEvent(new Event("pagehide"));
    expect(old).not.toHaveBeenCalled();
    expect(storedHtml()).toContain("For Bob");
    expect(JSON.parse(localStorage.getItem(SNAPSHOT_KEY) ?? "null")).toMatchObject({
      email: "bob@example.test",
      length: storedHtml()?.length,
    });
  });
});
