import { t } from "@/lib/i18n/start";
import { FerryLogo } from "./icons";

/** What shows while the app decides between the sign-in page and the mailbox. */
export function Splash() {
  return (
    <div className="flex min-h-dvh flex-col items-center justify-center gap-4" aria-busy="true">
      <FerryLogo className="size-16 animate-pulse" />
      <p className="text-sm text-zinc-500">{t("app.loading")}</p>
    </div>
  );
}
