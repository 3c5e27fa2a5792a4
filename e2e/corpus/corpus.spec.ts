import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { CORPUS_DIR } from "@ferry/mail-server";
import { ImapFlow, type MessageStructureObject } from "imapflow";
import { expect, test } from "../fixtures/test";

function corpusFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return corpusFiles(path);
    return /\.(eml|raw)$/.test(name) ? [path] : [];
  });
}

interface Expected {
  uid: number;
  file: string;
  /** Leaf parts the server calls attachments (Content-Disposition: attachment), by name. */
  attachments: string[];
  /** Embedded messages (message/rfc822): each is listed as an attachment of its own. */
  embedded: number;
}

/** What the reader must list, from the server's BODYSTRUCTURE (not looking into embedded mail). */
function partsOf(
  node: MessageStructureObject | undefined,
  top = true,
): { attachments: string[]; embedded: number } {
  if (!node) return { attachments: [], embedded: 0 };
  if (!top && node.type === "message/rfc822") return { attachments: [], embedded: 1 };
  const out = {
    attachments:
      node.disposition === "attachment" && !node.childNodes
        ? [node.dispositionParameters?.filename ?? node.parameters?.name ?? ""]
        : [],
    embedded: 0,
  };
  for (const child of node.childNodes ?? []) {
    const sub = partsOf(child, false);
    out.attachments.push(...sub.attachments);
    out.embedded += sub.embedded;
  }
  return out;
}

test.use({ seed: { inbox: 0 } });
test.setTimeout(240_000);
test.skip(
  ({ isMobile }) => isMobile,
  "what the corpus checks (parsing, parts, attachments) does not depend on the layout: run once, on desktop (CI time, issue 17)",
);

test("every message of the vendored corpus opens and shows its parts", async ({
  page,
  stack,
  account,
}) => {
  const files = corpusFiles(CORPUS_DIR).sort();
  expect(files.length).toBeGreaterThan(50);
  for (const file of files) {
    await stack.mail.deliver(readFileSync(file), {
      from: "corpus@example.test",
      to: [account.email],
    });
  }

  // What the server says each message holds (our own IMAP connection, not the bridge's).
  const imap = new ImapFlow({
    host: stack.mail.host,
    port: stack.mail.imap.tlsPort,
    secure: true,
    tls: { ca: stack.mail.ca },
    auth: { user: account.email, pass: account.password },
    logger: false,
  });
  await imap.connect();
  const expected: Expected[] = [];
  let uidValidity = 0;
  const lock = await imap.getMailboxLock("INBOX");
  try {
    uidValidity = imap.mailbox ? Number(imap.mailbox.uidValidity) : 0;
    const fetched = [];
    for await (const m of imap.fetch("1:*", { uid: true, bodyStructure: true })) fetched.push(m);
    fetched.forEach((m, i) => {
      expected.push({
        uid: m.uid,
        file: relative(CORPUS_DIR, files[i] ?? ""),
        ...partsOf(m.bodyStructure),
      });
    });
  } finally {
    lock.release();
    await imap.logout();
  }
  expect(expected).toHaveLength(files.length);

  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/");
  await page.getByLabel("Email address").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("listbox", { name: "Messages" })).toBeVisible();

  for (const m of expected) {
    await test.step(m.file, async () => {
      // Go there the way Back/Forward do (no page reload: the app follows the URL).
      await page.evaluate((search) => {
        history.pushState(history.state, "", search);
        dispatchEvent(new PopStateEvent("popstate", { state: history.state }));
      }, `/?msg=${uidValidity}:${m.uid}`);
      const article = page.getByRole("article");
      await expect(article, m.file).toBeVisible();
      await expect(article.getByRole("heading", { level: 2 }), m.file).toBeVisible();
      // Headers are in; then either a body (frame or text), or the note that there is none.
      await expect(article.getByRole("status", { name: "Loading message…" }), m.file).toHaveCount(
        0,
      );
      await expect(article.getByRole("alert"), m.file).toHaveCount(0);
      // Polled: the body frame or text may land a moment after the loading status goes.
      await expect
        .poll(
          async () =>
            (await article.locator('iframe[title="Message body"]').count()) +
            (await article.locator(".whitespace-pre-wrap").count()) +
            (await article.getByText("This message has no text.").count()),
          { message: `${m.file}: a body or "no text"` },
        )
        .toBeGreaterThan(0);
      const downloads = article.getByRole("link", { name: /^Download / });
      await expect
        .poll(() => downloads.count(), { message: `${m.file}: attachments listed` })
        .toBeGreaterThanOrEqual(m.attachments.length + m.embedded);
      for (const name of m.attachments) {
        await expect(
          article.getByRole("link", { name: `Download ${name || "Unnamed attachment"}` }).first(),
          `${m.file}: attachment ${name}`,
        ).toBeVisible();
      }
    });
  }
  expect(errors).toEqual([]);
});
