import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { BridgeError } from "../errors";
import { classifySmtpError, submitMessage } from "./submit";

const smtpError = (props: Record<string, unknown>) =>
  Object.assign(new Error("server said: 550 5.1.1 secret internals"), props);

describe("classifySmtpError", () => {
  it.each([
    [{ code: "ESOCKET", errno: -111 }, "smtp_unavailable"],
    [{ code: "ECONNECTION" }, "smtp_unavailable"],
    [{ code: "ETIMEDOUT" }, "smtp_unavailable"],
    [{ code: "ETLS" }, "tls_failed"],
    [{ code: "ESOCKET", cause: { code: "DEPTH_ZERO_SELF_SIGNED_CERT" } }, "tls_failed"],
    [{ code: "EAUTH", responseCode: 535 }, "smtp_auth_failed"],
    [{ code: "EMESSAGE", command: "MAIL FROM" }, "too_large"],
    [{ code: "EMESSAGE", command: "DATA", responseCode: 552 }, "too_large"],
    [{ code: "EENVELOPE", command: "MAIL FROM", responseCode: 552 }, "too_large"],
    [
      { code: "EENVELOPE", command: "RCPT TO", responseCode: 550, rejected: ["x@y.z"] },
      "recipient_refused",
    ],
    [{ code: "EENVELOPE", command: "MAIL FROM", responseCode: 553 }, "server_refused"],
    [{ code: "EMESSAGE", command: "DATA", responseCode: 554 }, "server_refused"],
    [{ code: "EMESSAGE", command: "DATA", responseCode: 451 }, "server_refused"],
  ])("%o → %s, without the server's words", (props, code) => {
    const err = classifySmtpError(smtpError(props));
    expect(err.code).toBe(code);
    expect(err.message).not.toMatch(/secret|5\.1\.1|550/);
  });

  it("names the refused recipients", () => {
    const err = classifySmtpError(
      smtpError({
        code: "EENVELOPE",
        command: "RCPT TO",
        responseCode: 550,
        rejected: ["a@b.cd", "e@f.gh"],
      }),
    );
    expect(err.rejected).toEqual(["a@b.cd", "e@f.gh"]);
    expect(err.message).toContain("a@b.cd, e@f.gh");
  });

  it("keeps a BridgeError's code", () => {
    expect(classifySmtpError(new BridgeError("unauthorized", "Sign in again.")).code).toBe(
      "unauthorized",
    );
  });
});

/** A fake SMTP server speaking a scripted dialogue, for what the fixture cannot do. */
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers.length = 0;
});

async function fakeSmtp(
  onLine: (line: string, socket: Socket) => void,
  greeting = "220 fake ESMTP\r\n",
) {
  const server = createServer((socket) => {
    socket.on("error", () => undefined);
    socket.write(greeting);
    let buffer = "";
    socket.on("data", (d) => {
      buffer += d.toString("latin1");
      let i = buffer.indexOf("\r\n");
      while (i >= 0) {
        onLine(buffer.slice(0, i), socket);
        buffer = buffer.slice(i + 2);
        i = buffer.indexOf("\r\n");
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
}

const base = {
  auth: { user: "a@b.cd", pass: "pw" },
  envelope: { from: "a@b.cd", to: ["x@y.zz"] },
  message: Buffer.from("Subject: hi\r\n\r\nhello\r\n"),
  connectTimeoutMs: 2000,
};

describe("submitMessage", () => {
  it("refuses to go on without STARTTLS when it is required (never opportunistic)", async () => {
    const lines: string[] = [];
    const port = await fakeSmtp((line, s) => {
      lines.push(line);
      if (/^EHLO/i.test(line)) s.write("250-fake\r\n250 AUTH PLAIN\r\n");
      else if (/^HELO/i.test(line)) s.write("250 fake\r\n");
      else s.write("502 no\r\n");
    });
    await expect(
      submitMessage({ ...base, target: { host: "127.0.0.1", port, security: "starttls" } }),
    ).rejects.toMatchObject({ code: "tls_failed" });
    expect(lines.some((l) => /^(AUTH|MAIL)/i.test(l))).toBe(false);
  });

  it("reports a server that drops the line during the greeting as unavailable", async () => {
    const port = await fakeSmtp(() => undefined, "");
    const server = servers.at(-1);
    server?.on("connection", (s: Socket) => s.destroy());
    await expect(
      submitMessage({ ...base, target: { host: "127.0.0.1", port, security: "starttls" } }),
    ).rejects.toMatchObject({ code: "smtp_unavailable" });
  });
});
