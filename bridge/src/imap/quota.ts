/**
 * The user's quota (RFC 9208): GETQUOTAROOT of INBOX through imapflow's getQuota(), as the
 * protocol's TQuota. A server without QUOTA, or with no limit on INBOX's root, has none (null).
 */
import type { TQuota, TQuotaResource } from "@ferry/protocol";
import type { ImapFlow, QuotaResponse } from "imapflow";
import { commandError } from "./errors";

/** The quota of INBOX's quota root, or null when the server has none. */
export async function readQuota(client: ImapFlow): Promise<TQuota | null> {
  if (!hasQuota(client)) return null;
  let answer: QuotaResponse | false;
  try {
    // Dovecot's count backend sums what this connection still sees: a NOOP first lets the
    // expunges other clients made reach the mailbox it has selected.
    if (client.mailbox) await client.noop();
    answer = await client.getQuota("INBOX");
  } catch (err) {
    throw commandError(err, "The mail server could not say how much space is used.");
  }
  return answer === false ? null : toQuota(answer);
}

/** The server offers QUOTA (RFC 2087's token, or RFC 9208's QUOTA=RES-*). */
export function hasQuota(client: ImapFlow): boolean {
  for (const cap of client.capabilities.keys()) {
    if (cap === "QUOTA" || cap.startsWith("QUOTA=RES-")) return true;
  }
  return false;
}

/** imapflow's answer (storage already in bytes) as a TQuota; null when no resource has a limit. */
export function toQuota(answer: QuotaResponse): TQuota | null {
  const storage = resource(answer.storage);
  const messages = resource(answer.message);
  return storage === null && messages === null ? null : { storage, messages };
}

function resource(value: QuotaResponse["storage"]): TQuotaResource | null {
  const used = value?.usage;
  const limit = value?.limit;
  if (used === undefined || limit === undefined) return null;
  if (!Number.isSafeInteger(used) || !Number.isSafeInteger(limit) || used < 0 || limit <= 0) {
    return null;
  }
  return { used, limit };
}
