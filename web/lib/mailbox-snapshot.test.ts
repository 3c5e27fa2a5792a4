// @vitest-environment jsdom

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { takeSnapshot } from "./mailbox-snapshot";
import { SNAPSHOT_HTML_KEY, SNAPSHOT_KEY, SNAPSHOT_PAINT_SCRIPT } from "./mailbox-snapshot-script";
import { clearPersisted, type StoredSnapshot, storeSnapshot } from "./persist";

function mailbox(): HTMLElement {
  const root = document.createElement("div");
  root.innerHTML = `
    <nav aria-label="Folders"><a href="?folder=INBOX">Inbox</a></nav>
    <input type="search" value="secret words">
    <div role="listbox" aria-label="Messages" aria-busy="false">
      <div role="option" aria-posinset="1" aria-label="Ann, Lunch"><span data-testid="row-subject">Lunch</span></div>
    </div>
    <article><iframe srcdoc="<p>body</p>" sandbox=""></iframe></article>
    <div role="dialog" aria-modal="true"><textarea>draft text</textarea></div>
    <div aria-live="polite"><p>Message archived</p></div>
    <aside><div contenteditable="true" role="textbox">unsent words</div></aside>`;
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
    for (const gone of [
      "iframe",
      "draft text",
      "secret words",
      "Message archived",
      "dialog",
      "unsent words",
    ]) {
      expect(html).not.toContain(gone);
    }
    expect(shot).toMatchObject({
      email: "ann@example.test",
      route: "/?folder=INBOX",
      phone: false,
    });
    expect(shot?.expires).toBeGreaterThan(Date.now() + 6 * 24 * 60 * 60 * 1000);
  });

  it("takes none while the list is loading, empty or scrolled away from its top", () => {
    const loading = mailbox();
    loading.querySelector('[role="listbox"]')?.setAttribute("aria-busy", "true");
    expect(takeSnapshot(loading, "a@example.test")).toBeNull();

    const placeholders = mailbox();
    placeholders.querySelector('[role="option"]')?.setAttribute("aria-busy", "true");
    expect(takeSnapshot(placeholders, "a@example.test")).toBeNull();

    const scrolled = mailbox();
    scrolled.querySelector('[role="option"]')?.setAttribute("aria-posinset", "9");
    expect(takeSnapshot(scrolled, "a@example.test")).toBeNull();
  });

  it("keeps only the rows a screen can show, however many the list has rendered", () => {
    vi.stubGlobal("screen", { height: 720, width: 1280 });
    const rowHeight = 72;
    const rendered = 60;
    const root = mailbox();
    const list = root.querySelector('[role="listbox"]');
    list?.replaceChildren(
      ...Array.from({ length: rendered }, (_, i) => {
        const placed = document.createElement("div");
        placed.style.height = `${rowHeight}px`;
        placed.style.transform = `translateY(${i * rowHeight}px)`;
        placed.innerHTML = `<div role="option" aria-posinset="${i + 1}"><span data-testid="row-subject">Row ${i + 1}</span></div>`;
        return placed;
      }),
    );
    const shot = takeSnapshot(root, "ann@example.test");
    const kept = new DOMParser()
      .parseFromString(shot?.html ?? "", "text/html")
      .querySelectorAll('[role="option"]');
    // The ten rows of a 720-pixel screen and one below it; the first is the list's first.
    expect(kept.length).toBe(720 / rowHeight + 1);
    expect(kept[0]?.textContent).toBe("Row 1");
    // The markup does not grow with the rows rendered: those below the screen are not in it.
    const oneRow = list?.lastElementChild?.outerHTML.length ?? 0;
    expect(shot?.html.length ?? 0).toBeLessThan(root.innerHTML.length - 45 * oneRow);
  });
});

/** The snapshot's paint script, run as the page runs it: inline, first in <body>. */
function reload(): HTMLElement | null {
  document.body.replaceChildren();
  const script = document.createElement("script");
  document.body.append(script);
  Object.defineProperty(document, "currentScript", { value: script, configurable: true });
  new Function(SNAPSHOT_PAINT_SCRIPT)();
  return document.querySelector("ferry-snapshot");
}

describe("the snapshot painted at a reload (lib/mailbox-snapshot-script.ts)", () => {
  function signedInAndShown(email = "ann@example.test"): StoredSnapshot {
    localStorage.setItem("ferry.account", email);
    const shot = takeSnapshot(mailbox(), email);
    if (!shot) throw new Error("no snapshot");
    storeSnapshot(shot);
    return shot;
  }
  beforeEach(() => localStorage.clear());

  it("paints the same account's same view, inert and busy, right after the script", () => {
    signedInAndShown();
    const painted = reload();
    expect(painted?.previousElementSibling?.tagName).toBe("SCRIPT");
    expect(painted?.hasAttribute("inert")).toBe(true);
    expect(painted?.getAttribute("aria-busy")).toBe("true");
    expect(painted?.querySelector('[role="option"]')?.textContent).toBe("Lunch");
    expect(painted?.querySelector('[role="listbox"]')?.getAttribute("aria-busy")).toBe("true");
  });

  it("paints nothing for another account, view or layout, an expired one, or a pending sign-out", () => {
    signedInAndShown();
    localStorage.setItem("ferry.account", "bob@example.test");
    expect(reload()).toBeNull();

    signedInAndShown();
    history.replaceState(null, "", "/?folder=Sent");
    expect(reload()).toBeNull();
    history.replaceState(null, "", "/?folder=INBOX");

    phone = true;
    expect(reload()).toBeNull();
    phone = false;

    storeSnapshot({ ...signedInAndShown(), expires: Date.now() - 1 });
    expect(reload()).toBeNull();

    signedInAndShown();
    localStorage.setItem("ferry.signOutPending", "1");
    expect(reload()).toBeNull();
  });

  it("paints nothing when the stored markup is not the one its record names", () => {
    signedInAndShown();
    localStorage.setItem(SNAPSHOT_HTML_KEY, "<p>other markup</p>");
    expect(reload()).toBeNull();

    signedInAndShown();
    localStorage.removeItem(SNAPSHOT_HTML_KEY);
    expect(reload()).toBeNull();

    signedInAndShown();
    localStorage.setItem(SNAPSHOT_KEY, "{not json");
    expect(reload()).toBeNull();
  });

  it("paints nothing once the session's data is cleared (sign-out, another account)", async () => {
    signedInAndShown();
    await clearPersisted();
    expect(reload()).toBeNull();
  });
});
