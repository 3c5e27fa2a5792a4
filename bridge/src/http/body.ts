/**
 * Reading JSON request bodies: Content-Type must be application/json, the size is capped before
 * anything is buffered (Content-Length checked up front, the stream counted as it arrives).
 */
import type { IncomingMessage } from "node:http";
import { BridgeError } from "../errors";
import { header } from "./respond";

export const MAX_JSON_BODY_BYTES = 16 * 1024;

/** The parsed JSON body (unknown: validate it). Throws BridgeError bad_request / too_large. */
export async function readJsonBody(
  req: IncomingMessage,
  limit = MAX_JSON_BODY_BYTES,
): Promise<unknown> {
  const type = header(req, "content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") {
    throw new BridgeError("bad_request", "The request body must be JSON (application/json).");
  }
  const declared = Number(header(req, "content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new BridgeError("too_large", "The request body is too large.");
  }
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return; // keep draining so the answer can still be sent
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new BridgeError("too_large", "The request body is too large."));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!over) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", (err) =>
      reject(new BridgeError("bad_request", "The request was cut short.", { cause: err })),
    );
  });
  try {
    return JSON.parse(text);
  } catch {
    throw new BridgeError("bad_request", "The request body is not valid JSON.");
  }
}
