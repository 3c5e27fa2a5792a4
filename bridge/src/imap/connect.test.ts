import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { connectImap } from "./connect";

describe("connectImap", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(null));
  });

  it("refuses a STARTTLS server that does not offer STARTTLS, before sending credentials", async () => {
    const received: string[] = [];
    server = createServer((socket) => {
      socket.on("error", () => {});
      socket.write("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] plain-text server ready\r\n");
      socket.on("data", (d) => {
        received.push(d.toString());
        const tag = d.toString().split(" ")[0];
        if (/CAPABILITY/i.test(d.toString())) {
          socket.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done\r\n`);
        } else {
          socket.write(`${tag} OK whatever\r\n`);
        }
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await expect(
      connectImap(
        { host: "127.0.0.1", port, security: "starttls" },
        { user: "alice", password: "secret-never-sent" },
        { connectTimeoutMs: 3000 },
      ),
    ).rejects.toMatchObject({ code: "tls_failed" });
    expect(received.join("")).not.toMatch(/LOGIN|AUTHENTICATE|secret-never-sent/);
  });
});
