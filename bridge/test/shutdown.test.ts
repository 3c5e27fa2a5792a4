/**
 * Closing a bridge while a browser is talking to it: a request being answered when close()
 * starts is answered in full (its state written before the store closes), not failed half-way.
 */
import { connect, type Socket } from "node:net";
import { startMailServer } from "@ferry/mail-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MailServer, startBridge } from "./harness";

let mail: MailServer;

beforeAll(async () => {
  mail = await startMailServer({ postfix: false, users: [{ email: "closing@example.test" }] });
});

afterAll(async () => {
  await mail?.stop();
});

/** Resolves with everything the socket received once `done(text)` says it is all there. */
function received(socket: Socket, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      if (done(text)) {
        socket.off("data", onData);
        resolve(text);
      }
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.once("close", () => resolve(text));
  });
}

describe("closing the bridge", () => {
  it("answers a sign-in that was in flight when close() started, and logs no failure", async () => {
    const b = await startBridge(mail);
    const { hostname: host, port } = new URL(b.url);
    const user = mail.user("closing@example.test");
    const body = JSON.stringify({ email: user.email, password: user.password });
    const socket = connect(Number(port), host);
    try {
      const continued = received(socket, (t) => t.includes("100 Continue"));
      // Expect: 100-continue: the bridge's handler has the request once "100 Continue" comes.
      socket.write(
        [
          "POST /api/session HTTP/1.1",
          `Host: ${host}:${port}`,
          `Origin: ${b.origin}`,
          "Content-Type: application/json",
          `Content-Length: ${Buffer.byteLength(body)}`,
          "Expect: 100-continue",
          "Connection: close",
          "",
          "",
        ].join("\r\n"),
      );
      await continued;
      const closed = b.close();
      const answer = received(socket, () => false); // all of it: the bridge closes the connection
      socket.write(body);
      const text = await answer;
      await closed;
      const status = /HTTP\/1\.1 (\d+)/.exec(text)?.[1];
      expect(status, text.slice(0, 300)).toBe("200");
      expect(text).toMatch(/set-cookie: ferry_session=/i);
      expect(b.logs.text).not.toMatch(/request failed/);
    } finally {
      socket.destroy();
    }
  });
});
