/**
 * Figure 9: a folder's count changes → the browser, p50 and p95. A message is filed into Archive
 * (APPENDed by another IMAP client, as a Sieve rule or another device would) while every
 * observer has INBOX open:
 * - the floor: a bare imapflow client IDLE on Archive, stamped at `exists`;
 * - the bridge side: a protocol client's `mailbox.status` for Archive with the new unread count
 *   (pushed by IMAP NOTIFY where the server has it, else the bridge's 30 s poll would show);
 * - the browser: a signed-in page showing INBOX, at the first frame in which the folder pane
 *   names Archive with the new unread count.
 * Time runs from the APPEND's completion (the server holds the message).
 */
import { EventWatchingPage } from "../browser/watching-page";
import { closeBare, connectBare, idleFloor } from "../client/floor";
import { ProtocolClient, signIn, signOut } from "../client/protocol";
import { smallMessage, token } from "../mail/messages";
import { nowMs, progress } from "../progress";
import { errorRow, type Row } from "../report";
import { percentile } from "../stats";
import { arrivalTimes, type FigureContext, fmtMs } from "./context";
import { pushRows } from "./delivery-rows";

const FIGURE = "9 folder count → browser";
const FOLDER = "Archive";
const TIMEOUT_MS = 15_000;

interface Sample {
  floor: number;
  bridge: number;
  browser: number | null;
}

export async function countsFigure(ctx: FigureContext): Promise<Row[]> {
  const { server } = ctx.mail;
  const user = ctx.mail.push;

  // The other client that files the messages, and the floor: a bare client IDLE on Archive.
  const device = await connectBare(server, user, { disableAutoIdle: true });
  const bare = await connectBare(server, user, { disableAutoIdle: true });
  const bareIdle = await idleFloor(bare, FOLDER);
  const status = await device.status(FOLDER, { unseen: true });
  let unseen = status === false ? 0 : (status.unseen ?? 0);

  // Bridge side: a protocol client with INBOX open, like the web app.
  const cookie = await signIn(ctx.bridge, user);
  const client = await ProtocolClient.open(ctx.bridge, cookie);
  await client.request({ type: "mailbox.open", id: client.id(), path: "INBOX", readOnly: false });
  await client.request({ type: "mailboxes.list", id: client.id() });

  // Browser: a page showing INBOX and the folder pane.
  const page = await EventWatchingPage.open(
    ctx.browser,
    ctx.bridge.url,
    user,
    ctx.config.failureDir,
    "counts",
  );

  const samples: Sample[] = [];
  let missed = 0;
  try {
    // The first filing is untimed (warms the folder's indexes on every side).
    const total = ctx.config.deliveries + 1;
    for (let i = 0; i < total; i++) {
      unseen += 1;
      const expected = unseen;
      const floorSeen = bareIdle.nextExists();
      const bridgeSeen = client.next(
        "mailbox.status",
        (f) => f.mailbox === FOLDER && f.unseen === expected,
        TIMEOUT_MS,
      );
      const name = `counts.${i}`;
      await page.watch(name, "folder", `${FOLDER}, ${expected} unread`);

      const raw = smallMessage({
        from: "rules@example.test",
        to: [user.email],
        subject: token(`Filed ${i}`),
      });
      await device.append(FOLDER, raw);
      const t0 = nowMs();

      const [floorAt, bridgeAt] = await arrivalTimes(floorSeen, bridgeSeen, TIMEOUT_MS);
      if (Number.isNaN(bridgeAt)) {
        missed += 1;
        progress(`counts: no mailbox.status within ${TIMEOUT_MS} ms for filing ${i}`);
      }
      const browser = await page.seenAfter(name, t0, TIMEOUT_MS);
      if (i === 0) continue;
      samples.push({ floor: floorAt - t0, bridge: bridgeAt - t0, browser });
    }
  } finally {
    client.close();
    await signOut(ctx.bridge, cookie);
    await page.close();
    await closeBare(bare);
    await bareIdle.idling;
    await closeBare(device);
  }

  const rows: Row[] = [];
  if (missed > 0) {
    rows.push(
      errorRow(
        "counts.bridge.missed",
        FIGURE,
        "bridge",
        `${missed} filings never reached the socket (within ${TIMEOUT_MS / 1000} s)`,
      ),
    );
  }
  const floor = samples.map((s) => s.floor).filter((v) => !Number.isNaN(v));
  const bridge = samples.map((s) => s.bridge).filter((v) => !Number.isNaN(v));
  const browser = samples.flatMap((s) => (s.browser === null ? [] : [s.browser]));
  rows.push(
    ...pushRows({
      figure: FIGURE,
      ids: { bridge: "counts.bridge", browser: "counts.browser" },
      labels: {
        bridge: `bridge: mailbox.status of ${FOLDER}`,
        browser: `browser: ${FOLDER}'s unread count in the folder pane`,
        browserError: "browser",
      },
      floor,
      bridge,
      browser,
      browserError: page.error,
    }),
  );
  progress(
    `counts: floor p50 ${fmtMs(percentile(floor, 50))}, bridge p50 ${fmtMs(percentile(bridge, 50))}` +
      (browser.length > 0 ? `, browser p50 ${fmtMs(percentile(browser, 50))}` : ""),
  );
  return rows;
}
