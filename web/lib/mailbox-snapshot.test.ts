// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { snapshotToPaint, takeSnapshot } from "./mailbox-snapshot";
import type { StoredSnapshot } from "./persist";

function mailbox(): HTMLElement {
  const root = document.createElement("div");
  root.innerHTML = `
    <nav aria-label="Folders"><a href="?folder=INBOX">Inbox</a></nav>
    <input type="search" value="secret words">
    <div role="listbox" aria-label="Messages" aria-busy="false">
      <div role="option" aria-label="Ann, Lunch"><span data-testid="row-subject">Lunch</span></div>
    </div>
    <article><iframe srcdoc="<p>body</p>" sandbox=""></iframe></article>
    <div role="dialog" aria-modal="true"><textarea>draft text</textarea></div>
    <div aria-live="polite"><p>Message archived</p></div>`;
  document.body.append(root);
  return root;
}

let phone = false;
beforeEach(() => {
  phone = false;
  vi.stubGlobal("matchMedia", (query: string) => ({ matches: phone, media: query }));
  history.replaceState(null, "", "/?folder=INBOX");
});
afterEach(() => {
  document.body.replaceChildren();
  vi.unstubAllGlobals();
});

describe("takeSnapshot", () => {
  it("keeps the rows, marks the list busy, and leaves out frames, dialogs, form values and announcements", () => {
    const shot = takeSnapshot(mailbox(), "ann@example.test");
    expect(shot).not.toBeNull();
    const html = shot?.html ?? "";
    expect(html).toContain("Lunch");
    expect(html).toContain('aria-busy="true"');
    expect(html).not.toContain('aria-busy="false"');
    for (const gone of ["iframe", "draft text", "secret words", "Message archived", "dialog"]) {
      expect(html).not.toContain(gone);
    }
    expect(shot).toMatchObject({
      email: "ann@example.test",
      route: "/?folder=INBOX",
      phone: false,
    });
  });

  it("takes none while the list is loading, empty or scrolled away from its top", () => {
    const loading = mailbox();
    loading.querySelector('[role="listbox"]')?.setAttribute("aria-busy", "true");
    expect(takeSnapshot(loading, "a@example.test")).toBeNull();

    const placeholders = mailbox();
    placeholders.querySelector('[role="option"]')?.setAttribute("aria-busy", "true");
    expect(takeSnapshot(placeholders, "a@example.test")).toBeNull();

    const scrolled = mailbox();
    const list = scrolled.querySelector('[role="listbox"]');
    if (list) list.scrollTop = 400;
    expect(takeSnapshot(scrolled, "a@example.test")).toBeNull();
  });
});

describe("snapshotToPaint", () => {
  const stored = (over: Partial<StoredSnapshot> = {}): StoredSnapshot => ({
    email: "ann@example.test",
    route: "/?folder=INBOX",
    phone: false,
    timestamp: Date.now(),
    html: "<p>rows</p>",
    ...over,
  });

  it("paints the same account's same view in the same layout", () => {
    expect(snapshotToPaint(stored(), "ann@example.test")).toBe("<p>rows</p>");
  });

  it("paints nothing for another account, another view or layout, or an old snapshot", () => {
    expect(snapshotToPaint(undefined, "ann@example.test")).toBeNull();
    expect(snapshotToPaint(stored(), "bob@example.test")).toBeNull();
    expect(snapshotToPaint(stored({ route: "/?folder=Sent" }), "ann@example.test")).toBeNull();
    expect(snapshotToPaint(stored({ phone: true }), "ann@example.test")).toBeNull();
    const old = Date.now() - 8 * 24 * 60 * 60 * 1000;
    expect(snapshotToPaint(stored({ timestamp: old }), "ann@example.test")).toBeNull();
  });
});
