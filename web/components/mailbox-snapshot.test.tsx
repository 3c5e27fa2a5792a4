// @vitest-environment jsdom
import { act, useState } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, describe, expect, it } from "vitest";
import { useSnapshotHandOver } from "./mailbox-snapshot";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** What the snapshot script (lib/mailbox-snapshot-script.ts) leaves in the page for `account`. */
function painted(account: string): void {
  const el = document.createElement("ferry-snapshot");
  el.dataset.account = account;
  el.textContent = "Lunch";
  document.body.append(el);
}

function shownSnapshots(): number {
  return document.querySelectorAll("ferry-snapshot").length;
}

let setShown: (shown: boolean) => void = () => {};
function SignedIn({ email }: { email: string }) {
  const [shown, set] = useState(false);
  setShown = set;
  useSnapshotHandOver(email, shown);
  return shown ? <p>mailbox</p> : null;
}

const container = document.createElement("div");
const root = createRoot(container);
afterEach(() => {
  act(() => root.render(null));
  document.body.replaceChildren();
});

describe("useSnapshotHandOver", () => {
  it("keeps the snapshot until the mailbox has rendered, and removes it in that commit", () => {
    painted("ann@example.test");
    act(() => root.render(<SignedIn email="ann@example.test" />));
    expect(shownSnapshots()).toBe(1);
    act(() => setShown(true));
    expect(container.textContent).toBe("mailbox");
    expect(shownSnapshots()).toBe(0);
  });

  it("removes another account's snapshot at once, and any when the session ends", () => {
    painted("ann@example.test");
    act(() => root.render(<SignedIn email="bob@example.test" />));
    expect(shownSnapshots()).toBe(0);

    painted("bob@example.test");
    act(() => root.render(<SignedIn email="bob@example.test" />));
    expect(shownSnapshots()).toBe(1);
    act(() => root.render(null));
    expect(shownSnapshots()).toBe(0);
  });
});
