// @vitest-environment jsdom
import type { TMailbox } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { badgedIcon, badgeText, inboxUnread, windowTitle } from "./unread-badge";

function box(path: string, unseen: number): TMailbox {
  return {
    path,
    name: path,
    delimiter: "/",
    parent: null,
    specialUse: null,
    subscribed: true,
    selectable: true,
    messages: 10,
    unseen,
  };
}

describe("inboxUnread", () => {
  it("is the Inbox's count whatever else the list holds", () => {
    expect(inboxUnread([box("Sent", 4), box("INBOX", 3), box("Archive", 9)])).toBe(3);
    expect(inboxUnread([box("INBOX", 0)])).toBe(0);
  });

  it("is unknown (null) before the folder list, or without an Inbox", () => {
    expect(inboxUnread(undefined)).toBeNull();
    expect(inboxUnread([box("Sent", 4)])).toBeNull();
  });
});

describe("badgeText", () => {
  it("is empty at 0, the count up to 99, then 99+", () => {
    expect(badgeText(0)).toBe("");
    expect(badgeText(1)).toBe("1");
    expect(badgeText(99)).toBe("99");
    expect(badgeText(100)).toBe("99+");
  });
});

describe("windowTitle", () => {
  it("puts the count beside Inbox in the Inbox", () => {
    expect(windowTitle("Inbox", true, 3)).toBe("Inbox (3) – Ferry");
  });

  it("keeps another folder's name and leads with the Inbox's count", () => {
    expect(windowTitle("Sent", false, 3)).toBe("(3) Sent – Ferry");
  });

  it("shows no count at 0 or before the folder list is known", () => {
    expect(windowTitle("Inbox", true, 0)).toBe("Inbox – Ferry");
    expect(windowTitle("Sent", false, null)).toBe("Sent – Ferry");
  });
});

describe("badgedIcon", () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><rect/></svg>';

  it("draws the count on the icon, inside its svg element", () => {
    const out = badgedIcon(svg, 7);
    const doc = new DOMParser().parseFromString(out, "image/svg+xml");
    expect(doc.querySelector("parsererror")).toBeNull();
    expect(doc.querySelector("text")?.textContent).toBe("7");
    expect(doc.querySelector("rect")).not.toBeNull();
  });

  it("leaves the icon as it is at 0", () => {
    expect(badgedIcon(svg, 0)).toBe(svg);
  });
});
