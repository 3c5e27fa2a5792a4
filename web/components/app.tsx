"use client";
/**
 * The root of the page: the sign-in page or the mailbox, depending on the session. The mailbox
 * (socket, cache, panes) is loaded as its own chunk so the sign-in page stays small.
 */
import dynamic from "next/dynamic";
import { useEffect } from "react";
import { initSession, useSession } from "@/lib/session";
import { SignIn } from "./sign-in";
import { Splash } from "./splash";

const MailRoot = dynamic(() => import("./mail-root").then((m) => m.MailRoot), {
  ssr: false,
  loading: Splash,
});

export function App() {
  useEffect(() => initSession(), []);
  const session = useSession();
  switch (session.phase) {
    case "checking":
      return <Splash />;
    case "signedOut":
      return <SignIn notice={session.notice} />;
    case "signedIn":
      return <MailRoot email={session.email} />;
  }
}
