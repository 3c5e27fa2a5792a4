import { existsSync } from "node:fs";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { isAlive } from "./proc";
import { startRedisServer } from "./redis";

/** Sends inline Redis commands and resolves with the raw reply once `done` says it is whole. */
function talk(port: number, commands: string[], done: (reply: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let reply = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      reply += chunk;
      if (done(reply)) {
        socket.end();
        resolve(reply);
      }
    });
    socket.once("error", reject);
    socket.write(commands.map((c) => `${c}\r\n`).join(""));
  });
}

describe("startRedisServer", () => {
  it("runs its own redis-server on a loopback port, without persistence, gone after stop", async () => {
    const redis = await startRedisServer();
    const pid = redis.pid();
    expect(pid).toBeGreaterThan(0);
    expect(redis.port).not.toBe(6379);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    const reply = await talk(
      redis.port,
      ["PING", "CONFIG GET save", "CONFIG GET appendonly", "CONFIG GET dir"],
      (r) => r.includes(redis.dir),
    );
    expect(reply).toMatch(/^\+PONG\r\n/);
    expect(reply).toContain("$4\r\nsave\r\n$0\r\n\r\n");
    expect(reply).toContain("$10\r\nappendonly\r\n$2\r\nno\r\n");
    await redis.stop();
    expect(pid !== undefined && isAlive(pid)).toBe(false);
    expect(existsSync(redis.dir)).toBe(false);
  });
  it("halt() takes it down with its data; resume() brings it back on the same port with it", async () => {
    const redis = await startRedisServer();
    try {
      await talk(redis.port, ["SET kept across-a-restart"], (r) => r.includes("+OK"));
      const before = redis.pid();
      await redis.halt();
      expect(before !== undefined && isAlive(before)).toBe(false);
      expect(redis.pid()).toBeUndefined();
      await expect(talk(redis.port, ["PING"], () => true)).rejects.toThrow(/ECONNREFUSED/);
      await redis.resume();
      expect(redis.pid()).not.toBe(before);
      const reply = await talk(redis.port, ["GET kept"], (r) => r.endsWith("\r\n") && r.length > 5);
      expect(reply).toBe("$16\r\nacross-a-restart\r\n");
    } finally {
      await redis.stop();
    }
    expect(existsSync(redis.dir)).toBe(false);
  });
});
