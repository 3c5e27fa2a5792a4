/**
 * Figure 2: a delivered message → its row, p50 and p95, through Postfix (submission with
 * STARTTLS + AUTH, then Postfix's own LMTP delivery) and through LMTP alone.
 *
 * Each delivery is watched at once by three observers of the same user:
 * - the floor: a bare imapflow client IDLE on INBOX (idle() called here), stamped at `exists`;
 * - the bridge side: a protocol client's `messages.new` frame carrying the message's row;
 * - the browser: a signed-in page on INBOX, at the first frame that shows the row.
 * Time runs from the moment the mail system accepted the message (LMTP's 250 after DATA, or
 * Postfix's 250 "queued"), on this process's clock; the page's stamps are moved onto that clock
 * by EventWatchingPage. Deliveries alternate between the two
 * paths and the next starts only when all observers saw the last.
 */
import nodemailer from "nodemailer";
import { EventWatchingPage } from "../browser/watching-page";
import { closeBare, connectBare, idleFloor } from "../client/floor";
import { ProtocolClient, signIn, signOut } from "../client/protocol";
import { smallMessage, token } from "../mail/messages";
import { nowMs, progress } from "../progress";
import { errorRow, type Row } from "../report";
import { percentile } from "../stats";
import { arrivalTimes, type FigureContext, fmtMs } from "./context";
import { pushRows } from "./delivery-rows";

const FIGURE = "2 delivery → row";
const TIMEOUT_MS = 15_000;

type Path = "postfix" | "lmtp";

interface Sample {
  path: Path;
  floor: number;
  bridge: number;
  browser: number | null;
}

export async function pushFigure(ctx: FigureContext): Promise<Row[]> {
  const { server } = ctx.mail;
  const user = ctx.mail.push;
  const sender = ctx.mail.sender;

  // Floor: bare IDLE client.
  const bare = await connectBare(server, user, { disableAutoIdle: true });
  const bareIdle = await idleFloor(bare, "INBOX");

  // Bridge side: a protocol client that opened INBOX, like the web app.
  const cookie = await signIn(ctx.bridge, user);
  const client = await ProtocolClient.open(ctx.bridge, cookie);
  await client.request({ type: "mailbox.open", id: client.id(), path: "INBOX", readOnly: false });
  await client.request({
    type: "list.window",
    id: client.id(),
    mailbox: "INBOX",
    offset: 0,
    limit: 50,
  });

  // Browser: a page showing INBOX.
  const page = await EventWatchingPage.open(
    ctx.browser,
    ctx.bridge.url,
    user,
    ctx.config.failureDir,
    "push",
  );

  const transport = nodemailer.createTransport({
    host: server.host,
    port: server.submissionPort,
    secure: false,
    requireTLS: true,
    tls: { ca: server.ca, servername: "localhost" },
    auth: { user: sender.email, pass: sender.password },
    pool: true,
    maxConnections: 1,
  });

  const samples: Sample[] = [];
  const submitMs: number[] = [];
  const missed = { bridge: 0, floor: 0 };
  try {
    // One untimed delivery per path: opens the pooled SMTP connection, warms Postfix.
    const total = ctx.config.deliveries * 2 + 2;
    for (let i = 0; i < total; i++) {
      const path: Path = i % 2 === 0 ? "postfix" : "lmtp";
      const subject = token(`Push ${path} ${i}`);
      const raw = smallMessage({ from: sender.email, to: [user.email], subject });

      const floorSeen = bareIdle.nextExists();
      const bridgeSeen = client.next(
        "messages.new",
        (f) => f.rows.some((r) => r.subject === subject),
        TIMEOUT_MS,
      );
      const name = `push.${i}`;
      await page.watch(name, "row", subject);

      const s0 = nowMs();
      if (path === "lmtp") {
        await server.deliver(raw, { from: sender.email, to: [user.email] });
      } else {
        await transport.sendMail({ envelope: { from: sender.email, to: [user.email] }, raw });
      }
      const t0 = nowMs();

      const [floorAt, bridgeAt] = await arrivalTimes(floorSeen, bridgeSeen, TIMEOUT_MS);
      if (Number.isNaN(bridgeAt)) {
        missed.bridge += 1;
        progress(`push: no messages.new within ${TIMEOUT_MS} ms for delivery ${i} (${path})`);
      }
      if (Number.isNaN(floorAt)) missed.floor += 1;
      const browser = await page.seenAfter(name, t0, TIMEOUT_MS);
      if (i < 2) continue;
      if (path === "postfix") submitMs.push(t0 - s0);
      samples.push({ path, floor: floorAt - t0, bridge: bridgeAt - t0, browser });
    }
  } finally {
    transport.close();
    client.close();
    await signOut(ctx.bridge, cookie);
    await page.close();
    await closeBare(bare);
    await bareIdle.idling;
  }

  const rows: Row[] = [];
  if (missed.bridge > 0) {
    rows.push(
      errorRow(
        "push.bridge.missed",
        FIGURE,
        "bridge",
        `${missed.bridge} deliveries never reached the socket (within ${TIMEOUT_MS / 1000} s)`,
      ),
    );
  }
  if (missed.floor > 0) progress(`push: the bare IDLE client missed ${missed.floor} deliveries`);
  for (const path of ["postfix", "lmtp"] as const) {
    const mine = samples.filter((s) => s.path === path);
    const floor = mine.map((s) => s.floor);
    const bridge = mine.map((s) => s.bridge);
    const browser = mine.flatMap((s) => (s.browser === null ? [] : [s.browser]));
    const via = path === "postfix" ? "via Postfix" : "via LMTP";
    rows.push(
      ...pushRows({
        figure: FIGURE,
        ids: { bridge: `push.bridge.${path}`, browser: `push.browser.${path}` },
        labels: {
          bridge: `bridge: messages.new, ${via}`,
          browser: `browser: row visible, ${via}`,
          browserError: `browser, ${via}`,
        },
        floor,
        bridge,
        browser,
        browserError: page.error,
        bridgeNote:
          path === "postfix"
            ? `submission (STARTTLS+AUTH on a pooled connection, then DATA) took a median ${fmtMs(percentile(submitMs, 50))} before the clock starts`
            : null,
      }),
    );
    progress(
      `push ${via}: floor p50 ${fmtMs(percentile(floor, 50))}, bridge p50 ${fmtMs(percentile(bridge, 50))}` +
        (browser.length > 0 ? `, browser p50 ${fmtMs(percentile(browser, 50))}` : ""),
    );
  }
  return rows;
}
