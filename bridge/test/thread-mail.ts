/**
 * A message of a conversation for the threading tests: written by `from` to or from `me` (the
 * account under test), with its Message-ID and, for a reply, In-Reply-To and References naming
 * the ids it follows (oldest first).
 */
export function threadMessage(
  me: string,
  opts: { from: string; subject: string; id: string; refs?: string[] },
): string {
  return [
    `From: ${opts.from}`,
    `To: ${opts.from === me ? "bob@example.test" : me}`,
    `Subject: ${opts.subject}`,
    `Message-ID: <${opts.id}>`,
    ...(opts.refs
      ? [
          `In-Reply-To: <${opts.refs.at(-1)}>`,
          `References: ${opts.refs.map((r) => `<${r}>`).join(" ")}`,
        ]
      : []),
    `Date: ${new Date().toUTCString()}`,
    "",
    `Body of ${opts.subject}`,
    "",
  ].join("\r\n");
}
