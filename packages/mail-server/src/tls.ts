/**
 * Per-fixture TLS material: a fresh CA and a server certificate signed by it, made with the
 * openssl CLI, so clients can verify the servers by trusting only this CA.
 */
import { randomBytes } from "node:crypto";
import { chmod, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./proc";

/** Paths and PEM text of the generated TLS material. */
export interface FixtureTls {
  /** CA certificate (PEM) that clients should trust. */
  ca: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/**
 * Creates `ca.pem`/`ca.key` and `server.pem`/`server.key` in `dir`. The server certificate's
 * subjectAltName covers localhost, 127.0.0.1, 127.0.0.2 and every name in `dnsNames`.
 */
export async function makeCertificates(
  dir: string,
  dnsNames: readonly string[],
): Promise<FixtureTls> {
  const caFile = join(dir, "ca.pem");
  const caKey = join(dir, "ca.key");
  const certFile = join(dir, "server.pem");
  const keyFile = join(dir, "server.key");
  const csr = join(dir, "server.csr");
  const ext = join(dir, "server.ext");
  const id = randomBytes(4).toString("hex");
  const names = [...new Set(["localhost", ...dnsNames])];
  await Promise.all([
    run("openssl", [
      "req",
      "-x509",
      ...EC,
      "-keyout",
      caKey,
      "-out",
      caFile,
      "-days",
      "365",
      "-subj",
      `/O=Ferry/CN=Ferry test CA ${id}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]),
    run("openssl", [
      "req",
      "-new",
      ...EC,
      "-keyout",
      keyFile,
      "-out",
      csr,
      "-subj",
      "/O=Ferry/CN=localhost",
    ]),
    writeFile(
      ext,
      [
        "basicConstraints = critical,CA:FALSE",
        "keyUsage = critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage = serverAuth",
        `subjectAltName = ${[...names.map((n) => `DNS:${n}`), "IP:127.0.0.1", "IP:127.0.0.2"].join(",")}`,
        "",
      ].join("\n"),
    ),
  ]);
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    caFile,
    "-CAkey",
    caKey,
    "-out",
    certFile,
    "-days",
    "365",
    "-set_serial",
    `0x${randomBytes(8).toString("hex")}`,
    "-extfile",
    ext,
  ]);
  await Promise.all([rm(csr), rm(ext), chmod(keyFile, 0o600), chmod(caKey, 0o600)]);
  return { ca: await readFile(caFile, "utf8"), caFile, certFile, keyFile };
}
