/**
 * Session secrets: random session ids, the store key derived from an id (so a dump of the
 * store holds no usable cookie), and AES-256-GCM sealing of the IMAP password with a key
 * derived from FERRY_SESSION_SECRET by HKDF.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";

/** A new session id: 256 random bits, base64url (43 characters). */
export function newSessionId(): string {
  return randomBytes(32).toString("base64url");
}

/** True when `value` has the shape of a session id (checked before any lookup). */
export function isSessionIdShape(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

/** The key a session is stored under: SHA-256 of its id, hex. */
export function sessionKey(id: string): string {
  return createHash("sha256").update(id).digest("hex");
}

const VERSION = "v1";

/** Seals and opens small secrets with AES-256-GCM; the associated data binds them to a session. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = Buffer.from(
      hkdfSync("sha256", secret, "ferry-session-store", "imap-password-v1", 32),
    );
  }

  seal(plaintext: string, associatedData: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${VERSION}.${Buffer.concat([iv, tag, body]).toString("base64url")}`;
  }

  /** The plaintext, or null when the box was sealed with another key or for another session. */
  open(sealed: string, associatedData: string): string | null {
    const [version, data] = sealed.split(".");
    if (version !== VERSION || data === undefined) return null;
    const raw = Buffer.from(data, "base64url");
    if (raw.length < 28) return null;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(associatedData));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    } catch {
      return null;
    }
  }
}

/** Constant-time string comparison. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
