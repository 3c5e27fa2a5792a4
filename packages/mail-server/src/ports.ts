/** Loopback port allocation and readiness probes. */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { waitFor } from "./proc";

/** Reserves `count` distinct free TCP ports on 127.0.0.1 (released before returning). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
      });
      const addr = server.address();
      if (addr === null || typeof addr === "string") throw new Error("no port assigned");
      ports.push(addr.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

/** A loopback TCP endpoint. */
export interface Endpoint {
  host: string;
  port: number;
}

function hexEndpoint({ host, port }: Endpoint): string {
  const ip = host
    .split(".")
    .map((octet) => Number(octet).toString(16).padStart(2, "0"))
    .reverse()
    .join("");
  return `${ip}:${port.toString(16).padStart(4, "0")}`.toUpperCase();
}

/**
 * True if a TCP socket is listening on `host:port` (IPv4), read from /proc/net/tcp. Used
 * instead of probe connections, which would make Dovecot spawn login processes.
 */
export async function isListening(endpoint: Endpoint): Promise<boolean> {
  const wanted = hexEndpoint(endpoint);
  const table = await readFile("/proc/net/tcp", "utf8");
  return table.split("\n").some((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[1] === wanted && fields[3] === "0A";
  });
}

/** Waits until each endpoint accepts connections, or throws naming one that never did. */
export async function waitForPorts(
  what: string,
  endpoints: readonly Endpoint[],
  timeoutMs = 10_000,
): Promise<void> {
  await Promise.all(
    endpoints.map((e) =>
      waitFor(`${what} on ${e.host}:${e.port}`, () => isListening(e), timeoutMs),
    ),
  );
}
