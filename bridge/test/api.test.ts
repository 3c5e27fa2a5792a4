/**
 * The session-guarded HTTP routes of a real bridge, as the browser uses them: attachments and
 * the raw source over /api/parts (found through the socket, fetched with the cookie), and the
 * image proxy refusing private targets. Both refuse a request without a session.
 */
import { startMailServer } from "@ferry/mail-server";
import { partUrl, type TServerFrameOf, ZHttpError } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type MailServer,
  openSocket,
  signedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";

let mail: MailServer;
let b: TestBridge;
let cookie: string;
let s: TestSocket;

const ATTACHMENT = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
const FILENAME = "Résumé «final» 2024.bin";

function withAttachment(to: string, subject = "report with attachment"): string {
  const b64 = ATTACHMENT.toString("base64").replace(/.{76}/g, "$&\r\n");
  return [
    "From: Carol <carol@example.test>",
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <api-${subject.replace(/\W+/g, "-")}@example.test>`,
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "See the attachment.",
    "--b1",
    "Content-Type: application/octet-stream",
    "Content-Transfer-Encoding: base64",
    `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(FILENAME)}`,
    "",
    b64,
    "--b1--",
    "",
  ].join("\r\n");
}

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: [{ email: "api@example.test" }] });
  const u = mail.user("api@example.test");
  await mail.deliver(withAttachment(u.email), { from: "carol@example.test", to: [u.email] });
  b = await startBridge(mail);
  cookie = await signedIn(b, u.email, u.password);
  s = await openSocket(b, cookie);
});

afterAll(async () => {
  s?.close();
  await b?.close();
  await mail?.stop();
});

async function errorOf(res: Response): Promise<string> {
  return ZHttpError.parse(await res.json()).error.code;
}

/** The error body of a refusal: its code and message. */
async function refusal(res: Response): Promise<{ code: string; message: string }> {
  return ZHttpError.parse(await res.json()).error;
}

describe("/api/parts through the bridge", () => {
  it("streams an attachment the socket listed, with safe headers and Range, only with the session", async () => {
    const win = await s.request({
      type: "list.window",
      id: "w",
      mailbox: "INBOX",
      offset: 0,
      limit: 10,
    });
    if (win.type !== "list.window") throw new Error("no window");
    const row = win.rows[0];
    expect(row?.hasAttachments).toBe(true);
    const ref = { mailbox: "INBOX", uidValidity: win.uidValidity, uid: row?.uid ?? 0 };
    const header = await s.request({ type: "message.open", id: "open", ref });
    const attachment = (header as TServerFrameOf<"message.header">).attachments?.[0];
    if (!attachment) throw new Error(`no attachment listed: ${JSON.stringify(header)}`);
    const url = `${b.url}${partUrl(ref, attachment.part)}`;

    expect((await fetch(url)).status).toBe(401);
    const other = await fetch(url, { headers: { cookie: `ferry_session=${"A".repeat(43)}` } });
    expect(other.status).toBe(401);
    expect(await errorOf(other)).toBe("unauthorized");

    const res = await fetch(url, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(ATTACHMENT)).toBe(true);
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="Resume _final_ 2024.bin"; filename*=UTF-8''${encodeURIComponent(FILENAME)}`,
    );
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);

    const ranged = await fetch(url, { headers: { cookie, range: "bytes=1000-1999" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe(`bytes 1000-1999/${ATTACHMENT.length}`);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(ATTACHMENT.subarray(1000, 2000))).toBe(
      true,
    );

    const source = await fetch(`${b.url}${partUrl(ref, "raw")}`, { headers: { cookie } });
    expect(source.status).toBe(200);
    expect(source.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await source.text()).toContain("Subject: report with attachment");
  });

  it("serves the attachment of a message that just arrived", async () => {
    // The download connection has INBOX selected from the test above and has been quiet since.
    const u = mail.user("api@example.test");
    await mail.deliver(withAttachment(u.email, "fresh attachment"), {
      from: "carol@example.test",
      to: [u.email],
    });
    const pushed = await s.waitFor<TServerFrameOf<"messages.new">>(
      (f) => f.type === "messages.new" && f.rows.some((r) => r.subject === "fresh attachment"),
      "messages.new",
    );
    const row = pushed.rows.find((r) => r.subject === "fresh attachment");
    const ref = { mailbox: "INBOX", uidValidity: pushed.uidValidity, uid: row?.uid ?? 0 };
    const res = await fetch(`${b.url}${partUrl(ref, "2")}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(ATTACHMENT)).toBe(true);
  });
});

describe("/api/proxy through the bridge", () => {
  it("needs the session", async () => {
    const res = await fetch(
      `${b.url}/api/proxy?url=${encodeURIComponent("http://example.com/a.png")}`,
    );
    expect(res.status).toBe(401);
  });

  it("refuses loopback and private targets, by address and by a name that resolves there", async () => {
    // Default ports, so that what refuses them is the address rule (a connection attempt would
    // fail with 502 instead).
    for (const target of [
      "http://127.0.0.1/pixel.png",
      "http://localhost/pixel.png",
      "http://[::ffff:127.0.0.1]/pixel.png",
      "http://169.254.169.254/latest/meta-data",
      "http://10.0.0.1/a.png",
      "http://100.64.0.1/a.png",
    ]) {
      const res = await fetch(`${b.url}/api/proxy?url=${encodeURIComponent(target)}`, {
        headers: { cookie },
      });
      expect({ target, status: res.status }).toEqual({ target, status: 403 });
      const error = await refusal(res);
      expect(error.code).toBe("proxy_refused");
      expect(error.message).toMatch(/private or local/);
    }
    const ftp = await fetch(
      `${b.url}/api/proxy?url=${encodeURIComponent("ftp://example.com/a.png")}`,
      {
        headers: { cookie },
      },
    );
    expect(ftp.status).toBe(403);
  });
});
