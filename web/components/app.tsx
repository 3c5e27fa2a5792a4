"use client";
/**
 * The root of the page: the sign-in page or the mailbox, depending on the session. The mailbox
 * (socket, cache, panes) is loaded as its own chunk so the sign-in page stays small; it is not
 * behind a Suspense boundary (see `lib/chunk.ts`); at a reload, the mailbox as last shown is
 * painted before any of this runs, and handed over here (components/mailbox-snapshot.tsx). Once
 * the sign-in page has an address (typed and left, or submitted), the mailbox for it is rendered
 * hidden behind the page (an Activity: no effects run, nothing connects, nothing shows), so that
 * a sign-in that succeeds only reveals it and adds its rows; the session is read at default
 * priority (useRootSession), so that reveal is painted before the mailbox's effects run. While
 * signed in, the service worker keeps the app shell for starting offline (lib/service-worker.ts).
 */
import { Activity, useCallback, useEffect, useRef, useState } from "react";
import { whenQuiet } from "@/lib/quiet";
import { registerServiceWorker } from "@/lib/service-worker";
import { initSession, type SessionState, useRootSession } from "@/lib/session";
import { mailRootChunk } from "./mail-root-loader";
import { useSnapshotHandOver } from "./mailbox-snapshot";
import { SignIn } from "./sign-in";
import { Splash } from "./splash";

function SignedIn({ email }: { email: string }) {
  const mod = mailRootChunk.useModule();
  useSnapshotHandOver(email, mod !== null);
  if (!mod) return <Splash />;
  const { MailRoot } = mod;
  return <MailRoot email={email} />;
}

/** The address the hidden mailbox is rendered for, valid while `session` is the state. */
interface Ahead {
  email: string;
  session: SessionState;
}

export function App() {
  const session = useRootSession();
  useEffect(() => initSession(), []);
  const [ahead, setAhead] = useState<Ahead | null>(null);
  // The last address set ahead: setting the same again would leave a no-op update in the queue
  // at the typing's priority, which the default-priority render that shows the mailbox skips and
  // then renders synchronously, running the mailbox's effects before its first frame.
  const aheadSet = useRef<Ahead | null>(null);
  // The app shell is kept for offline starts only while someone is signed in. The worker
  // precaches the whole shell as it installs, so it is registered once the user is still and
  // the page idle (lib/quiet.ts): neither the first window and rows after sign-in nor the first
  // messages opened from the keyboard share the network and CPU with it.
  useEffect(() => {
    if (session.phase === "signedIn") return whenQuiet(registerServiceWorker);
  }, [session]);
  const prepare = useCallback(
    (email: string) => {
      void mailRootChunk.preload().then(
        () => {
          const was = aheadSet.current;
          if (was?.email === email && was.session === session) return;
          aheadSet.current = { email, session };
          setAhead(aheadSet.current);
        },
        () => undefined,
      );
    },
    [session],
  );
  // Signed in: the mailbox shows (the one rendered ahead for this address, if any). Signed out:
  // a mailbox rendered ahead under this same sign-in page stays hidden; any other (the account
  // that just signed out) is gone.
  const mailbox =
    session.phase === "signedIn"
      ? session.email
      : ahead !== null && ahead.session === session
        ? ahead.email
        : null;
  return (
    <>
      {session.phase === "checking" ? <Splash /> : null}
      {session.phase === "signedOut" ? (
        <SignIn notice={session.notice} onAddress={prepare} />
      ) : null}
      {mailbox !== null ? (
        <Activity key={mailbox} mode={session.phase === "signedIn" ? "visible" : "hidden"}>
          <SignedIn email={mailbox} />
        </Activity>
      ) : null}
    </>
  );
}
