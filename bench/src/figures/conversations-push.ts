/**
 * Figure 12 (conversations.ts), delivery → conversation row moved to the top: a reply delivered
 * over LMTP to the conversation just below the top, until the socket's `conversations.changed`
 * (bridge) and the first frame in which the page shows the row with its new count (browser).
 * Floor: a bare client IDLE on INBOX, at its EXISTS. Deliveries alternate between two
 * conversations, so each moves one.
 */
import { EventWatchingPage } from "../browser/watching-page";
import { closeBare, connectBare, idleFloor } from "../client/floor";
import type { ProtocolClient } from "../client/protocol";
import { nowMs, progress } from "../progress";
import type { Row } from "../report";
import type { Account } from "../stack/mail";
import { summarize } from "../stats";
import { arrivalTimes, type FigureContext, fmtMs } from "./context";
import { deliverReply, FIGURE, type Thread, TIMEOUT_MS } from "./conversations-common";
import { pushRows } from "./delivery-rows";

export async function deliveryRows(
  ctx: FigureContext,
  size: number,
  user: Account,
  client: ProtocolClient,
  threads: [Thread, Thread],
): Promise<Row[]> {
  const bare = await connectBare(ctx.mail.server, user, { disableAutoIdle: true });
  const bareIdle = await idleFloor(bare, "INBOX");
  const page = await EventWatchingPage.open(
    ctx.browser,
    ctx.bridge.url,
    user,
    ctx.config.failureDir,
    "conversations-push",
  );
  const floor: number[] = [];
  const bridge: number[] = [];
  const browser: number[] = [];
  const moved: string[] = [];
  try {
    for (let i = 0; i < ctx.config.deliveries + 1; i++) {
      const thread = threads[i % 2] as Thread;
      const count = thread.ids.length + 1;
      const floorSeen = bareIdle.nextExists();
      const bridgeSeen = client.next(
        "conversations.changed",
        (f) => f.changes.some((c) => c.to === 0 && c.conversation.count === count),
        TIMEOUT_MS,
      );
      const name = `conv.push.${i}`;
      await page.watch(name, "row", `${count} messages, Re: ${thread.subject}`);
      await deliverReply(ctx, user, thread);
      const t0 = nowMs();
      const [floorAt, bridgeAt] = await arrivalTimes(floorSeen, bridgeSeen, TIMEOUT_MS);
      const change = await bridgeSeen.catch(() => null);
      const from = change?.frame.changes.find((c) => c.to === 0)?.from;
      if (from !== undefined) moved.push(String(from));
      const seen = await page.seenAfter(name, t0, TIMEOUT_MS);
      if (i === 0) continue;
      floor.push(floorAt - t0);
      bridge.push(bridgeAt - t0);
      if (seen !== null) browser.push(seen);
    }
  } finally {
    await page.close();
    await closeBare(bare);
    await bareIdle.idling;
  }
  progress(
    `conversations ${size}: delivery → row bridge p50 ${fmtMs(summarize(bridge, 50)?.value ?? Number.NaN)}, moved from ${[...new Set(moved)].join("/")}`,
  );
  return pushRows({
    figure: FIGURE,
    size,
    ids: { bridge: `conv.push.bridge.${size}`, browser: `conv.push.browser.${size}` },
    labels: {
      bridge: "bridge: delivery → conversations.changed (row to the top), via LMTP",
      browser: "browser: conversation row moved to the top, via LMTP",
      browserError: "browser",
    },
    floor,
    bridge,
    browser,
    browserError: page.error,
  });
}
