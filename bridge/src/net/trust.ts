/**
 * TLS trust for IMAP and SMTP when an extra CA is configured (FERRY_CA_FILE). Building a TLS
 * context that holds the system roots plus that CA costs about 1 MB of native memory, so it is
 * built once per CA and shared by every connection instead of once per connection.
 */
import { createSecureContext, rootCertificates, type SecureContext } from "node:tls";

const contexts = new Map<string, SecureContext>();

/** The shared context trusting the system roots and `ca` (PEM); verification stays on. */
export function trustContext(ca: string): SecureContext {
  let context = contexts.get(ca);
  if (context === undefined) {
    context = createSecureContext({ ca: [...rootCertificates, ca], minVersion: "TLSv1.2" });
    contexts.set(ca, context);
  }
  return context;
}
