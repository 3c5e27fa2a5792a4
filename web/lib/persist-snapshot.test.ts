// @vitest-environment jsdom
/**
 * The persister keeps the mailbox's snapshot current as the page changes (lib/persist.ts with
 * lib/idle-writer.ts), so a pagehide has little or nothing left to write.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { takeSnapshot } from "./mailbox-snapshot";
import { createPersister } from "./persist";

/** The snapshot's markup as stored for the next reload (public/mailbox-snapshot.js reads it). */
function storedHtml(): string | null {
  return localStorage.getItem("ferry.snapshot.v3.html");
}

function mailbox(subjects: string[]): HTMLElement {
  const root = document.createElement("div");
  root.innerHTML = `<div role="listbox" aria-label="Messages" aria-busy="false">${subjects
    .map((s) => `<div role="option"><span data-testid="row-subject">${s}</span></div>`)
    .join("")}</div>`;
  document.body.append(root);
  return root;
}

function addRow(root: HTMLElement, subject: string): void {
  const row = document.createElement("div");
  row.setAttribute("role", "option");
  row.innerHTML = `<span data-testid="row-subject">${subject}</span>`;
  root.querySelector('[role="listbox"]')?.prepend(row);
}

/** Lets the persister's writer run: its delay passes, then the page is idle. */
async function afterIdle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(3000);
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
  it("stores a new row in idle time after the list changed, with no pagehide", async () => {
    let root: HTMLElement | null = null;
    createPersister(() => (root ? takeSnapshot(root, "ann@example.test") : null));
    root = mailbox(["Lunch"]);
    await afterIdle();
    expect(storedHtml()).toContain("Lunch");

    addRow(root, "Quarterly figures");
    await afterIdle();
    expect(storedHtml()).toContain("Quarterly figures");
    expect(storedHtml()).toContain("Lunch");
  });

  it("has nothing left to do at pagehide once the idle write is done", async () => {
    const root = mailbox(["Lunch"]);
    const take = vi.fn(() => takeSnapshot(root, "ann@example.test"));
    createPersister(take);
    addRow(root, "Quarterly figures");
    await afterIdle();
    const taken = take.mock.calls.length;
    expect(taken).toBeGreaterThan(0);
    window.dispatchEvent(new Event("pagehide"));
    expect(take).toHaveBeenCalledTimes(taken);
  });

  it("takes the last moment's change at pagehide, before its idle write", async () => {
    const root = mailbox(["Lunch"]);
    createPersister(() => takeSnapshot(root, "ann@example.test"));
    await afterIdle();
    addRow(root, "Just arrived");
    await Promise.resolve(); // the mutation is observed
    window.dispatchEvent(new Event("pagehide"));
    expect(storedHtml()).toContain("Just arrived");
  });

  it("removes the stored snapshot when the list scrolls away from its top", async () => {
    let root: HTMLElement | null = null;
    createPersister(() => (root ? takeSnapshot(root, "ann@example.test") : null));
    root = mailbox(["Lunch"]);
    await afterIdle();
    expect(storedHtml()).toContain("Lunch");
    const list = root.querySelector('[role="listbox"]');
    if (list) list.scrollTop = 300;
    list?.setAttribute("data-scrolled", "");
    await afterIdle();
    expect(storedHtml()).toBeNull();
  });

  it("an earlier persister (another account's) writes no more once a new one is made", async () => {
    const root = mailbox(["Lunch"]);
    const old = vi.fn(() => takeSnapshot(root, "ann@example.test"));
    createPersister(old);
    await afterIdle();
    createPersister(() => takeSnapshot(root, "bob@example.test"));
    old.mockClear();
    addRow(root, "For Bob");
    await afterIdle();
    expect(old).not.toHaveBeenCalled();
    expect(JSON.parse(localStorage.getItem("ferry.snapshot.v3") ?? "null")).toMatchObject({
      email: "bob@example.test",
    });
  });
});
