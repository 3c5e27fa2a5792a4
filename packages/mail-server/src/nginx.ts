/**
 * A throwaway nginx on loopback in front of several bridges, for the failover test and the
 * benchmark: Debian's /usr/sbin/nginx run directly (never the system service or /etc/nginx),
 * with a config, pid file, error log and temp paths of its own in a temp dir, on a free port of
 * 127.0.0.1, in the foreground (`daemon off`), stopped and removed by `stop()` or at process
 * exit. The config is `ferryProxyConfig`: the one README's "Running more than one bridge" shows.
 */
import { accessSync, constants, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { track } from "./cleanup";
import { LocalServer } from "./local-server";
import { freePorts } from "./ports";

export const NGINX = "/usr/sbin/nginx";

/** True when Debian's nginx is installed (`apt-get install nginx`). */
export function nginxInstalled(): boolean {
  try {
    accessSync(NGINX, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface FerryProxyOptions {
  /** `host:port` of each bridge. */
  upstreams: readonly string[];
  /** The session cookie the upstream is chosen by (the bridge's is `ferry_session`). */
  cookie: string;
  /** Port nginx listens on (127.0.0.1). */
  listen: number;
  /** Where nginx keeps its pid, error log and temp files. */
  dir: string;
  /** Adds `X-Ferry-Upstream: <host:port>` to every answer, so a test can see who answered. */
  showUpstream?: boolean;
}

/**
 * The nginx config for several bridges on one state store: requests are routed by a consistent
 * hash of the session cookie (a user's requests and socket go to one bridge), WebSocket upgrades
 * pass, and a bridge that refuses or times out a connection is skipped for 10 s, so its users go
 * to another one (`proxy_next_upstream`). Uploads stream to the bridge unbuffered.
 */
export function ferryProxyConfig(opts: FerryProxyOptions): string {
  const servers = opts.upstreams
    .map((u) => `    server ${u} max_fails=1 fail_timeout=10s;`)
    .join("\n");
  return `worker_processes 1;
pid ${join(opts.dir, "nginx.pid")};
error_log ${join(opts.dir, "error.log")} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(opts.dir, "client_body")};
  proxy_temp_path ${join(opts.dir, "proxy")};
  fastcgi_temp_path ${join(opts.dir, "fastcgi")};
  uwsgi_temp_path ${join(opts.dir, "uwsgi")};
  scgi_temp_path ${join(opts.dir, "scgi")};

  map $http_upgrade $connection_upgrade {
    default upgrade;
    ""      "";
  }
  upstream ferry {
    hash $cookie_${opts.cookie} consistent;
${servers}
  }
  server {
    listen 127.0.0.1:${opts.listen};
    client_max_body_size 50m;
    location / {
      proxy_pass http://ferry;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_connect_timeout 2s;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_read_timeout 1h;
      proxy_buffering off;
      proxy_request_buffering off;${opts.showUpstream ? "\n      add_header X-Ferry-Upstream $upstream_addr always;" : ""}
    }
  }
}
`;
}

/** A running throwaway nginx. */
export interface ProxyServer {
  host: "127.0.0.1";
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  dir: string;
  /** The config it runs. */
  config: string;
  pid(): number | undefined;
  stop(): Promise<void>;
}

class Instance extends LocalServer implements ProxyServer {
  constructor(
    dir: string,
    port: number,
    readonly config: string,
  ) {
    super(dir, port, { name: "nginx", file: "error.log", heading: "nginx error.log" });
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  start(file: string): Promise<void> {
    const args = ["-p", this.dir, "-c", file, "-e", join(this.dir, "error.log")];
    return this.launch(NGINX, [...args, "-g", "daemon off;"], "nginx.out");
  }
}

/**
 * Starts nginx with `ferryProxyConfig` in front of `upstreams` on a free loopback port and
 * resolves once it listens. Call `stop()` when done; it is also killed on process exit.
 */
export async function startFerryProxy(opts: {
  upstreams: readonly string[];
  cookie: string;
  showUpstream?: boolean;
  /** The port to listen on (one reserved with `freePorts`); default a free one. */
  port?: number;
}): Promise<ProxyServer> {
  if (!nginxInstalled()) throw new Error(`${NGINX} is missing: apt-get install nginx`);
  const dir = await mkdtemp(join(tmpdir(), "ferry-nginx-"));
  const port = opts.port ?? (await freePorts(1))[0] ?? 0;
  const config = ferryProxyConfig({ ...opts, listen: port, dir });
  const file = join(dir, "nginx.conf");
  writeFileSync(file, config);
  const instance = new Instance(dir, port, config);
  track(instance);
  try {
    await instance.start(file);
    return instance;
  } catch (err) {
    await instance.stop().catch(() => undefined);
    throw err;
  }
}
