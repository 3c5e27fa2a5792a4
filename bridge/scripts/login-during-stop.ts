/**
 * A probe of Dovecot (the project's fixture), not a test: what does a LOGIN get while the
 * fixture's Dovecot is being stopped (MailServer.stop: SIGTERM to the master and every child at
 * once)? Per round a new server, one logged-in client, then a new connection and LOGIN every
 * 5 ms from 20 ms before the stop until it is over; each outcome is counted by its imapflow code,
 * authenticationFailed and response code. A refused login there is what a session reconnecting
 * at that moment would take for a changed password (live/reconnect.ts connect()).
 * Run: cd bridge && node --import tsx scripts/login-during-stop.ts [rounds]
 */
import { startMailServer } from "@ferry/mail-server";
import { ImapFlow } from "imapflow";

const ROUNDS = Number(process.argv[2] ?? 30);

interface ErrorShape {
  code?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
}

const outcomes = new Map<string, number>();
const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);

for (let round = 0; round < ROUNDS; round++) {
  const server = await startMailServer({
    postfix: false,
    users: [{ email: "stop0@example.test" }],
  });
  const user = server.users[0];
  if (!user) throw new Error("no user");
  const client = () =>
    new ImapFlow({
      host: server.host,
      port: server.imap.tlsPort,
      secure: true,
      auth: { user: user.email, pass: user.password },
      tls: { ca: server.ca },
      logger: false,
    });
  const first = client();
  await first.connect();
  let stopping = true;
  const tries: Promise<void>[] = [];
  const loop = (async () => {
    while (stopping) {
      const c = client();
      c.on("error", () => {});
      tries.push(
        c.connect().then(
          () => {
            count("logged in");
            c.close();
          },
          (err: ErrorShape) => {
            // A port that refuses or resets is one outcome whatever the port.
            const code = err.code === "ECONNREFUSED" || err.code === "ECONNRESET" ? err.code : "";
            count(
              code ||
                `${err.code ?? ""} authenticationFailed=${err.authenticationFailed === true} ` +
                  `[${err.serverResponseCode ?? ""}]`,
            );
          },
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await server.stop();
  stopping = false;
  await loop;
  await Promise.all(tries);
}
console.log(`${ROUNDS} stops:`, Object.fromEntries(outcomes));
