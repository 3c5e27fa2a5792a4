/**
 * Which of the connection's two places tells the state: the pill (the first connection alone, in
 * every screen's header) or the full-width bar (everything else).
 */
import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeEach, describe, expect, it, vi } from "vitest";

const state = {
  socket: "connecting" as string,
  imap: "online" as string,
  update: null as null | "reloading" | "outdated",
  queue: { actions: 0, sends: 0 },
};

vi.mock("@/hooks/use-connection-state", () => ({
  useConnectionState: () => ({ socket: state.socket, imap: state.imap }),
}));
vi.mock("@/lib/version-skew", () => ({ useUpdateNotice: () => state.update }));
vi.mock("@/lib/offline-queue", () => ({ useQueueSummary: () => state.queue }));
vi.mock("@/lib/service-worker", () => ({
  useUpdateReady: () => false,
  reloadIntoUpdate: async () => {},
}));
vi.mock("@/lib/mail-client", () => ({ socket: { retryNow: () => {} } }));
vi.mock("@/lib/i18n", () => ({
  t: (key: string, vars?: { count?: number }) =>
    key === "offline.pending" ? `${vars?.count} waiting` : key,
}));

const { ConnectingPill, StatusBar } = await import("./status-bar");

/** The text of the status region this renders, or null if it renders none. */
function statusText(el: ReactElement): string | null {
  const html = renderToStaticMarkup(el);
  if (!html.includes('role="status"')) return null;
  return html.replace(/<[^>]*>/g, "");
}

/** What each place shows: the pill (every screen's header holds one) and the bar. */
function shown(): { pill: string | null; bar: string | null } {
  return { pill: statusText(<ConnectingPill />), bar: statusText(<StatusBar />) };
}

beforeEach(() => {
  Object.assign(state, { socket: "connecting", imap: "online", update: null });
  state.queue = { actions: 0, sends: 0 };
});

describe("the first connection's place", () => {
  it("is the pill, and then the bar stays away", () => {
    expect(shown()).toEqual({ pill: "connection.connecting", bar: null });
  });

  it("is named in full by the compact pill (a phone's reader), to assistive technology and as its tooltip", () => {
    expect(statusText(<ConnectingPill compact />)).toBe("connection.connecting");
    expect(renderToStaticMarkup(<ConnectingPill compact />)).toContain(
      'title="connection.connecting"',
    );
  });

  it("is the bar, with the count, while changes wait to sync", () => {
    state.queue = { actions: 2, sends: 0 };
    expect(shown()).toEqual({ pill: null, bar: "connection.connecting2 waiting" });
  });

  it("is the bar when Ferry was updated", () => {
    state.update = "outdated";
    expect(shown()).toEqual({ pill: null, bar: "connection.outdatedconnection.reload" });
  });
});

describe("the other states", () => {
  it("are the bar, wherever the pill would be", () => {
    state.socket = "reconnecting";
    expect(shown()).toEqual({
      pill: null,
      bar: "connection.reconnectingconnection.retryNow",
    });
    state.socket = "offline";
    expect(shown()).toEqual({ pill: null, bar: "connection.offlineconnection.retryNow" });
  });

  it("leave nothing shown once online", () => {
    state.socket = "online";
    expect(shown()).toEqual({ pill: null, bar: null });
  });
});
