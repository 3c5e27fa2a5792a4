import { expect, folders, messageList, signIn, test } from "../fixtures/test";

test.describe("signing in", () => {
  test("labelled fields, a clear error for a wrong password, then the inbox", async ({
    page,
    account,
  }) => {
    await page.goto("/");
    const email = page.getByLabel("Email address");
    const password = page.getByLabel("Password");
    await expect(email).toBeVisible();
    await expect(password).toHaveAttribute("type", "password");
    // The server is pinned: no server fields.
    await expect(page.getByRole("group", { name: "IMAP server" })).toHaveCount(0);

    await email.fill(account.email);
    await password.fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("form").getByRole("alert")).toHaveText(
      "Wrong email address or password.",
    );

    await password.fill(account.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(messageList(page)).toBeVisible();
    await expect(messageList(page).getByRole("option").first()).toBeVisible();
  });

  test("the password is never stored in the browser", async ({ page, account }) => {
    await signIn(page, account);
    const stored = await page.evaluate(async () => {
      const values: string[] = [];
      for (let i = 0; i < localStorage.length; i++) {
        const k = localStorage.key(i);
        if (k) values.push(k, localStorage.getItem(k) ?? "");
      }
      for (let i = 0; i < sessionStorage.length; i++) {
        const k = sessionStorage.key(i);
        if (k) values.push(k, sessionStorage.getItem(k) ?? "");
      }
      values.push(document.cookie, location.href);
      return values.join("\n");
    });
    expect(stored).not.toContain(account.password);
    const cookies = await page.context().cookies();
    for (const c of cookies) {
      expect(c.value).not.toContain(account.password);
      expect(c.httpOnly).toBe(true);
    }
  });

  test("the session survives a reload, and signing out ends it", async ({
    page,
    account,
    isPhone,
  }) => {
    await signIn(page, account);
    await page.reload();
    await expect(messageList(page).getByRole("option").first()).toBeVisible();
    await expect(page.getByLabel("Email address")).toHaveCount(0);

    if (isPhone) {
      await page.getByRole("button", { name: "Show folders" }).click();
      await expect(folders(page)).toBeVisible();
      await page.getByRole("button", { name: `Signed in as ${account.email}` }).click();
      await page.getByRole("menuitem", { name: "Sign out" }).click();
    } else {
      await page.getByRole("button", { name: "Sign out" }).click();
    }
    await expect(page.getByLabel("Email address")).toBeVisible();
    await page.reload();
    await expect(page.getByLabel("Email address")).toBeVisible();
    // The cached mailbox went with the session.
    const cached = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const req = indexedDB.open("keyval-store");
          req.onsuccess = () => {
            const db = req.result;
            if (!db.objectStoreNames.contains("keyval")) return resolve(0);
            const count = db.transaction("keyval").objectStore("keyval").count();
            count.onsuccess = () => resolve(count.result);
          };
          req.onerror = () => resolve(0);
        }),
    );
    expect(cached).toBe(0);
  });

  test("too many wrong passwords: told to wait", async ({ page, account }) => {
    await page.goto("/");
    await page.getByLabel("Email address").fill(account.email);
    const password = page.getByLabel("Password");
    const button = page.getByRole("button", { name: "Sign in" });
    const alert = page.locator("form").getByRole("alert");
    for (let i = 0; i < 12; i++) {
      await password.fill(`wrong-${i}`);
      await button.click();
      await expect(alert).toBeVisible();
      if (/too many/i.test((await alert.textContent()) ?? "")) break;
      await expect(button).toBeEnabled();
    }
    await expect(alert).toContainText("Too many tries");
  });

  test("server fields when none is pinned, and a clear message for each kind of failure", async ({
    page,
  }) => {
    await page.route("**/api/config", (route) =>
      route.fulfill({
        json: { protocolVersion: 1, imapPinned: false, smtpPinned: false, demo: null },
      }),
    );
    const failures: Array<{
      status: number;
      code: string;
      retryAfter?: number;
      text: string | RegExp;
    }> = [
      {
        status: 401,
        code: "host_unreachable",
        text: "The mail server could not be reached. Check the server name.",
      },
      { status: 401, code: "tls_failed", text: /certificate could not be verified/ },
      { status: 401, code: "login_refused", text: /refused to sign you in/ },
      { status: 401, code: "server_not_allowed", text: "That mail server is not allowed here." },
      {
        status: 429,
        code: "too_many_attempts",
        retryAfter: 90,
        text: /Too many tries\. Wait 90 seconds/,
      },
    ];
    const bodies: unknown[] = [];
    let next = 0;
    await page.route("**/api/session", async (route) => {
      if (route.request().method() !== "POST")
        return route.fulfill({
          status: 401,
          json: { error: { code: "unauthorized", message: "" } },
        });
      bodies.push(route.request().postDataJSON());
      const f = failures[next++] ?? failures[0];
      await route.fulfill({
        status: f?.status ?? 401,
        json: {
          error: {
            code: f?.code,
            message: "server text the page never shows",
            ...(f?.retryAfter ? { retryAfter: f.retryAfter } : {}),
          },
        },
      });
    });
    await page.goto("/");
    const imap = page.getByRole("group", { name: "IMAP server" });
    await expect(imap).toBeVisible();
    await page.getByLabel("Email address").fill("someone@example.test");
    await page.getByLabel("Password").fill("secret");
    await imap.getByLabel("Server name").fill("imap.example.test");
    await imap.getByLabel("Security").selectOption("starttls");
    const alert = page.locator("form").getByRole("alert");
    for (const f of failures) {
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(alert).toHaveText(f.text);
      await expect(alert).not.toContainText("server text");
    }
    // Too many tries: the button waits too.
    await expect(page.getByRole("button", { name: "Sign in" })).toBeDisabled();
    expect(bodies[0]).toEqual({
      email: "someone@example.test",
      password: "secret",
      imap: { host: "imap.example.test", port: 143, security: "starttls" },
      // The first window the mailbox will show, for the answer to carry, and the rows on screen.
      inbox: { conversations: expect.any(Boolean), rows: expect.any(Number) },
    });
  });
});
