import { notifyManager, QueryObserver } from "@tanstack/react-query";
import { afterEach, describe, expect, it } from "vitest";
import type { ListData } from "./list-cache";
import { handleEvent, keys, queryClient } from "./mail-client";
import { plainRow as row } from "./test-rows";

function inbox(uids: number[]): ListData {
  const rows: ListData["rows"] = {};
  uids.forEach((uid, i) => {
    rows[i] = row(uid);
  });
  return {
    mailbox: "INBOX",
    query: null,
    uidValidity: 7,
    total: uids.length,
    rows,
    fetched: { 0: "page:1" },
    arrived: [],
  };
}

describe("pushed events", () => {
  afterEach(() => queryClient.clear());

  it("a new message reaches the list on screen in the task that brought it", async () => {
    const key = keys.list("INBOX", null);
    queryClient.setQueryData(key, inbox([3, 2, 1]));
    const observer = new QueryObserver<ListData>(queryClient, { queryKey: key, enabled: false });
    const shown: number[] = [];
    // As React's useQuery listens: through the notify manager's batching.
    const unsubscribe = observer.subscribe(
      notifyManager.batchCalls((result) => {
        if (result.data) shown.push(result.data.total);
      }),
    );
    let timerRan = false;
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        timerRan = true;
        resolve();
      }, 0),
    );

    handleEvent({
      type: "messages.new",
      mailbox: "INBOX",
      uidValidity: 7,
      total: 4,
      rows: [row(4)],
    });
    await Promise.resolve();
    await Promise.resolve();

    expect(timerRan).toBe(false);
    expect(shown.at(-1)).toBe(4);
    unsubscribe();
    await timer;
  });
});
