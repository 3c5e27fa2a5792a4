/**
 * The folder pane's states: before the folder list is answered it shows the standard folders'
 * places as placeholders and is busy (never "No folders yet", which would be false then); an
 * answered empty list says "No folders yet"; an answered list shows its folders; a failed one
 * says so. Hooks and actions are mocked (the web vitest has no @/ alias, which a node render
 * tolerates with the modules mocked); the pane is rendered to static markup, read with jsdom.
 */
import type { TMailbox } from "@ferry/protocol";
import { JSDOM } from "jsdom";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";

vi.mock("@/hooks/use-mailboxes", () => ({
  folderLabel: (m: TMailbox) => (m.path === "INBOX" ? "Inbox" : m.name),
}));
vi.mock("@/lib/actions", () => ({ reasonOf: () => "", markAllRead: async () => {} }));
vi.mock("@/lib/folders", () => ({ isWithin: () => false, renameFolder: async () => {} }));
vi.mock("@/lib/i18n", () => ({
  t: (key: string) =>
    ({
      "folders.nav": "Folders",
      "folders.empty": "No folders yet",
      "folders.failed": "Couldn't load your folders.",
    })[key] ?? key,
  formatCount: (n: number) => String(n),
}));
vi.mock("@/lib/route", () => ({ hrefForFolder: (path: string) => `#/${path}` }));
vi.mock("@/lib/toasts", () => ({ showToast: () => {} }));
vi.mock("./folder-dialogs", () => ({ isProtectedFolder: () => true, openFolderDialog: () => {} }));
vi.mock("./folder-menu", () => ({ folderMenuItems: () => [] }));
vi.mock("./message-row", () => ({ DRAG_TYPE: "application/x-ferry-messages" }));
// The socket's state, as waiting-note.tsx reads it: set per test.
const connection: { state: "connecting" | "offline" | null } = { state: null };
vi.mock("./waiting-note", () => ({
  WaitingNote: (p: { connecting: string; offline: string }) =>
    connection.state === null ? null : (
      <p>{connection.state === "offline" ? p.offline : p.connecting}</p>
    ),
}));

const { FolderList, folderListStatus } = await import("./folder-list");
type Props = Parameters<typeof FolderList>[0];

function mailbox(path: string, specialUse: TMailbox["specialUse"] = null): TMailbox {
  return {
    path,
    name: path,
    parent: null,
    delimiter: "/",
    specialUse,
    selectable: true,
    subscribed: true,
    messages: 0,
    unseen: 0,
  } as TMailbox;
}

const INBOX = { mailbox: mailbox("INBOX", "inbox"), role: "inbox" as const, depth: 0 };
const SENT = { mailbox: mailbox("Sent", "sent"), role: "sent" as const, depth: 0 };

function render(over: Partial<Props>): HTMLElement {
  const props: Props = {
    folders: [],
    current: "INBOX",
    currentReadOnly: false,
    onOpen: () => {},
    onDropMessages: () => {},
    afterStandard: <li>Scheduled</li>,
    status: "ready",
    ...over,
  };
  const html = renderToStaticMarkup(<FolderList {...props} />);
  const nav = new JSDOM(html).window.document.querySelector<HTMLElement>(
    'nav[aria-label="Folders"]',
  );
  if (!nav) throw new Error("no folder navigation");
  return nav;
}

const links = (nav: HTMLElement) => [...nav.querySelectorAll("a")].map((a) => a.textContent);
const placeholders = (nav: HTMLElement) => nav.querySelectorAll("[data-placeholder]");

describe("the folder pane", () => {
  it("while the list is not answered: busy, placeholders, no 'No folders yet'", () => {
    const nav = render({ status: "loading" });
    expect(nav.getAttribute("aria-busy")).toBe("true");
    expect(nav.textContent).not.toContain("No folders yet");
    expect(placeholders(nav).length).toBeGreaterThan(0);
    for (const p of placeholders(nav)) expect(p.getAttribute("aria-hidden")).toBe("true");
    expect(links(nav)).toEqual([]);
    // What is not a folder (Scheduled) is real and stays usable.
    expect(nav.textContent).toContain("Scheduled");
  });

  it("while not answered and Ferry is connecting or offline, says so in words beside the placeholders", () => {
    try {
      connection.state = "connecting";
      expect(render({ status: "loading" }).textContent).toContain("waiting.folders");
      connection.state = "offline";
      expect(render({ status: "loading" }).textContent).toContain("waiting.foldersOffline");
      // A kept (or answered) list is shown as it is: nothing to wait for.
      expect(render({ status: "ready", folders: [INBOX] }).textContent).not.toContain("waiting");
    } finally {
      connection.state = null;
    }
  });

  it("an answered empty list: 'No folders yet', not busy, no placeholders", () => {
    const nav = render({ status: "ready" });
    expect(nav.textContent).toContain("No folders yet");
    expect(nav.hasAttribute("aria-busy")).toBe(false);
    expect(placeholders(nav)).toHaveLength(0);
  });

  it("an answered list: its folders, no placeholders, not busy", () => {
    const nav = render({ status: "ready", folders: [INBOX, SENT] });
    expect(links(nav)).toEqual(["Inbox", "Sent"]);
    expect(nav.textContent).not.toContain("No folders yet");
    expect(placeholders(nav)).toHaveLength(0);
    expect(nav.hasAttribute("aria-busy")).toBe(false);
  });

  it("a failed list: says so, neither busy nor 'No folders yet'", () => {
    const nav = render({ status: "failed" });
    expect(nav.querySelector('[role="alert"]')?.textContent).toBe("Couldn't load your folders.");
    expect(nav.textContent).not.toContain("No folders yet");
    expect(nav.hasAttribute("aria-busy")).toBe(false);
    expect(placeholders(nav)).toHaveLength(0);
  });
});

describe("the pane's status from the folder query", () => {
  it("is loading until answered, ready once answered (even empty, even if a refetch failed)", () => {
    expect(folderListStatus({ data: undefined, isError: false })).toBe("loading");
    expect(folderListStatus({ data: [], isError: false })).toBe("ready");
    expect(folderListStatus({ data: [], isError: true })).toBe("ready");
    expect(folderListStatus({ data: undefined, isError: true })).toBe("failed");
  });
});
