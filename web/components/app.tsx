"use client";
/**
 * The root of the page: the sign-in page or the mailbox, depending on the session. The mailbox
 * (socket, cache, panes) is loaded as its own chunk so the sign-in page stays small; it is not
 * behind a Suspense boundary (see `lib/chunk.ts`); at a reload, the mailbox as last shown is
 * painted before any of this runs, and handed over here (components/mailbox-snapshot.tsx). While
 * signed in, the service worker keeps the app shell for starting offline (lib/service-worker.ts).
 */
import { useEffect } from "react";
import { whenIdle } from "@/lib/idle";
import { registerServiceWorker } from "@/lib/service-worker";
import { initSession, useSession } from "@/lib/session";
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

export function App() {
  useEffect(() => initSession(), []);
  const session = useSession();
  // The app shell is kept for offline starts only while someone is signed in. The worker
  // precaches the whole shell as it installs, so it is registered once the page is idle: the
  // first window and the rows' render after sign-in do not share the network and CPU with it.
  useEffect(() => {
    if (session.phase === "signedIn") return whenIdle(registerServiceWorker, 5000);
  }, [session]);
  switch (session.phase) {
    case "checking":
      return <Splash />;
    case "signedOut":
      return <SignIn notice={session.notice} />;
    case "signedIn":
      return <SignedIn email={session.email} />;
  }
}
