/**
 * Screenshots for the README (docs/screenshots/*.png): desktop and phone, light and dark, of a
 * mailbox with hand-written mail. Tagged @screenshots and skipped by default; run with
 *   FERRY_SCREENSHOTS=1 pnpm exec playwright test screenshots
 */
import { join } from "node:path";
import { ImapFlow } from "imapflow";
import { makePng } from "../../packages/mail-server/src/seed/assets";
import { filePart, htmlPart, message, multipart, PDF, textPart } from "../fixtures/mime";
import { ROOT } from "../fixtures/stack";
import { expect, folders, reader, row, signIn, test } from "../fixtures/test";

const OUT = join(ROOT, "docs", "screenshots");
const HOUR = 3_600_000;

const NEWSLETTER = `<html><body style="margin:0;background:#f4f6fb">
<table width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px">
<table width="560" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:12px;font-family:Helvetica,Arial,sans-serif;color:#1f2937">
<tr><td><img src="cid:hero@ferry" alt="" width="560" height="140" style="display:block;border-radius:12px 12px 0 0"></td></tr>
<tr><td style="padding:24px 32px">
<p style="margin:0;color:#2563eb;font-size:13px;font-weight:bold;letter-spacing:.08em">FERRY WEEKLY · ISSUE 42</p>
<h1 style="margin:8px 0 12px;font-size:26px">Windowed lists, explained</h1>
<p style="font-size:15px;line-height:1.6">A folder with 100,000 messages should scroll like one with fifty. This week we look at how the list asks the bridge for just the rows on screen, and why jumping to the middle costs what the top does.</p>
<p style="font-size:15px;line-height:1.6">Also inside: live counts for every folder, a faster reader, and a new keyboard cheat sheet (press <b>?</b>).</p>
<p style="margin:24px 0"><a href="https://ferry.example/weekly/42" style="background:#2563eb;color:#fff;padding:12px 20px;border-radius:8px;text-decoration:none;font-weight:bold">Read the full issue</a></p>
<p style="font-size:12px;color:#6b7280">You get this because you signed up for Ferry Weekly.</p>
</td></tr></table></td></tr></table></body></html>`;

interface Mail {
  from: string;
  subject: string;
  hoursAgo: number;
  flags?: string[];
  body: ReturnType<typeof textPart>;
}

function mailbox(to: string): Mail[] {
  const hero = makePng(560, 140, "gradient", 0x2563eb, 0x93c5fd);
  return [
    {
      from: '"Ada Park" <ada@northwind.example>',
      subject: "Welcome to the team!",
      hoursAgo: 24 * 40,
      flags: ["\\Seen"],
      body: textPart("Hi,\n\nWelcome aboard! Your desk is by the window.\n\nAda"),
    },
    {
      from: '"Jonas Berg" <jonas@conf.example>',
      subject: "Re: Conference talk proposal",
      hoursAgo: 24 * 12,
      flags: ["\\Seen", "\\Flagged"],
      body: textPart("Accepted, congratulations! Slides are due two weeks before."),
    },
    {
      from: '"Hosting Status" <status@cloudhost.example>',
      subject: "Scheduled maintenance on Sunday",
      hoursAgo: 24 * 6,
      flags: ["\\Seen"],
      body: textPart("We will upgrade the storage cluster on Sunday between 02:00 and 04:00 UTC."),
    },
    {
      from: '"Nora Weiss" <nora@northwind.example>',
      subject: "Notes from the customer call",
      hoursAgo: 24 * 5,
      flags: ["\\Seen"],
      body: textPart(
        "Summary: they love the live counts, want faster search, and asked about shared folders.",
      ),
    },
    {
      from: '"Northwind Bank" <noreply@bank.example>',
      subject: "Your November statement is ready",
      hoursAgo: 24 * 4,
      flags: ["\\Seen"],
      body: textPart("Your statement is available in online banking."),
    },
    {
      from: '"Priya Raman" <priya@northwind.example>',
      subject: "Re: Budget for Q3",
      hoursAgo: 24 * 3,
      flags: ["\\Seen"],
      body: textPart("Looks good to me. Let's keep 10% aside for the offsite."),
    },
    {
      from: '"Fly Atlantic" <boarding@flyatlantic.example>',
      subject: "Your boarding pass for Lisbon",
      hoursAgo: 30,
      body: multipart("mixed", [
        textPart("Have a good flight! Your boarding pass is attached."),
        filePart({ type: "application/pdf", filename: "boarding-pass.pdf", data: PDF }),
      ]),
    },
    {
      from: '"Team Calendar" <calendar@northwind.example>',
      subject: "Invitation: Team retro @ Fri 3pm",
      hoursAgo: 26,
      flags: ["\\Seen"],
      body: textPart("Team retro, Friday 15:00 in the big room."),
    },
    {
      from: '"Sam Okafor" <sam@northwind.example>',
      subject: "Photos from the offsite",
      hoursAgo: 20,
      flags: ["\\Seen", "\\Flagged"],
      body: multipart("mixed", [
        textPart("The best ones are attached, including the failed kayak launch."),
        filePart({
          type: "image/png",
          filename: "kayak.png",
          data: makePng(64, 48, "stripes", 0x0ea5e9, 0xffffff),
        }),
      ]),
    },
    {
      from: '"CodeHub" <notifications@codehub.example>',
      subject: "[ferry/webmail] Merged: live folder counts (#512)",
      hoursAgo: 6,
      flags: ["\\Seen"],
      body: textPart("priya-r merged 4 commits into main."),
    },
    {
      from: '"Leo Martins" <leo@northwind.example>',
      subject: "Lunch on Friday?",
      hoursAgo: 3,
      body: textPart("The new ramen place opened around the corner. 12:30?"),
    },
    {
      from: '"Ferry Weekly" <weekly@ferry.example>',
      subject: "Issue 42: Windowed lists, explained",
      hoursAgo: 1.5,
      body: multipart("related", [
        htmlPart(NEWSLETTER),
        filePart({
          type: "image/png",
          filename: "hero.png",
          data: hero,
          inline: true,
          contentId: "hero@ferry",
        }),
      ]),
    },
    {
      from: '"Maya Chen" <maya@northwind.example>',
      subject: "Design review moved to Thursday",
      hoursAgo: 0.3,
      body: textPart(
        `Hi ${to.split("@")[0]},\n\nThe design review moved to Thursday at 10:00. Same room.\n\nMaya`,
      ),
    },
  ];
}

test.use({ seed: { inbox: 0, sent: 4, drafts: 1, archive: 6, trash: 2, junk: 1 } });

for (const scheme of ["light", "dark"] as const) {
  test(`screenshots, ${scheme} @screenshots`, async ({
    browser,
    stack,
    account,
    isMobile,
    viewport,
    userAgent,
    hasTouch,
    deviceScaleFactor,
    baseURL,
  }, testInfo) => {
    const imap = new ImapFlow({
      host: stack.mail.host,
      port: stack.mail.imap.tlsPort,
      secure: true,
      tls: { ca: stack.mail.ca },
      auth: { user: account.email, pass: account.password },
      logger: false,
    });
    await imap.connect();
    try {
      for (const m of mailbox(account.email)) {
        const date = new Date(Date.now() - m.hoursAgo * HOUR);
        await imap.append(
          "INBOX",
          message({ from: m.from, to: account.email, subject: m.subject, body: m.body, date }),
          m.flags ?? [],
          date,
        );
      }
    } finally {
      await imap.logout();
    }

    const context = await browser.newContext({
      colorScheme: scheme,
      isMobile,
      hasTouch,
      deviceScaleFactor: isMobile ? (deviceScaleFactor ?? 1) : 1,
      ...(viewport ? { viewport } : {}),
      ...(userAgent ? { userAgent } : {}),
      baseURL: baseURL ?? "",
    });
    const page = await context.newPage();
    await signIn(page, account);
    const device = testInfo.project.name;
    const newsletter = "Issue 42: Windowed lists, explained";
    await expect(row(page, newsletter)).toBeVisible();
    // Taken once connected: no "Connecting…" caught mid-connection, the folders (desktop) shown.
    await expect(page.getByRole("status").filter({ hasText: /Connecting/ })).toHaveCount(0);
    if (!isMobile) await expect(folders(page)).not.toHaveAttribute("aria-busy", /.*/);
    if (isMobile) {
      await page.screenshot({ path: join(OUT, `${device}-${scheme}.png`) });
      await row(page, newsletter).click();
    } else {
      await row(page, newsletter).click();
    }
    await expect(reader(page, newsletter)).toBeVisible();
    const body = page.frameLocator('iframe[title="Message body"]');
    await expect(body.getByRole("heading", { name: "Windowed lists, explained" })).toBeVisible();
    await expect
      .poll(() =>
        body
          .locator("img")
          .first()
          .evaluate((i: HTMLImageElement) => i.naturalWidth),
      )
      .toBeGreaterThan(0);
    await page.mouse.move(0, 0);
    await page.screenshot({
      path: join(OUT, isMobile ? `${device}-reader-${scheme}.png` : `${device}-${scheme}.png`),
    });
    await context.close();
  });
}
